import { PassThrough } from 'node:stream';
import { ConsentPurpose } from '../../src/graphql/enums';
import { exportSegment } from '../../src/segments/segment-export';
import { insertConsentEvents } from '../helpers/consent';
import { unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const SET_BRAND = `mutation($input: BrandChannelInput!) { setBrandChannel(input: $input) {
  id channel handle name monitored businessHours slaTargets { tier responseMinutes } removedAt } }`;
const REMOVE_BRAND = `mutation($id: ID!) { removeBrandChannel(id: $id) { id removedAt } }`;
const BRANDS = `query($all: Boolean) { brandChannels(includeRemoved: $all) { id handle removedAt } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) {
  id slaDueAt actionable status customer { id } conversation { id } brandChannel { id name removedAt } pii { kind masked } } }`;
const SET_HOURS = `mutation($input: BusinessHoursInput!) { setBusinessHours(input: $input) { name } }`;
const SAVE_TEMPLATE = `mutation($input: ResponseTemplateInput!) { saveResponseTemplate(input: $input) {
  id name category channels text version takeOffline } }`;
const SUGGEST = `query($id: ID!, $agent: String) { responseSuggestions(interactionId: $id, agentName: $agent) {
  template { id version takeOffline } text length maxLength fits } }`;
const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id status replies { id templateId templateVersion } } }`;
const QUEUE = `query($skillGroup: String) { careQueue(first: 50, skillGroup: $skillGroup) {
  edges { node { interaction { id } nextStep priority { score reasons { factor contribution detail } } } } } }`;
const METRICS = `query($from: DateTime!, $to: DateTime!) { serviceMetrics(from: $from, to: $to) {
  byBrandChannel { brandChannel { id } count answered unanswered }
  repliesByTemplate { templateId name version replies } } }`;

/** A Twitter handle no other test uses (at most 15 characters). */
const handle = () => `bs${unique()}`;

async function brand(input: Record<string, unknown>) {
  const res = await app.gql(SET_BRAND, { input: { channel: 'TWITTER', handle: `@${handle()}`, name: 'Acme Care', ...input } }, ['supervisor']);
  expect(res.errors).toBeUndefined();
  return res.data!.setBrandChannel;
}

// Posted by an agent: the answer's brand channel and masked PII are for readers (the ingest role
// reads back only what identifies what it wrote, field-access.test.ts).
async function post(input: Record<string, unknown>) {
  const res = await app.gql(RECORD, {
    input: { idempotencyKey: `bs-${unique()}`, platform: 'TWITTER', handle: handle(), channel: 'TWITTER', content: 'My brakes squeal, can you help?', ...input },
  }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.recordInteraction;
}

async function queueItems(skillGroup: string) {
  const res = await app.gql(QUEUE, { skillGroup }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.careQueue.edges.map((e: any) => e.node);
}

describe('brand channels', () => {
  it('normalises the handle like a customer handle and refuses the same channel twice with CONFLICT', async () => {
    const h = handle();
    const created = await brand({ handle: `@${h.toUpperCase()}` });
    expect(created).toMatchObject({ channel: 'TWITTER', handle: h, monitored: true, businessHours: null, slaTargets: [], removedAt: null });
    const again = await app.gql(SET_BRAND, { input: { channel: 'TWITTER', handle: `https://x.com/${h}`, name: 'Twice' } }, ['supervisor']);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'handle' });
    const forum = await brand({ channel: 'FORUM', handle: `https://www.Community.example.com/${h}/`, name: 'Acme community' });
    expect(forum.handle).toBe(`community.example.com/${h}`);
  });

  it('refuses a business-hours calendar that does not exist, and writes nothing', async () => {
    const h = handle();
    const res = await app.gql(SET_BRAND, { input: { channel: 'TWITTER', handle: h, name: 'x', businessHours: `none-${unique()}` } }, ['supervisor']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'businessHours' });
    expect((await app.pool.query(`SELECT 1 FROM brand_channels WHERE handle = $1`, [h])).rowCount).toBe(0);
  });

  it("runs the SLA clock on the brand channel's hours: two open hours from Friday 16:30 New York are due Monday 10:30", async () => {
    const hours = `brand-office-${unique()}`;
    expect((await app.gql(SET_HOURS, {
      input: { name: hours, timeZone: 'America/New_York', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })) },
    }, ['supervisor'])).errors).toBeUndefined();
    const b = await brand({ businessHours: hours, slaTargets: [{ responseMinutes: 120 }] });
    const friday = '2026-01-09T21:30:00.000Z';
    const reached = await post({ occurredAt: friday, brandHandle: `@${b.handle.toUpperCase()}` });
    expect(reached.brandChannel).toMatchObject({ id: b.id, name: 'Acme Care' });
    expect(reached.slaDueAt).toBe('2026-01-12T15:30:00.000Z');
    // The same post without the brand channel runs on the channel's 24x7 target: due before the weekend is over.
    const plain = await post({ occurredAt: friday });
    expect(plain.brandChannel).toBeNull();
    expect(new Date(plain.slaDueAt).getTime()).toBeLessThan(new Date('2026-01-10T23:59:00Z').getTime());
  });

  it('records a post to an unmonitored channel but keeps it out of the queue', async () => {
    const unmonitored = await brand({ monitored: false });
    const monitored = await brand({});
    const skillGroup = `bs-${unique()}`;
    const quiet = await post({ brandChannelId: unmonitored.id, skillGroup });
    const loud = await post({ brandChannelId: monitored.id, skillGroup });
    expect(quiet).toMatchObject({ actionable: false, status: 'OPEN', brandChannel: { id: unmonitored.id } });
    expect(loud.actionable).toBe(true);
    expect((await queueItems(skillGroup)).map((n: any) => n.interaction.id)).toEqual([loud.id]);
  });

  it('refuses a post naming a brand channel on another channel, or a removed one, naming the item', async () => {
    const b = await brand({});
    const other = await app.gql(RECORD, {
      input: { idempotencyKey: `bs-${unique()}`, platform: 'TWITTER', handle: handle(), channel: 'FACEBOOK', content: 'hello', brandChannelId: b.id },
    }, ['ingest']);
    expect(other.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await app.gql(REMOVE_BRAND, { id: b.id }, ['supervisor']);
    const removed = await app.gql(RECORD, {
      input: { idempotencyKey: `bs-${unique()}`, platform: 'TWITTER', handle: handle(), channel: 'TWITTER', content: 'hello', brandChannelId: b.id },
    }, ['ingest']);
    expect(removed.errors?.[0].message).toContain('was removed');
  });

  it('removing a channel keeps its history: old posts keep it, it may be registered anew, metrics still count it', async () => {
    const b = await brand({});
    const before = await post({ brandHandle: b.handle });
    const removed = await app.gql(REMOVE_BRAND, { id: b.id }, ['supervisor']);
    expect(removed.data!.removeBrandChannel.removedAt).not.toBeNull();
    const live = (await app.gql(BRANDS, {}, ['agent'])).data!.brandChannels.map((x: any) => x.id);
    const all = (await app.gql(BRANDS, { all: true }, ['agent'])).data!.brandChannels.map((x: any) => x.id);
    expect(live).not.toContain(b.id);
    expect(all).toContain(b.id);
    const read = await app.gql(`query($id: ID!) { customer(id: $id) { interactions(first: 5) { edges { node { id brandChannel { id removedAt } } } } } }`,
      { id: before.customer.id }, ['agent']);
    expect(read.data!.customer.interactions.edges.map((e: any) => e.node)).toEqual([
      { id: before.id, brandChannel: { id: b.id, removedAt: expect.any(String) } },
    ]);
    // A post to the removed handle reaches no brand channel; the handle may be registered again.
    expect((await post({ brandHandle: b.handle })).brandChannel).toBeNull();
    const anew = await brand({ handle: b.handle });
    expect(anew.id).not.toBe(b.id);
    const metrics = await app.gql(METRICS, { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, ['supervisor']);
    expect(metrics.errors).toBeUndefined();
    expect(metrics.data!.serviceMetrics.byBrandChannel.find((m: any) => m.brandChannel.id === b.id)).toEqual({
      brandChannel: { id: b.id }, count: 1, answered: 0, unanswered: 1,
    });
  });
});

