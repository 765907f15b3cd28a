import type { Pool } from 'pg';
import { influenceFormula } from '../../src/influence/influence-scorer';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation R($input: InfluenceScoreInput!) {
  recordInfluenceScore(input: $input) { score topic platform source measuredAt trend computed flagged }
}`;
const READ = `query C($id: ID!) { customer(id: $id) {
  influence { score source trend computed flagged }
  influenceByTopic { score topic trend computed }
  priority { score }
} }`;

async function consent(pool: Pool, socialIdentityId: string, customerId: string, status: string, at: Date, expiresAt: Date | null = null) {
  await pool.query(
    `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by, expires_at)
     VALUES ($1, $2, 'PROFILING', $3, $4, 'SOCIAL_MESSAGE', 'test', $5)`,
    [customerId, socialIdentityId, status, at, expiresAt],
  );
}

async function consentingCustomer(spec: Parameters<typeof createCustomer>[1] = {}) {
  const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}`, followerCount: 1000 }], ...spec });
  await consent(app.pool, c.socialIdentityIds[0], c.id, 'GRANTED', new Date(Date.now() - 60_000));
  return c;
}

describe('influence scores', () => {
  it('keeps every score as history and shows the latest with its trend per topic', async () => {
    const c = await consentingCustomer();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (const [score, minutes, topic] of [[4, 0, null], [6, 10, null], [5.5, 20, null], [7, 0, 'Mileage'], [8, 5, '#mileage']] as const) {
      const res = await app.gql(RECORD, { input: { customerId: c.id, score, source: 'listening-co', topic, measuredAt: new Date(t0 + minutes * 60_000) } }, ['ingest']);
      expect(res.errors).toBeUndefined();
    }
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1`, [c.id]);
    expect(rows[0].n).toBe(5);
    const read = await app.gql(READ, { id: c.id }, ['viewer']);
    expect(read.data!.customer.influence).toEqual({ score: 5.5, source: 'listening-co', trend: -0.5, computed: false, flagged: false });
    expect(read.data!.customer.influenceByTopic).toEqual([{ score: 8, topic: 'mileage', trend: 1, computed: false }]);
  });

  it('answers the trend of the recorded score against the previous one of the same series', async () => {
    const c = await consentingCustomer();
    const input = (score: number, at: string) => ({ input: { customerId: c.id, score, source: 'p', platform: 'TWITTER', measuredAt: at } });
    await app.gql(RECORD, input(3, '2026-02-01T00:00:00Z'), ['ingest']);
    const second = await app.gql(RECORD, input(4.25, '2026-02-02T00:00:00Z'), ['ingest']);
    expect(second.data!.recordInfluenceScore).toMatchObject({ score: 4.25, platform: 'TWITTER', trend: 1.25, flagged: false });
  });

  it('keeps but flags an ingested score when no identity has granted PROFILING, and leaves it out of priority', async () => {
    const c = await createCustomer(app.pool, { tier: 'GOLD', handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
    await consent(app.pool, c.socialIdentityIds[0], c.id, 'GRANTED', new Date(Date.now() - 120_000));
    await consent(app.pool, c.socialIdentityIds[0], c.id, 'REVOKED', new Date(Date.now() - 60_000));
    const res = await app.gql(RECORD, { input: { customerId: c.id, score: 9, source: 'p', measuredAt: new Date().toISOString() } }, ['ingest']);
    expect(res.data!.recordInfluenceScore).toMatchObject({ score: 9, flagged: true });
    const read = await app.gql(READ, { id: c.id }, ['viewer']);
    expect(read.data!.customer.influence).toMatchObject({ score: 9, flagged: true });
    expect(read.data!.customer.priority.score).toBe(30);
  });

  it('treats an expired PROFILING grant as no consent', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
    await consent(app.pool, c.socialIdentityIds[0], c.id, 'GRANTED', new Date(Date.now() - 120_000), new Date(Date.now() - 60_000));
    const res = await app.gql(RECORD, { input: { customerId: c.id, score: 2, source: 'p', measuredAt: new Date().toISOString() } }, ['ingest']);
    expect(res.data!.recordInfluenceScore.flagged).toBe(true);
  });

  it('computes no score for a customer without PROFILING consent', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}`, followerCount: 50_000 }] });
    const res = await app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score } }`, { ids: [c.id] }, ['supervisor']);
    expect(res.data!.recomputeInfluence).toEqual([]);
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1`, [c.id]);
    expect(rows[0].n).toBe(0);
  });

  it('computes the default score overall and per topic of public posts, and only writes what changed', async () => {
    const c = await consentingCustomer({
      interactions: [{ channel: 'TWITTER', topics: ['mileage'] }, { channel: 'TWITTER', topics: ['mileage', 'warranty'] }],
    });
    await app.pool.query(`UPDATE interactions SET is_public = true, social_identity_id = $2 WHERE customer_id = $1`, [c.id, c.socialIdentityIds[0]]);
    const recompute = () => app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score topic source computed trend } }`, { ids: [c.id] }, ['ingest']);
    const first = await recompute();
    expect(first.errors).toBeUndefined();
    expect(first.data!.recomputeInfluence).toEqual([
      { score: influenceFormula(1000, 2, 2000), topic: null, source: 'default-scorer', computed: true, trend: null },
      { score: influenceFormula(1000, 2, 2000), topic: 'mileage', source: 'default-scorer', computed: true, trend: null },
      { score: influenceFormula(1000, 1, 1000), topic: 'warranty', source: 'default-scorer', computed: true, trend: null },
    ]);
    expect((await recompute()).data!.recomputeInfluence).toEqual([]);
  });

  it('re-scores the owner when a listening tool reports a new follower count', async () => {
    const c = await consentingCustomer();
    await app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score } }`, { ids: [c.id] }, ['ingest']);
    const res = await app.gql(
      `mutation($inputs: [FollowerCountInput!]!) { recordFollowerCounts(inputs: $inputs) { score topic trend } }`,
      { inputs: [{ socialIdentityId: c.socialIdentityIds[0], followerCount: 2_000_000 }] },
      ['ingest'],
    );
    expect(res.errors).toBeUndefined();
    const overall = res.data!.recordFollowerCounts.find((s: any) => s.topic === null);
    expect(overall.score).toBe(influenceFormula(2_000_000, 0, 0));
    expect(overall.trend).toBeCloseTo(influenceFormula(2_000_000, 0, 0) - influenceFormula(1000, 0, 0), 3);
  });

  it('rejects a score outside 1-10 naming the field, an unknown customer as NOT_FOUND, and agents', async () => {
    const c = await consentingCustomer();
    const bad = await app.gql(RECORD, { input: { customerId: c.id, score: 11, source: 'p', measuredAt: new Date().toISOString() } }, ['ingest']);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'score' });
    const missing = await app.gql(RECORD, { input: { customerId: '00000000-0000-4000-8000-000000000000', score: 5, source: 'p', measuredAt: new Date().toISOString() } }, ['ingest']);
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
    const agent = await app.gql(RECORD, { input: { customerId: c.id, score: 5, source: 'p', measuredAt: new Date().toISOString() } }, ['agent']);
    expect(agent.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
