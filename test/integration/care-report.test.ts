import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { createCustomer } from '../helpers/factory';

// A database of its own: the reports count every interaction in their range, so the rows here are all there is.
let app: TestApp;
let scratch: { url: string; drop(): Promise<void> };

const SLA = `query($from: DateTime!, $to: DateTime!, $groupBy: SlaGrouping) { slaReport(from: $from, to: $to, groupBy: $groupBy) {
  key items withinTarget attainment bands { label upToMinutes count } } }`;
const AGENTS = `query($from: DateTime!, $to: DateTime!) { agentMetrics(from: $from, to: $to) {
  agentId handled customersHelped medianResponseSeconds firstContactResolutionRate slaAttainment } }`;
const MAP = `query($from: DateTime!, $to: DateTime!) { conversationMap(from: $from, to: $to) {
  channel byCategory { category count } averageSentiment negativeShare } }`;

/** The week the items arrive in (Monday 3 March 2025 to Saturday), and a range that also holds the Monday after. */
const WEEK = { from: '2025-03-03T00:00:00Z', to: '2025-03-08T00:00:00Z' };
const TEN_DAYS = { from: '2025-03-03T00:00:00Z', to: '2025-03-11T00:00:00Z' };

interface Item {
  customerId?: string;
  tier?: string;
  channel: string;
  at: string;
  due: string;
  category: string;
  sentiment: number;
  /** [agent, at] in order; the first one sets respondedAt. */
  replies?: [string, string][];
  resolvedAt?: string;
  brandChannelId?: string;
}

