import type { Pool } from 'pg';
import { InteractionCategory, Tier } from '../../src/graphql/enums';
import { DEFAULT_PRIORITY_WEIGHTS, interactionPriority } from '../../src/influence/priority';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface OpenItem {
  channel?: string;
  category?: string;
  sentiment?: number | null;
  topics?: string[];
  content?: string;
  dueInMinutes?: number;
  lane?: string;
  direction?: string;
  actionable?: boolean;
}

/** Writes an interaction the way any ingestion code would: a plain INSERT; the trigger ranks it. */
async function openItem(pool: Pool, customerId: string, skillGroup: string, spec: OpenItem = {}): Promise<string> {
  const channel = spec.channel ?? 'TWITTER';
  const { rows: conv } = await pool.query(
    `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
     VALUES ($1, $2, $2, ARRAY[$2], now(), now()) RETURNING id`,
    [customerId, channel],
  );
  const { rows } = await pool.query(
    `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, sentiment,
                               topics, lane, skill_group, sla_due_at, actionable)
     VALUES ($1, $2, $3, $4, now() - interval '10 minutes', $5, $6, $7, $8, $9, $10, now() + make_interval(mins => $11), $12)
     RETURNING id`,
    [customerId, conv[0].id, channel, spec.direction ?? 'INBOUND', spec.content ?? 'hello', spec.category ?? 'QUESTION',
      spec.sentiment ?? null, spec.topics ?? [], spec.lane ?? 'CUSTOMER_SERVICE', skillGroup, spec.dueInMinutes ?? 60,
      spec.actionable ?? true],
  );
  return rows[0].id;
}

