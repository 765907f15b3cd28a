import fc from 'fast-check';
import { Client } from 'pg';
import { InteractionCategory, Tier } from '../../src/graphql/enums';
import { compileChurnPattern } from '../../src/influence/churn-rule';
import { DEFAULT_PRIORITY_WEIGHTS, interactionPriority, type PriorityInput, type PriorityWeights } from '../../src/influence/priority';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

/**
 * The priority formula is written twice: in TypeScript (src/influence/priority.ts: the reasons
 * and the score an agent sees) and in SQL (interaction_priority_base, interaction_queue_key and
 * interaction_rank in schema/database.sql: the stored rank the queue is ordered by). These
 * properties hold the two to the same numbers over generated weights and items, on the real
 * database, the way churn-rule.test.ts holds the two forms of the churn rule together.
 */

let app: TestApp;
let db: Client;
beforeAll(async () => {
  app = await startTestApp();
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.close();
});

const TIERS = Object.values(Tier);
const CATEGORIES = Object.values(InteractionCategory);
const TOPICS = ['churn', 'mileage', 'warranty', 'billing'];
const PATTERNS = [DEFAULT_PRIORITY_WEIGHTS.churnPattern, 'refund|broken', '\\bquit\\w*', '[ſs]witch(ing)?'];
const PHRASES = ['cancel', 'thinking of leaving', 'switching to', 'close my account', 'refund', 'broken', 'quitting', 'hello', 'Quit', 'ſwitch'];
const NOW = Date.parse('2026-06-01T12:00:00Z');

/** Points as setPriorityWeights accepts them: 0, or 1e-6 to 1000; often a small integer, sometimes a fraction. */
const points = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.double({ min: 1e-6, max: 2, noNaN: true }),
  fc.double({ min: 1e-6, max: 1000, noNaN: true }),
);
/** A map of points with keys sometimes missing (the formulas count a missing key as 0). */
const pointsOf = <K extends string>(keys: K[]) =>
  fc.tuple(...keys.map(() => fc.option(points, { freq: 5 }))).map((values) =>
    Object.fromEntries(keys.flatMap((k, n) => (values[n] === null ? [] : [[k, values[n]]]))) as Record<K, number>);

const weights: fc.Arbitrary<PriorityWeights> = fc.record({
  base: points,
  tier: pointsOf(TIERS),
  influencePerPoint: points,
  category: pointsOf(CATEGORIES),
  negativeSentiment: points,
  churn: points,
  churnPattern: fc.constantFrom(...PATTERNS),
  slaDoublingMinutes: fc.integer({ min: 1, max: 1440 }),
  defaultSlaMinutes: fc.integer({ min: 1, max: 20_160 }),
});

const date = fc.integer({ min: NOW - 30 * 86_400_000, max: NOW + 30 * 86_400_000 }).map((ms) => new Date(ms));
const item: fc.Arbitrary<PriorityInput> = fc.record({
  tier: fc.constantFrom(...TIERS),
  influence: fc.option(fc.record({ score: fc.double({ min: 1, max: 10, noNaN: true }), topic: fc.constant(null) })),
  category: fc.constantFrom(...CATEGORIES),
  // Stored as real: three decimals survive real -> numeric -> float8 exactly, as the app reads them.
  sentiment: fc.option(fc.integer({ min: -1000, max: 1000 }).map((n) => n / 1000)),
  content: fc.array(fc.oneof(fc.constantFrom(...PHRASES), fc.string({ maxLength: 6 })), { maxLength: 5 }).map((a) => a.join(' ').replace(/\0/g, '')),
  topics: fc.subarray(TOPICS),
  slaDueAt: fc.option(date),
  occurredAt: date,
});

const closeTo = (actual: number, expected: number, relative: number) =>
  Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));

