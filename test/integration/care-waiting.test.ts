import request from 'supertest';
import type { Role } from '../../src/auth/roles';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';
import { contactPointIds, insertConsentEvents } from '../helpers/consent';
import { webhookData } from '../../src/webhooks/webhook-payload';
import { ConsentPurpose } from '../../src/graphql/enums';

// Waiting on the customer (docs/care.md): snooze, private notes, labels, hand-off reasons.
// Items are found through a label of their own (tests share the database), or a skill group of
// their own for the claim.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 10 });
});
afterAll(() => app.close());

/** A GraphQL call as `roles` (token subject test-user): data typed loosely for the assertions. */
const as = (query: string, variables: Record<string, unknown>, roles: Role[] = ['agent']) => app.gql<any>(query, variables, roles) as Promise<{ data: any; errors: any[] | undefined }>;

const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status slaDueAt customer { id } conversation { id } } }`;
const SNOOZE = `mutation($id: ID!, $until: DateTime!) { snoozeInteraction(interactionId: $id, until: $until) { id status slaDueAt snoozedUntil history { event actor } } }`;
const LABELS = `mutation($id: ID!, $labels: [String!]!) { setConversationLabels(conversationId: $id, labels: $labels) { id labels } }`;
const QUEUE = `query($labels: [String!]) { careQueue(first: 100, labels: $labels) { totalCount edges { node { interaction { id } } } } }`;
const NOTE = `mutation($id: ID!, $text: String!, $key: String) { addNote(interactionId: $id, text: $text, idempotencyKey: $key) { id author text mentions createdAt } }`;
const SET_AGENT = `mutation($input: AgentInput!) { setAgent(input: $input) { id } }`;
const CLAIM = `mutation($agentId: ID) { claimNextInteraction(agentId: $agentId) { id } }`;

/** A customer's open question on Twitter, through ingestion, in a conversation labelled `label`. */
async function question(label: string) {
  const tag = unique();
  const res = await app.gql(RECORD, {
    input: { idempotencyKey: `wait-${tag}`, platform: 'TWITTER', handle: `w_${tag}`, channel: 'TWITTER',
      content: 'where is my order? can you help me please', occurredAt: new Date(Date.now() - 60_000).toISOString() },
  }, ['agent']);
  expect(res.errors).toBeUndefined();
  const item = res.data!.recordInteraction;
  expect(item.status).toBe('OPEN');
  const labelled = await app.gql(LABELS, { id: item.conversation.id, labels: [label] }, ['agent']);
  expect(labelled.errors).toBeUndefined();
  return { id: item.id as string, customerId: item.customer.id as string, conversationId: item.conversation.id as string };
}

async function queued(label: string): Promise<string[]> {
  const res = await app.gql(QUEUE, { labels: [label] }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.careQueue.edges.map((e: any) => e.node.interaction.id);
}

const row = async (id: string) =>
  (await app.pool.query(`SELECT snoozed_until, sla_due_at, assigned_to FROM interactions WHERE id = $1`, [id])).rows[0];

describe('snoozeInteraction', () => {
  it('takes the item out of the queue, shows snoozedUntil and pushes the SLA due time by the pause', async () => {
    const label = `snooze-${unique()}`;
    const item = await question(label);
    const other = await question(label);
    const due = new Date((await row(item.id)).sla_due_at).getTime();
    expect(await queued(label)).toEqual(expect.arrayContaining([item.id, other.id]));

    const until = new Date(Date.now() + 2 * 3_600_000);
    const before = Date.now();
    const res = await as(SNOOZE, { id: item.id, until: until.toISOString() });
    const after = Date.now();
    expect(res.errors).toBeUndefined();
    const snoozed = res.data.snoozeInteraction;
    expect(snoozed).toMatchObject({ status: 'OPEN', snoozedUntil: until.toISOString() });
    expect(snoozed.history.at(-1)).toEqual({ event: 'SNOOZED', actor: 'test-user' });
    // Pushed by what is left of the pause: until minus the moment of the snooze.
    const pushed = new Date(snoozed.slaDueAt).getTime();
    expect(pushed).toBeGreaterThanOrEqual(due + until.getTime() - after - 1000);
    expect(pushed).toBeLessThanOrEqual(due + until.getTime() - before + 1000);
    expect(await queued(label)).toEqual([other.id]);

    // Snoozing again replaces the pause: the due time moves by the difference only.
    const later = new Date(until.getTime() + 3_600_000);
    const again = await as(SNOOZE, { id: item.id, until: later.toISOString() });
    expect(new Date(again.data.snoozeInteraction.slaDueAt).getTime() - pushed).toBeGreaterThan(3_600_000 - 5_000);
    expect(new Date(again.data.snoozeInteraction.slaDueAt).getTime() - pushed).toBeLessThanOrEqual(3_600_000);
  });

  it('comes back on the customer\'s next post in the conversation, keeping only the pause that ran', async () => {
    const label = `wake-${unique()}`;
    const item = await question(label);
    const due = new Date((await row(item.id)).sla_due_at).getTime();
    const start = Date.now();
    await as(SNOOZE, { id: item.id, until: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await queued(label)).toEqual([]);

    const post = await app.gql(RECORD, {
      input: { idempotencyKey: `wake-${unique()}`, customerId: item.customerId, conversationId: item.conversationId, channel: 'TWITTER',
        content: 'here is the photo you asked for, can you check it?' },
    }, ['agent']);
    expect(post.errors).toBeUndefined();
    const woke = Date.now();
    const stored = await row(item.id);
    expect(stored.snoozed_until).toBeNull();
    const back = new Date(stored.sla_due_at).getTime();
    expect(back).toBeGreaterThanOrEqual(due - 1000);
    expect(back).toBeLessThanOrEqual(due + (woke - start) + 1000);
    expect(await queued(label)).toEqual(expect.arrayContaining([item.id]));
    const read = await app.gql(`query($id: ID!) { node(id: $id) { ... on Interaction { snoozedUntil } } }`, { id: item.id }, ['agent']);
    expect(read.data!.node).toEqual({ snoozedUntil: null });
  });

  it('comes back by itself at until', async () => {
    const label = `until-${unique()}`;
    const item = await question(label);
    const res = await as(SNOOZE, { id: item.id, until: new Date(Date.now() + 1500).toISOString() });
    expect(res.errors).toBeUndefined();
    expect(await queued(label)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await queued(label)).toEqual([item.id]);
  });

  it('refuses a time in the past or more than 30 days ahead (BAD_USER_INPUT), a resolved item (CONFLICT), and writes nothing', async () => {
    const label = `bad-${unique()}`;
    const item = await question(label);
    const stored = await row(item.id);
    for (const until of [new Date(Date.now() - 60_000), new Date(Date.now() + 31 * 86_400_000)]) {
      const res = await as(SNOOZE, { id: item.id, until: until.toISOString() });
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'until' });
    }
    const missing = await as(SNOOZE, { id: '00000000-0000-4000-8000-000000000000', until: new Date(Date.now() + 60_000).toISOString() });
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(await row(item.id)).toEqual(stored);

    const resolved = await app.gql(`mutation($input: RespondInput!) { respondToInteraction(input: $input) { status } }`,
      { input: { interactionId: item.id, content: 'delivered today, sorry for the wait', resolve: true } }, ['agent']);
    expect(resolved.data!.respondToInteraction.status).toBe('RESOLVED');
    const afterResolve = await row(item.id);
    const conflict = await as(SNOOZE, { id: item.id, until: new Date(Date.now() + 60_000).toISOString() });
    expect(conflict.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'interactionId' });
    expect(await row(item.id)).toEqual(afterResolve);
  });

  it('is refused to ingest, marketing and viewers', async () => {
    const item = await question(`roles-${unique()}`);
    for (const roles of [['ingest'], ['marketing'], ['viewer']] as Role[][]) {
      const res = await as(SNOOZE, { id: item.id, until: new Date(Date.now() + 60_000).toISOString() }, roles);
      expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    expect((await row(item.id)).snoozed_until).toBeNull();
  });

  it('against a concurrent claim of the same item: one outcome, never snoozed and held at once', async () => {
    const sg = `snoozeclaim-${unique()}`;
    const claimer = `claimer-${sg}`;
    const set = await as(SET_AGENT, { input: { id: claimer, skillGroups: [sg], tiers: ['PLATINUM', 'GOLD', 'SILVER', 'BRONZE', 'NONE'], capacity: 50 } }, ['supervisor']);
    expect(set.errors).toBeUndefined();
    const c = await createCustomer(app.pool);
    const outcomes = { snoozed: 0, claimed: 0 };
    for (let round = 0; round < 12; round++) {
      const { rows: [conv] } = await app.pool.query(
        `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
         VALUES ($1, 'TWITTER', 'TWITTER', ARRAY['TWITTER'], now(), now()) RETURNING id`, [c.id]);
      const { rows: [item] } = await app.pool.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, skill_group, sla_due_at, actionable)
         VALUES ($1, $2, 'TWITTER', 'INBOUND', now(), 'help', 'QUESTION', $3, now() + interval '1 hour', true) RETURNING id`, [c.id, conv.id, sg]);
      const [snooze, claim] = await Promise.all([
        as(SNOOZE, { id: item.id, until: new Date(Date.now() + 3_600_000).toISOString() }),
        as(CLAIM, { agentId: claimer }, ['supervisor']),
      ]);
      const stored = await row(item.id);
      if (snooze.errors) {
        expect(snooze.errors[0].extensions!.code).toBe('CONFLICT');
        expect(claim.data.claimNextInteraction).toEqual({ id: item.id });
        expect(stored).toMatchObject({ snoozed_until: null, assigned_to: claimer });
        outcomes.claimed++;
      } else {
        expect(claim.errors).toBeUndefined();
        expect(claim.data.claimNextInteraction).toBeNull();
        expect(stored.snoozed_until).not.toBeNull();
        expect(stored.assigned_to).toBeNull();
        outcomes.snoozed++;
      }
    }
    expect(outcomes.snoozed + outcomes.claimed).toBe(12);
    // A snoozed item is never claimed afterwards either.
    expect((await as(CLAIM, { agentId: claimer }, ['supervisor'])).data.claimNextInteraction).toBeNull();
  });
});