describe('response library', () => {
  it('refuses an unknown placeholder when the template is saved', async () => {
    const res = await app.gql(SAVE_TEMPLATE, { input: { name: `bad-${unique()}`, text: 'Hi {firstName}, your {orderTotal} is on its way' } }, ['supervisor']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text', placeholders: ['orderTotal'] });
  });

  it('renders the fitting templates for the customer, with length, limit and whether each fits', async () => {
    const b = await brand({ name: 'Acme Cares' });
    const short = (await app.gql(SAVE_TEMPLATE, { input: {
      name: `sorry-${unique()}`, category: 'COMPLAINT', channels: ['TWITTER'], text: 'Sorry {firstName}! {agentName} at {brandName} here, case {caseNumber}.',
    } }, ['supervisor'])).data!.saveResponseTemplate;
    const long = (await app.gql(SAVE_TEMPLATE, { input: {
      name: `letter-${unique()}`, category: 'COMPLAINT', text: `Dear {fullName}, ${'we value you. '.repeat(20)}`,
    } }, ['supervisor'])).data!.saveResponseTemplate;
    const elsewhere = (await app.gql(SAVE_TEMPLATE, { input: {
      name: `fb-${unique()}`, category: 'COMPLAINT', channels: ['FACEBOOK'], text: 'Facebook only',
    } }, ['supervisor'])).data!.saveResponseTemplate;
    const i = await post({ displayName: 'Chad Schaeffer', category: 'COMPLAINT', brandChannelId: b.id });
    const res = await app.gql(SUGGEST, { id: i.id, agent: 'Dana' }, ['agent']);
    expect(res.errors).toBeUndefined();
    const mine = res.data!.responseSuggestions.filter((s: any) => [short.id, long.id, elsewhere.id].includes(s.template.id));
    const text = `Sorry Chad! Dana at Acme Cares here, case ${i.id.slice(0, 8).toUpperCase()}.`;
    expect(mine).toEqual([
      { template: { id: short.id, version: 1, takeOffline: false }, text, length: text.length, maxLength: 280, fits: true },
      { template: { id: long.id, version: 1, takeOffline: false }, text: expect.stringMatching(/^Dear Chad Schaeffer, we value you/), length: 300, maxLength: 280, fits: false },
    ]);
  });

  it('refuses a reply longer than the channel limit, naming limit and length, and writes nothing', async () => {
    const i = await post({});
    const content = 'x'.repeat(281);
    const res = await app.gql(RESPOND, { input: { interactionId: i.id, content } }, ['agent']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'content', limit: 280, length: 281 });
    expect(res.errors?.[0].message).toBe('the reply is 281 characters; TWITTER takes at most 280');
    const { rows } = await app.pool.query(
      `SELECT (SELECT count(*)::int FROM interactions WHERE conversation_id = $2) AS n,
              (SELECT status FROM interactions WHERE id = $1) AS status,
              (SELECT count(*)::int FROM interaction_history WHERE interaction_id = $1) AS history`,
      [i.id, i.conversation.id]);
    expect(rows[0]).toEqual({ n: 1, status: 'OPEN', history: 0 });
    expect((await app.gql(RESPOND, { input: { interactionId: i.id, content: 'x'.repeat(280) } }, ['agent'])).errors).toBeUndefined();
  });

  it('takes a changed length limit, stored', async () => {
    const set = await app.gql(`mutation { setChannelLengthLimit(channel: LETTER, maxLength: 40) { channel maxLength } }`, {}, ['supervisor']);
    try {
      expect(set.data!.setChannelLengthLimit).toEqual({ channel: 'LETTER', maxLength: 40 });
      const i = await post({ channel: 'LETTER', platform: null, handle: null, email: `bs.${unique()}@example.com` });
      const res = await app.gql(RESPOND, { input: { interactionId: i.id, content: 'y'.repeat(41) } }, ['agent']);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 40, length: 41 });
    } finally {
      await app.gql(`mutation { setChannelLengthLimit(channel: LETTER, maxLength: 10000) { maxLength } }`, {}, ['supervisor']);
    }
  });

  it('versions templates: a reply records the version it came from, and metrics count replies per template version', async () => {
    const name = `thanks-${unique()}`;
    const v1 = (await app.gql(SAVE_TEMPLATE, { input: { name, category: 'COMPLIMENT', text: 'Thanks {firstName}!' } }, ['supervisor'])).data!.saveResponseTemplate;
    const v2 = (await app.gql(SAVE_TEMPLATE, { input: { id: v1.id, name, category: 'COMPLIMENT', text: 'Thank you, {firstName}!' } }, ['supervisor'])).data!.saveResponseTemplate;
    expect([v1.version, v2.version, v2.id]).toEqual([1, 2, v1.id]);
    const a = await post({ content: 'Love the new car', category: 'COMPLIMENT' });
    const b = await post({ content: 'Great service', category: 'COMPLIMENT' });
    const ra = await app.gql(RESPOND, { input: { interactionId: a.id, content: 'Thanks!', templateId: v1.id, templateVersion: 1 } }, ['agent']);
    const rb = await app.gql(RESPOND, { input: { interactionId: b.id, content: 'Thank you!', templateId: v1.id } }, ['agent']);
    expect(ra.data!.respondToInteraction.replies).toEqual([{ id: expect.any(String), templateId: v1.id, templateVersion: 1 }]);
    expect(rb.data!.respondToInteraction.replies).toEqual([{ id: expect.any(String), templateId: v1.id, templateVersion: 2 }]);
    const unknown = await app.gql(RESPOND, { input: { interactionId: b.id, content: 'Again', templateId: v1.id, templateVersion: 9 } }, ['agent']);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'templateVersion' });
    const metrics = await app.gql(METRICS, { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, ['supervisor']);
    expect(metrics.data!.serviceMetrics.repliesByTemplate.filter((r: any) => r.templateId === v1.id)).toEqual([
      { templateId: v1.id, name, version: 1, replies: 1 },
      { templateId: v1.id, name, version: 2, replies: 1 },
    ]);
  });
});