describe('the priority formula: TypeScript and SQL agree', () => {
  it('gives the same static part and queue key for generated weights and items (interaction_priority_base, interaction_queue_key)', async () => {
    let churned = 0;
    let floored = 0;
    await fc.assert(
      fc.asyncProperty(weights, fc.array(item, { minLength: 1, maxLength: 25 }), async (w, items) => {
        const stored = { ...w, churnPatternSql: compileChurnPattern(w.churnPattern).sql };
        const { rows } = await db.query<{ base: number; key: number }>(
          `SELECT b.base, interaction_queue_key($1::jsonb, b.base, (x->>'slaDueAt')::timestamptz, (x->>'occurredAt')::timestamptz) AS key
             FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(x, n)
            CROSS JOIN LATERAL (SELECT interaction_priority_base($1::jsonb, x->>'tier', (x->'influence'->>'score')::float8, x->>'category',
                                  (x->>'sentiment')::real, x->>'content', ARRAY(SELECT jsonb_array_elements_text(x->'topics')))) AS b(base)
            ORDER BY t.n`,
          [JSON.stringify(stored), JSON.stringify(items)],
        );
        items.forEach((input, n) => {
          const p = interactionPriority(input, w, new Date(NOW));
          const sql = rows[n];
          expect({ input, base: closeTo(sql.base, p.base, 1e-12), key: closeTo(sql.key, p.queueKey, 1e-12) })
            .toEqual({ input, base: true, key: true });
          if (p.reasons.some((r) => r.factor === 'churn' && r.contribution !== 0)) churned++;
          if (p.reasons.some((r) => r.factor === 'floor')) floored++;
        });
      }),
      { numRuns: Number(process.env.PRIORITY_RUNS ?? 200) },
    );
    // Generated inputs that never reached the churn points or the floor would prove little about them.
    expect(Math.min(churned, floored)).toBeGreaterThan(50);
  }, 120_000); // 200 runs, each a few statements: more than the default 30 s on a loaded 2-core machine

  it('refuses points so small that the SQL products would underflow, and keeps the stored weights', async () => {
    const before = (await db.query(`SELECT weights FROM priority_settings`)).rows[0].weights;
    const res = await app.gql(`mutation { setPriorityWeights(input: { negativeSentiment: 5e-324 }) { negativeSentiment } }`, {}, ['supervisor']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'negativeSentiment' });
    expect((await db.query(`SELECT weights FROM priority_settings`)).rows[0].weights).toEqual(before);
    // What it would have done: the ranking function fails where TypeScript rounds to 0.
    await expect(db.query(`SELECT interaction_priority_base($1::jsonb, 'NONE', NULL, 'OTHER', -0.001, '', '{}')`,
      [JSON.stringify({ ...DEFAULT_PRIORITY_WEIGHTS, negativeSentiment: 5e-324, churnPatternSql: 'x' })])).rejects.toThrow(/underflow/);
  });

  it('ranks generated items of stored customers as the TypeScript formula does, with the stored weights (interaction_rank)', async () => {
    const customers = await Promise.all(TIERS.map((tier, n) => createCustomer(app.pool, {
      tier, profiling: true,
      influence: n % 2 === 0 ? [] : [{ score: 2 + n, measuredAt: new Date() }, { score: 9 - n / 2, topic: 'mileage', measuredAt: new Date() }],
    })));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(customers.length - 1), item), { minLength: 1, maxLength: 25 }), async (drawn) => {
        const items = drawn.map(([c, input]) => ({ ...input, customerId: customers[c].id }));
        // One statement: the weights, tier and influence the rank used are the ones compared with.
        const { rows } = await db.query(
          `SELECT s.weights, c.tier, f.score AS influence, r.base, r.queue_key AS key
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, n)
             CROSS JOIN priority_settings s
             JOIN customers c ON c.id = (x->>'customerId')::uuid
             CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(x->'topics')) AS topics) tp
             LEFT JOIN LATERAL interaction_influence(c.id, tp.topics) f ON true
             CROSS JOIN LATERAL interaction_rank(c.id, tp.topics, x->>'category', (x->>'sentiment')::real, x->>'content',
                                                 (x->>'slaDueAt')::timestamptz, (x->>'occurredAt')::timestamptz) r
            ORDER BY t.n`,
          [JSON.stringify(items)],
        );
        items.forEach((input, n) => {
          const row = rows[n];
          const w: PriorityWeights = { ...DEFAULT_PRIORITY_WEIGHTS, ...row.weights };
          const p = interactionPriority(
            { ...input, tier: row.tier, influence: row.influence === null ? null : { score: row.influence, topic: null } }, w, new Date(NOW));
          expect({ input, base: closeTo(row.base, p.base, 1e-12), key: closeTo(row.key, p.queueKey, 1e-12) })
            .toEqual({ input, base: true, key: true });
        });
      }),
      { numRuns: 50 },
    );
  });
});