const QUEUE = `query Q($first: Int, $after: String, $skillGroup: String, $lane: SwimLane, $channel: Channel) {
  careQueue(first: $first, after: $after, skillGroup: $skillGroup, lane: $lane, channel: $channel) {
    totalCount
    edges { cursor node { interaction { id content customer { id tier } } priority { score reasons { factor contribution detail } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function queue(skillGroup: string, extra: Record<string, unknown> = {}, roles: any[] = ['agent']) {
  const res = await app.gql(QUEUE, { skillGroup, first: 50, ...extra }, roles);
  expect(res.errors).toBeUndefined();
  return res.data!.careQueue;
}
const contents = (page: any) => page.edges.map((e: any) => e.node.interaction.content);

describe('care queue', () => {
  it('lists open inbound items highest priority first, with reasons that add up to each score', async () => {
    const group = `g-${unique()}`;
    const platinum = await createCustomer(app.pool, { tier: 'PLATINUM' });
    const bronze = await createCustomer(app.pool, { tier: 'BRONZE' });
    const influential = await createCustomer(app.pool, { tier: 'BRONZE', influence: [{ score: 9, measuredAt: new Date() }], profiling: true });
    const silver = await createCustomer(app.pool, { tier: 'SILVER' });
    await openItem(app.pool, bronze.id, group, { category: 'COMPLIMENT', content: 'bronze compliment', sentiment: 0.9, dueInMinutes: 30 });
    await openItem(app.pool, silver.id, group, { category: 'COMPLAINT', content: 'quiet silver complaint', dueInMinutes: 30 });
    await openItem(app.pool, platinum.id, group, { category: 'COMPLAINT', content: 'platinum complaint near breach', dueInMinutes: 5 });
    await openItem(app.pool, influential.id, group, { category: 'COMPLAINT', content: 'influential bronze complaint', dueInMinutes: 30 });
    await openItem(app.pool, silver.id, group, { direction: 'OUTBOUND', content: 'our reply is not in the queue' });

    const page = await queue(group);
    expect(contents(page)).toEqual([
      'platinum complaint near breach', 'influential bronze complaint', 'quiet silver complaint', 'bronze compliment',
    ]);
    expect(page.totalCount).toBe(4);
    for (const edge of page.edges) {
      const { score, reasons } = edge.node.priority;
      expect(reasons.reduce((s: number, r: any) => s + r.contribution, 0)).toBeCloseTo(score, 6);
    }
    const scores = page.edges.map((e: any) => e.node.priority.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('pages with cursors without skipping or repeating, ties broken by id', async () => {
    const group = `g-${unique()}`;
    const c = await createCustomer(app.pool, { tier: 'GOLD' });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await openItem(app.pool, c.id, group, { content: `same ${n}`, dueInMinutes: 45 }));
    await app.pool.query(`UPDATE interactions SET sla_due_at = $2 WHERE id = ANY($1::uuid[])`, [ids, new Date(Date.now() + 3_600_000)]);
    const all = await queue(group);
    expect(all.edges.map((e: any) => e.node.interaction.id)).toEqual([...ids].sort());

    const seen: string[] = [];
    let after: string | null = null;
    for (let pageNo = 0; pageNo < 3; pageNo++) {
      const page: any = await queue(group, { first: 2, after });
      seen.push(...page.edges.map((e: any) => e.node.interaction.id));
      expect(page.pageInfo.hasNextPage).toBe(pageNo < 2);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].sort());
  });

  it('leaves out mentions the filter rules marked non-actionable', async () => {
    const group = `g-${unique()}`;
    const c = await createCustomer(app.pool);
    await openItem(app.pool, c.id, group, { content: 'just mentioning the brand', category: 'OTHER', actionable: false });
    await openItem(app.pool, c.id, group, { content: 'my order is late', category: 'COMPLAINT' });
    const page = await queue(group);
    expect(contents(page)).toEqual(['my order is late']);
    expect(page.totalCount).toBe(1);
  });

  it('filters by lane and channel, and drops an item once it is responded to', async () => {
    const group = `g-${unique()}`;
    const c = await createCustomer(app.pool, { tier: 'NONE' });
    await openItem(app.pool, c.id, group, { content: 'marketing on facebook', lane: 'MARKETING_PR', channel: 'FACEBOOK' });
    const answered = await openItem(app.pool, c.id, group, { content: 'service on twitter' });
    expect(contents(await queue(group, { lane: 'MARKETING_PR' }))).toEqual(['marketing on facebook']);
    expect(contents(await queue(group, { channel: 'TWITTER' }))).toEqual(['service on twitter']);
    await app.pool.query(`UPDATE interactions SET status = 'RESPONDED', responded_at = now() WHERE id = $1`, [answered]);
    expect(contents(await queue(group))).toEqual(['marketing on facebook']);
  });

  it('stores the same static priority as the TypeScript formula, topic-aware influence included', async () => {
    const group = `g-${unique()}`;
    const c = await createCustomer(app.pool, {
      tier: 'GOLD',
      profiling: true,
      influence: [{ score: 4, measuredAt: new Date() }, { score: 8.5, topic: 'mileage', measuredAt: new Date() }],
    });
    const specs: OpenItem[] = [
      { category: 'COMPLAINT', sentiment: -0.7, topics: ['mileage'], content: 'I will cancel if this goes on' },
      { category: 'QUESTION', sentiment: 0.3, topics: ['warranty'] },
      { category: 'SALES_LEAD', topics: ['churn'] },
    ];
    for (const spec of specs) await openItem(app.pool, c.id, group, spec);
    const { rows } = await app.pool.query(
      `SELECT priority_base AS base, category, sentiment::numeric::float8 AS sentiment, content, topics, sla_due_at AS "slaDueAt",
              occurred_at AS "occurredAt" FROM interactions WHERE skill_group = $1`,
      [group],
    );
    for (const r of rows) {
      const influence = r.topics.includes('mileage') ? { score: 8.5, topic: 'mileage' } : { score: 4, topic: null };
      const p = interactionPriority({ ...r, tier: Tier.GOLD, category: r.category as InteractionCategory, influence }, DEFAULT_PRIORITY_WEIGHTS, new Date());
      expect(r.base).toBeCloseTo(p.base, 9);
    }
    const page = await queue(group);
    const topicReason = page.edges.flatMap((e: any) => e.node.priority.reasons).find((r: any) => r.factor === 'influence' && r.detail.includes('mileage'));
    expect(topicReason.contribution).toBeCloseTo(8.5 * 5);
  });

  it('ranks bulk-ingested items exactly as the row trigger ranks any other write', async () => {
    const tag = unique();
    const scored = await createCustomer(app.pool, {
      tier: 'GOLD',
      profiling: true,
      influence: [{ score: 4, measuredAt: new Date() }, { score: 8.5, topic: 'mileage', measuredAt: new Date() }],
    });
    const plain = await createCustomer(app.pool, { tier: 'SILVER' });
    // E-mail is private: no re-scoring, so the values read back are the ones the INSERT computed.
    const inputs = [
      { customerId: scored.id, category: 'COMPLAINT', sentiment: -0.7, topics: ['mileage'], content: 'I will cancel if this goes on' },
      { customerId: scored.id, category: 'QUESTION', sentiment: 0.3, topics: ['warranty'], content: 'is this covered?' },
      { customerId: plain.id, category: 'SALES_LEAD', topics: ['churn'], content: 'what does the lease cost?' },
      { customerId: plain.id, content: 'thinking of leaving, switching to another brand' },
    ].map((input, n) => ({ idempotencyKey: `rank-${tag}-${n}`, channel: 'EMAIL', ...input }));
    const res = await app.gql(`mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, { inputs }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const ids = res.data!.recordInteractions.map((i: any) => i.id);
    const stored = await app.pool.query(`SELECT id, status, priority_base AS base, queue_key AS key FROM interactions WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids]);
    expect(stored.rows.filter((r) => r.status === 'OPEN' && r.base !== null)).toHaveLength(3);
    const recomputed = await app.pool.query(
      `UPDATE interactions SET status = status WHERE id = ANY($1::uuid[]) RETURNING id, status, priority_base AS base, queue_key AS key`, [ids],
    );
    const byId = new Map(recomputed.rows.map((r) => [r.id, r]));
    for (const r of stored.rows) {
      expect(r.base === null).toBe(byId.get(r.id).base === null);
      if (r.base !== null) {
        expect(r.base).toBeCloseTo(byId.get(r.id).base, 9);
        expect(r.key).toBeCloseTo(byId.get(r.id).key, 6);
      }
    }
  });

  it('ranks bulk-ingested public posts with the scores the same call computes from them', async () => {
    // With PROFILING consent the call re-scores its customers before storing its posts: each
    // post must be stored with the rank the new scores give, as the row trigger would now compute.
    const tag = unique();
    const handle = `rank${tag}`.toLowerCase();
    const c = await createCustomer(app.pool, { tier: 'SILVER', handles: [{ platform: 'TWITTER', handle, followerCount: 40_000 }] });
    await app.pool.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
       VALUES ($1, $2, 'PROFILING', 'GRANTED', now() - interval '1 minute', 'SOCIAL_MESSAGE', 'test')`,
      [c.id, c.socialIdentityIds[0]],
    );
    const old = await openItem(app.pool, c.id, `g-${tag}`, { topics: ['mileage'] });
    const inputs = ['#mileage is poor on the highway?', 'my #warranty claim is stuck', 'thanks for the help'].map((content, n) => ({
      idempotencyKey: `rank-scored-${tag}-${n}`, platform: 'TWITTER', handle, channel: 'TWITTER', content,
    }));
    const res = await app.gql(`mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, { inputs }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const ids = [old, ...res.data!.recordInteractions.map((i: any) => i.id)];
    const scores = await app.pool.query(`SELECT topic FROM influence_scores WHERE customer_id = $1 AND computed`, [c.id]);
    expect(scores.rows.map((r) => r.topic)).toEqual(expect.arrayContaining(['mileage', 'warranty', null]));
    const stored = await app.pool.query(`SELECT id, priority_base AS base, queue_key AS key FROM interactions WHERE id = ANY($1::uuid[])`, [ids]);
    const byTrigger = await app.pool.query(
      `UPDATE interactions SET status = status WHERE id = ANY($1::uuid[]) RETURNING id, priority_base AS base, queue_key AS key`, [ids],
    );
    const expected = new Map(byTrigger.rows.map((r) => [r.id, r]));
    expect(stored.rows.filter((r) => r.base !== null)).toHaveLength(4);
    for (const r of stored.rows) expect(r).toEqual(expected.get(r.id));
  });

  it('re-ranks a customer\'s open items when their tier changes, a new influence score arrives or PROFILING is withdrawn', async () => {
    const group = `g-${unique()}`;
    const a = await createCustomer(app.pool, { tier: 'SILVER' });
    const b = await createCustomer(app.pool, { tier: 'GOLD', profiling: true });
    await openItem(app.pool, a.id, group, { content: 'a' });
    await openItem(app.pool, b.id, group, { content: 'b' });
    expect(contents(await queue(group))).toEqual(['b', 'a']);

    const set = await app.gql(`mutation { setTier(customerId: "${a.id}", tier: PLATINUM) { tier } }`, {}, ['supervisor']);
    expect(set.errors).toBeUndefined();
    expect(contents(await queue(group))).toEqual(['a', 'b']);

    await app.pool.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at) VALUES ($1, 10, 'test', now())`, [b.id]);
    expect(contents(await queue(group))).toEqual(['b', 'a']);

    const withdraw = await app.gql(
      `mutation($id: ID!) { setConsent(input: { socialIdentityId: $id, purpose: PROFILING, status: REVOKED, source: CHAT }) { status } }`,
      { id: b.socialIdentityIds[0] }, ['agent'],
    );
    expect(withdraw.errors).toBeUndefined();
    const after = await queue(group);
    expect(contents(after)).toEqual(['a', 'b']);
    const influence = after.edges.flatMap((e: any) => e.node.priority.reasons).filter((r: any) => r.factor === 'influence');
    expect(influence.map((r: any) => r.contribution)).toEqual([0, 0]);
  });

  it('re-ranks after new scores and tiers exactly as the row trigger would rank each item', async () => {
    // The set-based re-rank (interactions_requeue) must pick the same influence as
    // interaction_influence: topic scores first, newest per topic/platform, flagged ones never.
    const group = `g-${unique()}`;
    const hourAgo = new Date(Date.now() - 3_600_000);
    const customers = await Promise.all([
      createCustomer(app.pool, { tier: 'GOLD' }),
      createCustomer(app.pool, { tier: 'SILVER', profiling: true, influence: [{ score: 3, measuredAt: hourAgo }, { score: 9, topic: 'mileage', measuredAt: hourAgo }] }),
      createCustomer(app.pool, { tier: 'BRONZE', profiling: true, influence: [{ score: 6, topic: 'warranty', platform: 'TWITTER', measuredAt: hourAgo }] }),
    ]);
    const specs: OpenItem[] = [
      { topics: ['mileage'], category: 'COMPLAINT', sentiment: -0.4 },
      { topics: ['warranty', 'mileage'], content: 'switching to another brand' },
      { topics: [], category: 'SALES_LEAD', sentiment: 0.8 },
      { topics: ['warranty'], direction: 'OUTBOUND' },
    ];
    const ids: string[] = [];
    for (const c of customers) for (const spec of specs) ids.push(await openItem(app.pool, c.id, group, spec));
    const [a, b, c] = customers.map((x) => x.id);
    // One statement per event, as the scorer writes them: several customers, topics and platforms at once.
    await app.pool.query(
      `INSERT INTO influence_scores (customer_id, score, topic, platform, source, measured_at, flagged) VALUES
         ($1, 7, NULL, NULL, 'test', now(), false), ($1, 2, 'mileage', NULL, 'test', now(), false),
         ($1, 9.5, 'warranty', NULL, 'test', now(), true),
         ($2, 1, 'mileage', NULL, 'test', now(), false), ($2, 8, 'warranty', 'INSTAGRAM', 'test', now(), false),
         ($3, 4, 'warranty', 'TWITTER', 'test', now() - interval '2 hours', false), ($3, 5, NULL, 'TWITTER', 'test', now(), false)`,
      [a, b, c],
    );
    await app.pool.query(`UPDATE customers SET tier = 'PLATINUM' WHERE id = $1`, [c]);
    await app.pool.query(`DELETE FROM influence_scores WHERE customer_id = $1 AND topic = 'mileage' AND score = 1`, [b]);
    const stored = await app.pool.query(`SELECT id, priority_base AS base, queue_key AS key FROM interactions WHERE id = ANY($1::uuid[])`, [ids]);
    const byTrigger = await app.pool.query(
      `UPDATE interactions SET status = status WHERE id = ANY($1::uuid[]) RETURNING id, priority_base AS base, queue_key AS key`, [ids],
    );
    const expected = new Map(byTrigger.rows.map((r) => [r.id, r]));
    expect(stored.rows).toHaveLength(ids.length);
    for (const r of stored.rows) expect(r).toEqual(expected.get(r.id));
    expect(stored.rows.filter((r) => r.base !== null)).toHaveLength(9);
  });

  it('re-ranks the queue when a supervisor changes the stored weights', async () => {
    const group = `g-${unique()}`;
    const a = await createCustomer(app.pool, { tier: 'NONE' });
    const b = await createCustomer(app.pool, { tier: 'NONE' });
    await openItem(app.pool, a.id, group, { content: 'please cancel everything', category: 'OTHER' });
    await openItem(app.pool, b.id, group, { content: 'a plain complaint', category: 'COMPLAINT' });
    expect(contents(await queue(group))).toEqual(['please cancel everything', 'a plain complaint']);
    const set = (churn: number) =>
      app.gql(`mutation($churn: Float) { setPriorityWeights(input: { churn: $churn }) { churn updatedBy } }`, { churn }, ['supervisor']);
    try {
      const changed = await set(5);
      expect(changed.errors).toBeUndefined();
      expect(changed.data!.setPriorityWeights).toEqual({ churn: 5, updatedBy: 'test-user' });
      expect(contents(await queue(group))).toEqual(['a plain complaint', 'please cancel everything']);
    } finally {
      await set(DEFAULT_PRIORITY_WEIGHTS.churn);
    }
  });

  it('rejects invalid weights naming the field, and lets only supervisors change them', async () => {
    const bad = await app.gql(`mutation { setPriorityWeights(input: { slaDoublingMinutes: 0 }) { churn } }`, {}, ['supervisor']);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slaDoublingMinutes' });
    const forbidden = await app.gql(`mutation { setPriorityWeights(input: { churn: 1 }) { churn } }`, {}, ['agent']);
    expect(forbidden.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('is open to agents but not to viewers, and rejects a forged cursor', async () => {
    const res = await app.gql(QUEUE, { first: 1 }, ['viewer']);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    const forged = await app.gql(QUEUE, { first: 1, after: Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url') }, ['agent']);
    expect(forged.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