describe('addNote', () => {
  it('keeps a private note with the agents it mentions, emits NOTE_MENTION once per agent, and answers a retry with the same note', async () => {
    const item = await question(`note-${unique()}`);
    const bob = `bob-${unique()}`;
    expect((await as(SET_AGENT, { input: { id: bob, tiers: ['GOLD'] } }, ['supervisor'])).errors).toBeUndefined();
    const text = `customer sends the photos tomorrow, @${bob}: please check; @nobody-${unique()} and @${bob}. again`;
    const key = `note-${unique()}`;
    const first = await as(NOTE, { id: item.id, text, key });
    expect(first.errors).toBeUndefined();
    expect(first.data.addNote).toMatchObject({ author: 'test-user', text, mentions: [bob] });
    const retry = await as(NOTE, { id: item.id, text, key });
    expect(retry.data.addNote).toEqual(first.data.addNote);
    const reused = await as(NOTE, { id: item.id, text: 'something else', key });
    expect(reused.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });

    const { rows: events } = await app.pool.query(
      `SELECT type, data FROM outbox_events WHERE customer_id = $1 AND type = 'NOTE_MENTION'`, [item.customerId]);
    expect(events).toEqual([{ type: 'NOTE_MENTION', data: { interactionId: item.id, noteId: first.data.addNote.id, customerId: item.customerId, agentId: bob } }]);
    // What any webhook receives: ids and the agent, never the text, whatever its purpose.
    for (const purpose of [null, ConsentPurpose.SERVICE, ConsentPurpose.MARKETING]) {
      const sent = webhookData({ type: 'NOTE_MENTION', customerId: item.customerId, data: { ...events[0].data, text } }, purpose,
        { identifiers: new Set(), customer: true });
      expect(sent).toEqual(events[0].data);
    }

    const read = await app.gql(`query($id: ID!) { node(id: $id) { ... on Interaction { notes { id text mentions } } } }`, { id: item.id }, ['agent']);
    expect(read.data!.node.notes).toEqual([{ id: first.data.addNote.id, text, mentions: [bob] }]);
  });

  it('refuses empty or overlong text (BAD_USER_INPUT) and an unknown interaction (NOT_FOUND), writing nothing', async () => {
    const item = await question(`badnote-${unique()}`);
    for (const text of ['   ', 'x'.repeat(4001)]) {
      const res = await as(NOTE, { id: item.id, text });
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    }
    const missing = await as(NOTE, { id: '00000000-0000-4000-8000-000000000000', text: 'hello' });
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM interaction_notes WHERE interaction_id = $1`, [item.id]);
    expect(rows[0].n).toBe(0);
  });

  it('is written and read by agents only: ingest and marketing are refused, viewers do not see notes', async () => {
    const item = await question(`notroles-${unique()}`);
    for (const roles of [['ingest'], ['marketing'], ['viewer']] as Role[][]) {
      const res = await as(NOTE, { id: item.id, text: 'private' }, roles);
      expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    await as(NOTE, { id: item.id, text: 'private words' });
    const viewer = await as(`query($id: ID!) { node(id: $id) { ... on Interaction { id notes { text } } } }`, { id: item.id }, ['viewer']);
    expect(viewer.errors![0]).toMatchObject({ path: ['node', 'notes'], extensions: { code: 'FORBIDDEN' } });
  });

  it('is never in a marketing export, and is erased with the customer', async () => {
    const country = `W${unique()}`.toUpperCase();
    const c = await createCustomer(app.pool, { country, emails: [`w.${unique()}@example.com`], interactions: [{ channel: 'EMAIL' }] });
    const contacts = await contactPointIds(app.pool, c.id);
    await insertConsentEvents(app.pool, [{ identityId: Object.values(contacts)[0], kind: 'CONTACT', purpose: 'MARKETING', status: 'GRANTED' }]);
    const secret = `private-${unique()}`;
    expect((await as(NOTE, { id: c.interactionIds[0], text: `customer said ${secret}` })).errors).toBeUndefined();

    const exported = await request(app.server).get('/segments/export').query({ filter: JSON.stringify({ country }) })
      .set('authorization', `Bearer ${tokenFor(['marketing'], `m-${unique()}`)}`).buffer(true)
      .parse((res, done) => { let t = ''; res.setEncoding('utf8'); res.on('data', (d: string) => (t += d)); res.on('end', () => done(null, t)); });
    expect(exported.status).toBe(200);
    expect(exported.headers['x-total-count']).toBe('1');
    expect(exported.body).not.toContain(secret);

    const erased = await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: c.id }, ['admin']);
    expect(erased.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT text FROM interaction_notes WHERE customer_id = $1`, [c.id]);
    expect(rows).toEqual([{ text: '[erased]' }]);
  });
});

