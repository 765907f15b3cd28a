import { startTestApp, type TestApp } from '../helpers/app';
import { insertConsentEvents } from '../helpers/consent';
import { unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 10 });
});
afterAll(() => app.close());

const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id status customer { id } socialIdentity { id } } }`;
const INCIDENT = `query($id: ID!) { incident(id: $id) {
  id topic status openedAt resolvedAt postCount reached windowMinutes triggerPosts ruleName
  escalation { id team automatic resolvedAt interaction { id status } }
  posters(first: 100) { totalCount edges { cursor node { id } } pageInfo { hasNextPage } }
  posterDetails(first: 100) { edges { node { channel consented customer { id } post { id } notice { id content direction } closing { id content } } } }
  messages { kind text reached notConsented sentBy } } }`;
const NOTIFY = `mutation($input: NotifyIncidentInput!) { notifyIncident(input: $input) { id reached messages { reached notConsented } } }`;
const RESOLVE = `mutation($input: ResolveIncidentInput!) { resolveIncident(input: $input) {
  id status resolvedAt reached escalation { resolvedAt resolution interaction { status } } } }`;

/** An hour of its own in the past (tests share the database; metrics are read for this hour). */
const ownHour = () => Date.UTC(2021, 0, 1) + Math.floor(Math.random() * 24 * 900) * 3600_000;

interface Post { id: string; customerId: string; socialIdentityId: string }

/** Posts on `#outage<tag>` from handles `h<tag>_<k>`, `spacing` ms apart from `start`. */
async function post(tag: string, handles: number[], start: number, from: number, spacing = 30_000): Promise<Post[]> {
  const inputs = handles.map((h, n) => ({
    idempotencyKey: `inc-${tag}-${from + n}`, platform: 'TWITTER', handle: `h${tag}_${h}`, channel: 'TWITTER',
    content: `The app is down again, cannot unlock my car #outage${tag}`, topics: [`outage${tag}`], occurredAt: new Date(start + (from + n) * spacing).toISOString(),
  }));
  const res = await app.gql(RECORD_MANY, { inputs }, ['ingest']);
  expect(res.errors).toBeUndefined();
  return res.data!.recordInteractions.map((i: any) => ({ id: i.id, customerId: i.customer.id, socialIdentityId: i.socialIdentity.id }));
}