describe('private data in public posts', () => {
  it('finds and masks each kind, and never stores the full value with the findings', async () => {
    const i = await post({
      content: 'Charged twice on 4111 1111 1111 1111! Mail jane.doe@example.com or call (313) 555-0142. '
        + 'Account number 88234412, I live at 221B Baker Street.',
    });
    expect(i.pii).toEqual([
      { kind: 'CARD_NUMBER', masked: '**** **** **** 1111' },
      { kind: 'EMAIL', masked: 'j***@e******.com' },
      { kind: 'PHONE', masked: '+1******0142' },
      { kind: 'ACCOUNT_NUMBER', masked: '*****412' },
      { kind: 'POSTAL_ADDRESS', masked: '2*** B**** S*****' },
    ]);
    const { rows } = await app.pool.query(`SELECT pii::text AS pii FROM interactions WHERE id = $1`, [i.id]);
    for (const full of ['4111 1111 1111 1111', 'jane.doe', '555-0142', '88234412', 'Baker']) expect(rows[0].pii).not.toContain(full);
  });

  it('drops the findings when the customer is erased', async () => {
    const i = await post({ content: 'card 4111 1111 1111 1111' });
    expect((await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: i.customer.id }, ['admin'])).errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT content, pii FROM interactions WHERE id = $1`, [i.id]);
    expect(rows[0]).toEqual({ content: '[erased]', pii: [] });
  });

  it('does not take a 16-digit number that fails the Luhn check for a card', async () => {
    const i = await post({ content: 'Ticket reference 4111 1111 1111 1112 is still open' });
    expect(i.pii.filter((f: any) => f.kind === 'CARD_NUMBER')).toEqual([]);
  });

  it('scans public posts only, and links nothing it finds to the customer', async () => {
    const email = `found.${unique()}@example.com`;
    const hidden = await post({ content: `my card is 4111111111111111, mail ${email}`, isPublic: false });
    expect(hidden.pii).toEqual([]);
    const shown = await post({ content: `reach me at ${email}` });
    expect(shown.pii).toEqual([{ kind: 'EMAIL', masked: expect.stringMatching(/^f\*\*\*@/) }]);
    const c = await app.gql(`query($id: ID!) { customer(id: $id) { emails { value } phones { value } } }`, { id: shown.customer.id }, ['agent']);
    expect(c.data!.customer).toEqual({ emails: [], phones: [] });
    const lookup = await app.gql(`query($email: String) { lookupCustomer(email: $email) { id } }`, { email }, ['agent']);
    expect(lookup.data!.lookupCustomer).toBeNull();
  });

  it('says so in the queue, suggests taking the conversation offline, and puts the take-offline template first', async () => {
    const offline = (await app.gql(SAVE_TEMPLATE, { input: {
      name: `offline-${unique()}`, channels: ['TWITTER'], takeOffline: true, text: 'Please do not share card details here, {firstName}: DM us and we will call you.',
    } }, ['supervisor'])).data!.saveResponseTemplate;
    const answer = (await app.gql(SAVE_TEMPLATE, { input: {
      name: `answer-${unique()}`, category: 'COMPLAINT', channels: ['TWITTER'], text: 'Sorry about that, {firstName}.',
    } }, ['supervisor'])).data!.saveResponseTemplate;
    const skillGroup = `bs-${unique()}`;
    // A topic of its own: an incident another test file left open on a classified topic (billing)
    // would group these posts behind its stand-in and take them out of the queue.
    const topics = [`bs${unique()}`];
    const card = await post({ content: 'You charged my card 4111 1111 1111 1111 twice!', category: 'COMPLAINT', skillGroup, displayName: 'Pat Lee', topics });
    const clean = await post({ content: 'You charged me twice!', category: 'COMPLAINT', skillGroup, topics });
    const items = await queueItems(skillGroup);
    const cardItem = items.find((n: any) => n.interaction.id === card.id);
    expect(cardItem.nextStep).toBe('TAKE_OFFLINE');
    expect(cardItem.priority.reasons).toContainEqual({
      factor: 'privateData', contribution: 0,
      detail: 'the public post shows private data (CARD_NUMBER **** **** **** 1111): take the conversation offline',
    });
    expect(items.find((n: any) => n.interaction.id === clean.id).nextStep).toBe('RESPOND');

    const ids = (res: any) => res.data!.responseSuggestions.map((s: any) => s.template.id).filter((id: string) => [offline.id, answer.id].includes(id));
    const forCard = await app.gql(SUGGEST, { id: card.id }, ['agent']);
    expect(forCard.data!.responseSuggestions[0]).toMatchObject({
      template: { id: offline.id, takeOffline: true }, text: 'Please do not share card details here, Pat: DM us and we will call you.', fits: true,
    });
    expect(ids(forCard)).toEqual([offline.id, answer.id]);
    expect(ids(await app.gql(SUGGEST, { id: clean.id }, ['agent']))).toEqual([answer.id, offline.id]);
  });

  it('never gives marketing the content of a post with findings', async () => {
    const country = `B${unique()}`.toUpperCase();
    const topic = `pii${unique()}`;
    const content = `Refund to 4111 1111 1111 1111 please, I love the car #${topic}`;
    const i = await post({ content, topics: [topic] });
    const customerId = i.customer.id;
    await app.pool.query(`UPDATE customers SET country = $2 WHERE id = $1`, [customerId, country]);
    const { rows: [identity] } = await app.pool.query(`SELECT id FROM social_identities WHERE customer_id = $1`, [customerId]);
    await insertConsentEvents(app.pool, [{ identityId: identity.id, status: 'GRANTED' }]);
    const SEGMENT = `query($filter: SegmentFilter!) { segment(filter: $filter) { totalCount edges { node {
      customer { id displayName tier } identities { handle } emails { value } } } } }`;

    const page = await app.gql(SEGMENT, { filter: { country } }, ['marketing']);
    expect(page.data!.segment.totalCount).toBe(1);
    const out = new PassThrough();
    let exported = '';
    out.on('data', (chunk) => (exported += chunk));
    await exportSegment(app.pool, out, { filter: { country }, purpose: ConsentPurpose.MARKETING });
    expect(JSON.parse(exported.trim()).customerId).toBe(customerId);
    for (const read of [JSON.stringify(page.data), exported]) {
      expect(read).not.toContain('4111');
      expect(read).not.toContain('Refund');
    }
    // Its topics came from its content: the post is not used to target either.
    const byTopic = await app.gql(SEGMENT, { filter: { country, topics: [topic] } }, ['marketing']);
    expect(byTopic.data!.segment.totalCount).toBe(0);
    const interactions = await app.gql(`query($filter: SegmentFilter!) { segment(filter: $filter) { edges { node {
      customer { interactions(first: 5) { edges { node { content } } } } } } } }`, { filter: { country } }, ['marketing']);
    expect(interactions.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(interactions.data ?? {})).not.toContain('4111');
  });
});