describe('setConversationLabels', () => {
  it('replaces the set, normalised, and filters the care queue by it', async () => {
    const label = `lbl-${unique()}`;
    const a = await question(label);
    const b = await question(`other-${unique()}`);
    const set = await app.gql(LABELS, { id: b.conversationId, labels: [`  ${label.toUpperCase()} `, 'VIP', 'vip'] }, ['agent']);
    expect(set.data!.setConversationLabels).toEqual({ id: b.conversationId, labels: [label, 'vip'] });
    expect((await queued(label)).sort()).toEqual([a.id, b.id].sort());
    expect(await app.gql(QUEUE, { labels: [label, 'VIP'] }, ['agent']).then((r) => r.data!.careQueue.edges.map((e: any) => e.node.interaction.id))).toEqual([b.id]);
    const cleared = await app.gql(LABELS, { id: b.conversationId, labels: [] }, ['agent']);
    expect(cleared.data!.setConversationLabels.labels).toEqual([]);
    expect(await queued(label)).toEqual([a.id]);
  });

  it('refuses too many or bad labels (BAD_USER_INPUT), an unknown conversation (NOT_FOUND), and ingest and marketing, writing nothing', async () => {
    const label = `lblbad-${unique()}`;
    const a = await question(label);
    const many = await app.gql(LABELS, { id: a.conversationId, labels: Array.from({ length: 21 }, (_, n) => `l${n}`) }, ['agent']);
    expect(many.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'labels' });
    const blank = await app.gql(LABELS, { id: a.conversationId, labels: ['ok', ' '] }, ['agent']);
    expect(blank.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'labels[1]' });
    const missing = await app.gql(LABELS, { id: '00000000-0000-4000-8000-000000000000', labels: ['x'] }, ['agent']);
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
    for (const roles of [['ingest'], ['marketing']] as Role[][]) {
      const res = await as(LABELS, { id: a.conversationId, labels: ['x'] }, roles);
      expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    const { rows } = await app.pool.query(`SELECT labels FROM conversations WHERE id = $1`, [a.conversationId]);
    expect(rows[0].labels).toEqual([label]);
  });
});