async function incidentOf(tag: string): Promise<string[]> {
  const { rows } = await app.pool.query(`SELECT id FROM care_incidents WHERE topic = $1 ORDER BY opened_at`, [`outage${tag}`]);
  return rows.map((r) => r.id);
}
async function incident(id: string) {
  const res = await app.gql(INCIDENT, { id }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.incident;
}
async function repliesTo(postIds: string[]) {
  const { rows } = await app.pool.query(
    `SELECT r.in_reply_to_id AS "postId", r.content, r.direction, r.channel, r.conversation_id = p.conversation_id AS "sameThread"
       FROM interactions r JOIN interactions p ON p.id = r.in_reply_to_id WHERE r.in_reply_to_id = ANY($1::uuid[]) ORDER BY r.content, r.in_reply_to_id`,
    [postIds]);
  return rows as { postId: string; content: string; direction: string; channel: string; sameThread: boolean }[];
}
const tagOf = () => unique().replace(/-/g, '');
const range = (n: number, from = 0) => Array.from({ length: n }, (_, k) => from + k);

describe('incidents from topic bursts', () => {
  it('opens one incident when a burst trips the threshold rule; later posts join it and are not escalated one by one', async () => {
    const tag = tagOf();
    const start = ownHour();
    // 19 posts from 10 customers: under the threshold (20 in 120 minutes).
    const first = await post(tag, range(19).map((k) => k % 10), start, 0);
    expect(await incidentOf(tag)).toEqual([]);
    const tripping = await post(tag, [3], start, 19);
    const [id] = await incidentOf(tag);
    expect(id).toBeDefined();
    const opened = await incident(id);
    expect(opened).toMatchObject({
      topic: `outage${tag}`, status: 'OPEN', resolvedAt: null, postCount: 20, triggerPosts: 20, windowMinutes: 120, ruleName: 'topic-threshold',
      reached: 0, openedAt: new Date(start + 19 * 30_000).toISOString(),
      escalation: { team: 'PR_CRISIS', automatic: true, resolvedAt: null, interaction: { id: tripping[0].id, status: 'ESCALATED' } },
      posters: { totalCount: 10, pageInfo: { hasNextPage: false } },
    });
    // First poster first, each once, with the channel and their first post.
    const byCustomer = new Map<string, string>();
    for (const p of first) if (!byCustomer.has(p.customerId)) byCustomer.set(p.customerId, p.id);
    expect(opened.posters.edges.map((e: any) => e.node.id)).toEqual([...byCustomer.keys()]);
    expect(opened.posterDetails.edges.map((e: any) => [e.node.customer.id, e.node.channel, e.node.post.id]))
      .toEqual([...byCustomer].map(([c, p]) => [c, 'TWITTER', p]));

    // Later posts: two known posters and three new ones, well past the threshold again.
    const later = await post(tag, [0, 1, 10, 11, 12, ...range(20, 13)], start, 20);
    const joined = await incident(id);
    expect(joined.postCount).toBe(20 + later.length);
    expect(joined.posters.totalCount).toBe(10 + 3 + 20);
    expect(await incidentOf(tag)).toEqual([id]);
    const { rows } = await app.pool.query(
      `SELECT count(*)::int AS n FROM escalations WHERE interaction_id = ANY($1::uuid[])`, [[...first, ...tripping, ...later].map((p) => p.id)]);
    expect(rows[0].n).toBe(1);
    const { rows: open } = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE id = ANY($1::uuid[]) AND status = 'OPEN'`, [later.map((p) => p.id)]);
    expect(open[0].n).toBe(later.length);
  });
  it('opens one incident when concurrent ingestion calls trip the rule together', async () => {
    const tag = tagOf();
    const start = ownHour();
    // One minute: the calls meet on the same topic counter row, so the last one sees all 24 posts.
    const calls = await Promise.all(range(4).map((c) => post(tag, range(6, c * 6), start, c * 6, 1000)));
    const ids = await incidentOf(tag);
    expect(ids).toHaveLength(1);
    const opened = await incident(ids[0]);
    expect(opened.postCount).toBe(24);
    expect(opened.posters.totalCount).toBe(24);
    const { rows } = await app.pool.query(
      `SELECT count(*)::int AS n FROM escalations WHERE interaction_id = ANY($1::uuid[])`, [calls.flat().map((p) => p.id)]);
    expect(rows[0].n).toBe(1);
  });
});

describe('notifyIncident and resolveIncident', () => {
  it('reach exactly the posters with GRANTED, unexpired SERVICE consent, once, across concurrent calls and retries; resolve closes the loop with each', async () => {
    const tag = tagOf();
    const start = ownHour();
    const posts = await post(tag, range(20), start, 0);
    const [id] = await incidentOf(tag);
    expect(id).toBeDefined();
    const identity = (k: number) => posts[k].socialIdentityId;
    const consented = range(8);
    for (const k of consented) {
      const res = await app.gql(`mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
        { input: { socialIdentityId: identity(k), purpose: 'SERVICE', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } }, ['agent']);
      expect(res.errors).toBeUndefined();
    }
    await insertConsentEvents(app.pool, [
      { identityId: identity(8), purpose: 'SERVICE', status: 'GRANTED', recordedAt: new Date(Date.now() - 86_400_000), expiresAt: new Date(Date.now() - 3600_000) },
      { identityId: identity(9), purpose: 'SERVICE', status: 'DENIED' },
      { identityId: identity(10), purpose: 'MARKETING', status: 'GRANTED' },
      { identityId: identity(11), purpose: 'SERVICE', status: 'GRANTED', recordedAt: new Date(Date.now() - 60_000) },
      { identityId: identity(11), purpose: 'SERVICE', status: 'REVOKED' },
    ]);

    const text = 'We know the app is down and are fixing it now. We will tell you here when it is back.';
    const forbidden = await app.gql(NOTIFY, { input: { incidentId: id, text } }, ['agent']);
    expect(forbidden.errors![0].extensions!.code).toBe('FORBIDDEN');
    const tooLong = await app.gql(NOTIFY, { input: { incidentId: id, text: 'x'.repeat(281) } }, ['supervisor']);
    expect(tooLong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(tooLong.errors![0].message).toContain('TWITTER allows 280');
    expect(await repliesTo(posts.map((p) => p.id))).toEqual([]);

    // Five at once, then a retry.
    const calls = await Promise.all(range(5).map(() => app.gql(NOTIFY, { input: { incidentId: id, text } }, ['supervisor'])));
    expect(calls.flatMap((c) => c.errors ?? [])).toEqual([]);
    const retry = await app.gql(NOTIFY, { input: { incidentId: id, text } }, ['supervisor']);
    expect(retry.data!.notifyIncident.reached).toBe(8);
    const messages = retry.data!.notifyIncident.messages;
    expect(messages).toHaveLength(6);
    expect(messages.map((m: any) => m.reached).sort()).toEqual([0, 0, 0, 0, 0, 8]);
    expect(messages.find((m: any) => m.reached === 8).notConsented).toBe(12);

    const replies = await repliesTo(posts.map((p) => p.id));
    expect(replies.map((r) => r.postId).sort()).toEqual(consented.map((k) => posts[k].id).sort());
    for (const r of replies) expect(r).toMatchObject({ content: text, direction: 'OUTBOUND', channel: 'TWITTER', sameThread: true });
    const details = (await incident(id)).posterDetails.edges.map((e: any) => e.node);
    expect(details.filter((d: any) => d.consented).map((d: any) => d.post.id).sort()).toEqual(consented.map((k) => posts[k].id).sort());
    expect(details.filter((d: any) => d.notice).map((d: any) => d.post.id).sort()).toEqual(consented.map((k) => posts[k].id).sort());
    const { rows: audited } = await app.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'INCIDENT_NOTICE_SENT' AND details->>'incidentId' = $1`, [id]);
    expect(audited[0].n).toBe(8);

    // A consented customer who posts later joins and is reached by the next call, alone.
    const late = await post(tag, [30], start, 20);
    await app.gql(`mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
      { input: { socialIdentityId: late[0].socialIdentityId, purpose: 'SERVICE', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } }, ['agent']);
    const update = await app.gql(NOTIFY, { input: { incidentId: id, text: 'Still working on it: next update in 30 minutes.' } }, ['supervisor']);
    expect(update.data!.notifyIncident.reached).toBe(9);
    expect((await repliesTo([late[0].id])).map((r) => r.content)).toEqual(['Still working on it: next update in 30 minutes.']);
    expect(await repliesTo(posts.map((p) => p.id))).toHaveLength(8);

    // Resolve: the escalation too, and the closing message once to each consented poster.
    const closing = 'The app is back. Thank you for your patience, and sorry for the trouble.';
    const resolves = await Promise.all(range(3).map(() => app.gql(RESOLVE, { input: { incidentId: id, text: closing } }, ['supervisor'])));
    expect(resolves.flatMap((r) => r.errors ?? [])).toEqual([]);
    const resolved = resolves[0].data!.resolveIncident;
    expect(resolved).toMatchObject({ status: 'RESOLVED', reached: 9, escalation: { resolution: closing, interaction: { status: 'RESOLVED' } } });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.escalation.resolvedAt).not.toBeNull();
    const closed = (await repliesTo([...posts, ...late].map((p) => p.id))).filter((r) => r.content === closing);
    expect(closed.map((r) => r.postId).sort()).toEqual([...consented.map((k) => posts[k].id), late[0].id].sort());
    const { rows: statuses } = await app.pool.query(
      `SELECT id, status FROM interactions WHERE id = ANY($1::uuid[])`, [[...consented.map((k) => posts[k].id), late[0].id]]);
    expect(statuses.map((s) => s.status)).toEqual(statuses.map(() => 'RESOLVED'));
    const { rows: untouched } = await app.pool.query(
      `SELECT count(*)::int AS n FROM interactions WHERE id = ANY($1::uuid[]) AND status = 'OPEN' AND responded_at IS NULL`,
      [posts.slice(8, 19).map((p) => p.id)]);
    expect(untouched[0].n).toBe(11);

    const after = await app.gql(NOTIFY, { input: { incidentId: id, text } }, ['supervisor']);
    expect(after.errors![0].extensions!.code).toBe('CONFLICT');
    const metrics = await app.gql(`query($from: DateTime!, $to: DateTime!) { serviceMetrics(from: $from, to: $to) { incidents incidentPostersReached } }`,
      { from: new Date(start).toISOString(), to: new Date(start + 3600_000).toISOString() }, ['supervisor']);
    expect(metrics.data!.serviceMetrics).toEqual({ incidents: 1, incidentPostersReached: 9 });
    // Other systems hear of it once each, after commit, through the outbox (three concurrent resolves: one event).
    const { rows: events } = await app.pool.query(
      `SELECT type FROM outbox_events WHERE data->>'incidentId' = $1 AND type LIKE 'INCIDENT_%' ORDER BY seq`, [id]);
    expect(events.map((e) => e.type)).toEqual(['INCIDENT_OPENED', 'INCIDENT_RESOLVED']);
  });

  it('answers NOT_FOUND for an unknown incident and lists incidents newest first', async () => {
    const none = await app.gql(NOTIFY, { input: { incidentId: '00000000-0000-4000-8000-000000000000', text: 'x' } }, ['supervisor']);
    expect(none.errors![0].extensions!.code).toBe('NOT_FOUND');
    const list = await app.gql(`{ incidents(first: 5) { totalCount edges { cursor node { openedAt } } pageInfo { hasNextPage endCursor } } }`, {}, ['agent']);
    expect(list.errors).toBeUndefined();
    const times = list.data!.incidents.edges.map((e: any) => e.node.openedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