/** One inbound item as the desk leaves it: due time, answers (outbound replies by their agents), resolution. */
async function item(spec: Item): Promise<{ id: string; customerId: string; conversationId: string }> {
  let customerId = spec.customerId;
  if (!customerId) customerId = (await createCustomer(app.pool, { tier: spec.tier ?? 'NONE' })).id;
  const { rows: [conv] } = await app.pool.query(
    `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
     VALUES ($1, $2, $2, ARRAY[$2], $3, $3) RETURNING id`, [customerId, spec.channel, spec.at]);
  const { rows: [row] } = await app.pool.query(
    `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, sentiment, sla_due_at,
                               responded_at, resolved_at, status, brand_channel_id)
     VALUES ($1, $2, $3, 'INBOUND', $4, 'a post', $5, $6, $7, $8, $9, CASE WHEN $9::timestamptz IS NOT NULL THEN 'RESOLVED' WHEN $8::timestamptz IS NOT NULL THEN 'RESPONDED' ELSE 'OPEN' END, $10)
     RETURNING id`,
    [customerId, conv.id, spec.channel, spec.at, spec.category, spec.sentiment, spec.due, spec.replies?.[0]?.[1] ?? null, spec.resolvedAt ?? null, spec.brandChannelId ?? null]);
  for (const [agent, at] of spec.replies ?? []) {
    await app.pool.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, in_reply_to_id, created_by, status)
       VALUES ($1, $2, $3, 'OUTBOUND', $4, 'an answer', $5, $6, $7, 'RESPONDED')`,
      [customerId, conv.id, spec.channel, at, spec.category, row.id, agent]);
  }
  return { id: row.id, customerId, conversationId: conv.id };
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
  app = await startTestApp({ url: scratch.url });
  // Email's target here: 2 hours in the office calendar (Monday-Friday 9-5 New York).
  await app.pool.query(`UPDATE care_sla_targets SET response_minutes = 120, business_hours = 'office' WHERE channel = 'EMAIL' AND tier IS NULL`);
  const { rows: [brand] } = await app.pool.query(
    `INSERT INTO brand_channels (channel, handle, name, updated_by) VALUES ('TWITTER', 'acmecare', 'Acme Care', 'test') RETURNING id`);
  const gold = (await createCustomer(app.pool, { tier: 'GOLD' })).id;
  // Twitter: 60 minutes, around the clock.
  // T1: 30 min, in time, resolved with its one reply: first contact.
  await item({ customerId: gold, channel: 'TWITTER', at: '2025-03-03T10:00:00Z', due: '2025-03-03T11:00:00Z', category: 'COMPLAINT', sentiment: -1,
    replies: [['alice', '2025-03-03T10:30:00Z']], resolvedAt: '2025-03-03T10:30:00Z', brandChannelId: brand.id });
  // T2: the same customer, 2 h, late, not resolved.
  await item({ customerId: gold, channel: 'TWITTER', at: '2025-03-03T11:00:00Z', due: '2025-03-03T12:00:00Z', category: 'COMPLAINT', sentiment: -0.5,
    replies: [['alice', '2025-03-03T13:00:00Z']] });
  // T3: 10 h, late, resolved with one reply but the customer wrote again 4 days later: reopened.
  const t3 = await item({ channel: 'TWITTER', at: '2025-03-04T09:00:00Z', due: '2025-03-04T10:00:00Z', category: 'QUESTION', sentiment: 0,
    replies: [['bob', '2025-03-04T19:00:00Z']], resolvedAt: '2025-03-04T19:00:00Z' });
  await app.pool.query(
    `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category)
     VALUES ($1, $2, 'TWITTER', 'INBOUND', '2025-03-08T10:00:00Z', 'still broken', 'COMPLAINT')`, [t3.customerId, t3.conversationId]);
  // T4: never answered.
  await item({ channel: 'TWITTER', at: '2025-03-04T12:00:00Z', due: '2025-03-04T13:00:00Z', category: 'COMPLAINT', sentiment: -1 });
  // Kept out of the queue by a filter rule: not an item of the SLA report (but said on the conversation map).
  const other = await item({ channel: 'TWITTER', at: '2025-03-04T13:00:00Z', due: '2025-03-04T14:00:00Z', category: 'OTHER', sentiment: 0 });
  await app.pool.query(`UPDATE interactions SET actionable = false WHERE id = $1`, [other.id]);
  // T5: 26 h, late; two replies (bob first, then alice), resolved: not first contact.
  await item({ channel: 'TWITTER', at: '2025-03-05T08:00:00Z', due: '2025-03-05T09:00:00Z', category: 'COMPLIMENT', sentiment: 1,
    replies: [['bob', '2025-03-06T10:00:00Z'], ['alice', '2025-03-06T11:00:00Z']], resolvedAt: '2025-03-06T11:00:00Z' });
  // E1: Friday 16:30 New York (EST), answered Monday 9:45 New York (EDT): 30 + 45 = 75 business minutes (65 h on the wall clock).
  // Due: 30 minutes on Friday + 90 from Monday 9:00 = Monday 10:30 EDT.
  await item({ channel: 'EMAIL', at: '2025-03-07T21:30:00Z', due: '2025-03-10T14:30:00Z', category: 'QUESTION', sentiment: 0.5,
    replies: [['alice', '2025-03-10T13:45:00Z']] });
}, 120_000);
afterAll(async () => {
  await app.close();
  await scratch.drop();
});

const bands = (under1: number, under3: number, under24: number, more: number, unanswered: number) => [
  { label: 'under 1 h', upToMinutes: 60, count: under1 },
  { label: 'under 3 h', upToMinutes: 180, count: under3 },
  { label: 'under 24 h', upToMinutes: 1440, count: under24 },
  { label: '24 h or more', upToMinutes: null, count: more },
  { label: 'unanswered', upToMinutes: null, count: unanswered },
];

describe('slaReport', () => {
  it('by channel: items, within target, attainment and the bands, email measured in its business hours', async () => {
    const res = await app.gql(SLA, WEEK, ['supervisor']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.slaReport).toEqual([
      { key: 'EMAIL', items: 1, withinTarget: 1, attainment: 1, bands: bands(0, 1, 0, 0, 0) },
      { key: 'TWITTER', items: 5, withinTarget: 1, attainment: 0.2, bands: bands(1, 1, 1, 1, 1) },
    ]);
  });

  it('by tier, by agent (the first replier) and by brand channel', async () => {
    const by = async (groupBy: string) => (await app.gql(SLA, { ...WEEK, groupBy }, ['supervisor'])).data!.slaReport
      .map((r: any) => [r.key, r.items, r.withinTarget]);
    expect(await by('TIER')).toEqual([['GOLD', 2, 1], ['NONE', 4, 1]]);
    expect(await by('AGENT')).toEqual([['alice', 3, 2], ['bob', 2, 0], ['unassigned', 1, 0]]);
    expect(await by('BRAND_CHANNEL')).toEqual([['TWITTER:acmecare', 1, 1], ['none', 5, 1]]);
  });

  it('refuses from after to with BAD_USER_INPUT, and marketing with FORBIDDEN', async () => {
    const res = await app.gql(SLA, { from: WEEK.to, to: WEEK.from }, ['supervisor']);
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(SLA, WEEK, ['marketing'])).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('agentMetrics', () => {
  it('per agent: handled, customers, median response in business time, first-contact resolution and attainment', async () => {
    const res = await app.gql(AGENTS, TEN_DAYS, ['supervisor']);
    expect(res.errors).toBeUndefined();
    const [alice, bob] = res.data!.agentMetrics;
    // alice: T1 (1,800 s), T2 (7,200 s), E1 (4,500 business seconds); T1 and T2 are one customer; only T1 is first contact; T1 and E1 in time.
    expect(alice).toEqual({ agentId: 'alice', handled: 3, customersHelped: 2, medianResponseSeconds: 4500, firstContactResolutionRate: 1 / 3, slaAttainment: 2 / 3 });
    // bob: T3 (36,000 s, reopened) and T5 (93,600 s, two replies).
    expect(bob).toEqual({ agentId: 'bob', handled: 2, customersHelped: 2, medianResponseSeconds: 64800, firstContactResolutionRate: 0, slaAttainment: 0 });
    expect(res.data!.agentMetrics).toHaveLength(2);
  });

  it('refuses an agent with FORBIDDEN and an empty range with BAD_USER_INPUT', async () => {
    expect((await app.gql(AGENTS, TEN_DAYS, ['agent'])).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(AGENTS, { from: WEEK.from, to: WEEK.from }, ['supervisor'])).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('conversationMap', () => {
  it('per channel: counts by category, average sentiment and negative share, for marketing too', async () => {
    const res = await app.gql(MAP, WEEK, ['marketing']);
    expect(res.errors).toBeUndefined();
    const [email, twitter] = res.data!.conversationMap;
    expect(email).toEqual({ channel: 'EMAIL', byCategory: [{ category: 'QUESTION', count: 1 }], averageSentiment: 0.5, negativeShare: 0 });
    expect(twitter.byCategory).toEqual([
      { category: 'COMPLAINT', count: 3 }, { category: 'COMPLIMENT', count: 1 }, { category: 'OTHER', count: 1 }, { category: 'QUESTION', count: 1 },
    ]);
    // (-1 - 0.5 + 0 - 1 + 0 + 1) / 6 and 3 of 6 below 0.
    expect(twitter.averageSentiment).toBeCloseTo(-0.25, 6);
    expect(twitter.negativeShare).toBe(0.5);
  });
});

describe('the labels filter of slaReport and agentMetrics', () => {
  const APRIL = { from: '2025-04-07T00:00:00Z', to: '2025-04-12T00:00:00Z' };
  const SLA_LABELS = `query($from: DateTime!, $to: DateTime!, $labels: [String!]) { slaReport(from: $from, to: $to, labels: $labels) { key items withinTarget } }`;
  const AGENTS_LABELS = `query($from: DateTime!, $to: DateTime!, $labels: [String!]) { agentMetrics(from: $from, to: $to, labels: $labels) { agentId handled } }`;

  it('counts only the items whose conversation carries every label given (normalised as setConversationLabels stores them)', async () => {
    const vip = await item({ channel: 'TWITTER', at: '2025-04-07T10:00:00Z', due: '2025-04-07T11:00:00Z', category: 'COMPLAINT', sentiment: -1,
      replies: [['carol', '2025-04-07T10:20:00Z']] });
    await item({ channel: 'TWITTER', at: '2025-04-07T12:00:00Z', due: '2025-04-07T13:00:00Z', category: 'COMPLAINT', sentiment: -1,
      replies: [['dave', '2025-04-07T15:00:00Z']] });
    const labelled = await app.gql(`mutation($id: ID!) { setConversationLabels(conversationId: $id, labels: ["VIP", "refund"]) { labels } }`,
      { id: vip.conversationId }, ['agent']);
    expect(labelled.errors).toBeUndefined();

    const all = await app.gql(SLA_LABELS, APRIL, ['supervisor']);
    expect(all.data!.slaReport).toEqual([{ key: 'TWITTER', items: 2, withinTarget: 1 }]);
    const onlyVip = await app.gql(SLA_LABELS, { ...APRIL, labels: [' vip '] }, ['supervisor']);
    expect(onlyVip.data!.slaReport).toEqual([{ key: 'TWITTER', items: 1, withinTarget: 1 }]);
    expect((await app.gql(SLA_LABELS, { ...APRIL, labels: ['vip', 'legal'] }, ['supervisor'])).data!.slaReport).toEqual([]);

    expect((await app.gql(AGENTS_LABELS, APRIL, ['supervisor'])).data!.agentMetrics.map((a: { agentId: string }) => a.agentId)).toEqual(['carol', 'dave']);
    expect((await app.gql(AGENTS_LABELS, { ...APRIL, labels: ['VIP'] }, ['supervisor'])).data!.agentMetrics).toEqual([{ agentId: 'carol', handled: 1 }]);
  });

  it('refuses a blank label with BAD_USER_INPUT', async () => {
    const res = await app.gql(SLA_LABELS, { ...APRIL, labels: ['  '] }, ['supervisor']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