describe('hand-off reasons', () => {
  it('records why a conversation moved off its channel and counts moves by reason in serviceMetrics, filtered by labels', async () => {
    const label = `handoff-${unique()}`;
    const a = await question(label);
    const b = await question(label);
    const from = new Date(Date.now() - 60_000).toISOString();
    const OFFLINE = `mutation($input: TakeOfflineInput!) { takeOffline(input: $input) { handoffs { handoffReason reason } } }`;
    const moved = await app.gql(OFFLINE, { input: { conversationId: a.conversationId, toChannel: 'PHONE', context: 'card number', handoffReason: 'SECURITY' } }, ['agent']);
    expect(moved.data!.takeOffline.handoffs).toEqual([{ handoffReason: 'SECURITY', reason: null }]);
    await app.gql(OFFLINE, { input: { conversationId: b.conversationId, toChannel: 'EMAIL', context: 'long story', handoffReason: 'COMPLEXITY' } }, ['agent']);
    await app.gql(OFFLINE, { input: { conversationId: b.conversationId, toChannel: 'PHONE', context: 'asked to call', handoffReason: 'SECURITY' } }, ['agent']);
    const METRICS = `query($from: DateTime!, $to: DateTime!, $labels: [String!]) { serviceMetrics(from: $from, to: $to) { handoffsByReason(labels: $labels) { reason count } } }`;
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await app.gql(METRICS, { from, to, labels: [label] }, ['marketing']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.serviceMetrics.handoffsByReason).toEqual([{ reason: 'SECURITY', count: 2 }, { reason: 'COMPLEXITY', count: 1 }]);
  });
});
