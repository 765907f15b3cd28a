import type { Pool } from 'pg';
import { influenceFormula } from '../../src/influence/influence-scorer';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// Follower counts as history, networkTrend, growth in the default scorer, influencersOnTopic.
let app: TestApp;
let loaderPath: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  loaderPath = await startTestApp({ compiledReads: false });
});
afterAll(async () => {
  await app.close();
  await loaderPath.close();
});

const DAY = 86_400_000;
const statements = (res: { headers: Record<string, string> }) => Number(res.headers['x-sql-statements']);
const HISTORY = `query($id: ID!, $platform: Platform, $first: Int) { customer(id: $id) {
  followerHistory(platform: $platform, first: $first) { platform followerCount measuredAt } networkTrend } }`;

/** A point as if measured `daysAgo` days ago (the triggers stamp points with the write's time). */
async function pointAt(pool: Pool, socialIdentityId: string, followerCount: number, daysAgo: number) {
  await pool.query(`INSERT INTO follower_history (social_identity_id, follower_count, measured_at) VALUES ($1, $2, $3)`, [
    socialIdentityId, followerCount, new Date(Date.now() - daysAgo * DAY),
  ]);
}

async function history(id: string, variables: Record<string, unknown> = {}) {
  const res = await app.gql(HISTORY, { id, ...variables }, ['viewer']);
  expect(res.errors).toBeUndefined();
  return res.data!.customer as { followerHistory: { platform: string; followerCount: number; measuredAt: string }[]; networkTrend: number | null };
}

describe('follower history', () => {
  it('appends a point whenever a follower count changes (listening tool, touchpoint, ingestion), none when it stays the same', async () => {
    const handle = `fh${unique()}`;
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle, followerCount: 100 }] });
    const counts = `mutation($inputs: [FollowerCountInput!]!) { recordFollowerCounts(inputs: $inputs) { score } }`;
    expect((await app.gql(counts, { inputs: [{ socialIdentityId: c.socialIdentityIds[0], followerCount: 150 }] }, ['ingest'])).errors).toBeUndefined();
    expect((await app.gql(counts, { inputs: [{ socialIdentityId: c.socialIdentityIds[0], followerCount: 150 }] }, ['ingest'])).errors).toBeUndefined();
    const touchpoint = await app.gql(`mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`, {
      input: { touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'TWITTER', handle, followerCount: 180 }] },
    }, ['agent']);
    expect(touchpoint.errors).toBeUndefined();
    expect(touchpoint.data!.recordTouchpoint.id).toBe(c.id);
    const ingested = await app.gql(`mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, {
      inputs: [{ idempotencyKey: `fh-${unique()}`, platform: 'TWITTER', handle, followerCount: 210, channel: 'TWITTER', content: 'hello' }],
    }, ['ingest']);
    expect(ingested.errors).toBeUndefined();
    const { followerHistory } = await history(c.id);
    expect(followerHistory.map((p) => p.followerCount)).toEqual([210, 180, 150, 100]);
    expect(followerHistory.every((p) => p.platform === 'TWITTER')).toBe(true);
    const times = followerHistory.map((p) => Date.parse(p.measuredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by platform and bounds the points by first, newest first; refuses first over 100', async () => {
    const c = await createCustomer(app.pool, { handles: [
      { platform: 'TWITTER', handle: `t${unique()}`, followerCount: 10 },
      { platform: 'INSTAGRAM', handle: `i${unique()}`, followerCount: 20 },
    ] });
    await pointAt(app.pool, c.socialIdentityIds[0], 5, 3);
    await pointAt(app.pool, c.socialIdentityIds[0], 7, 2);
    expect((await history(c.id, { platform: 'TWITTER' })).followerHistory.map((p) => p.followerCount)).toEqual([10, 7, 5]);
    expect((await history(c.id, { platform: 'INSTAGRAM' })).followerHistory.map((p) => p.followerCount)).toEqual([20]);
    expect((await history(c.id, { first: 2 })).followerHistory).toHaveLength(2);
    const refused = await app.gql(HISTORY, { id: c.id, first: 101 }, ['viewer']);
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('networkTrend', () => {
  it('is (now - then) / then over all identities, then = each identity\'s newest point 30 or more days old', async () => {
    const c = await createCustomer(app.pool, { handles: [
      { platform: 'TWITTER', handle: `t${unique()}`, followerCount: 150 },
      { platform: 'INSTAGRAM', handle: `i${unique()}`, followerCount: 50 },
    ] });
    await pointAt(app.pool, c.socialIdentityIds[0], 80, 45);
    await pointAt(app.pool, c.socialIdentityIds[0], 100, 31);
    // Younger than 30 days: not "then".
    await pointAt(app.pool, c.socialIdentityIds[0], 1, 29);
    // now 150 + 50 = 200 (the Instagram account is new: growth), then 100.
    expect((await history(c.id)).networkTrend).toBe(1);
  });

  it('is negative for a shrinking network, and null without a point 30 days old or with nothing then', async () => {
    const shrinking = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `t${unique()}`, followerCount: 300 }] });
    await pointAt(app.pool, shrinking.socialIdentityIds[0], 400, 40);
    expect((await history(shrinking.id)).networkTrend).toBe(-0.25);
    const young = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `t${unique()}`, followerCount: 300 }] });
    expect((await history(young.id)).networkTrend).toBeNull();
    const fromZero = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `t${unique()}`, followerCount: 300 }] });
    await pointAt(app.pool, fromZero.socialIdentityIds[0], 0, 40);
    expect((await history(fromZero.id)).networkTrend).toBeNull();
    const noIdentity = await createCustomer(app.pool);
    expect((await history(noIdentity.id)).networkTrend).toBeNull();
  });

  it('answers the same on the compiled path (in its one statement) and on the loader path (one statement per loader)', async () => {
    const c = await createCustomer(app.pool, { handles: [
      { platform: 'TWITTER', handle: `t${unique()}`, followerCount: 120 },
      { platform: 'INSTAGRAM', handle: `i${unique()}`, followerCount: 30 },
    ] });
    await pointAt(app.pool, c.socialIdentityIds[0], 100, 35);
    await pointAt(app.pool, c.socialIdentityIds[1], 25, 40);
    const both = `query($id: ID!) { customer(id: $id) { id
      all: followerHistory { platform followerCount measuredAt }
      twitter: followerHistory(platform: TWITTER, first: 1) { followerCount }
      networkTrend } }`;
    const compiled = await app.gql(both, { id: c.id }, ['viewer']);
    const loaders = await loaderPath.gql(both, { id: c.id }, ['viewer']);
    expect(compiled.errors).toBeUndefined();
    expect(compiled.data).toEqual(loaders.data);
    expect(compiled.data!.customer).toMatchObject({ twitter: [{ followerCount: 120 }], networkTrend: 0.2 });
    expect(compiled.data!.customer.all).toHaveLength(4);
    expect(statements(compiled)).toBe(1);
    // Loader path: the customer, both followerHistory keys in one batch, networkTrend.
    expect(statements(loaders)).toBe(3);
    // The response fast path does not cover these fields: the request went through Apollo's compiled read.
    expect(compiled.headers['x-read-path']).toBeUndefined();
    const page = `query { customers(first: 20) { edges { node { id followerHistory(first: 2) { followerCount } networkTrend } } } }`;
    const pageRes = await app.gql(page, {}, ['viewer']);
    const pageLoaders = await loaderPath.gql(page, {}, ['viewer']);
    expect(pageRes.errors).toBeUndefined();
    expect(statements(pageRes)).toBe(1);
    expect(statements(pageLoaders)).toBe(3);
  });

  it('is refused to ingest and marketing tokens (readers only)', async () => {
    const c = await createCustomer(app.pool);
    for (const role of ['ingest', 'marketing'] as const) {
      const res = await app.gql(HISTORY, { id: c.id }, [role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('the default scorer uses growth', () => {
  it('scores a customer whose network doubled in 30 days 0.9 points above the same customer without growth', async () => {
    const grower = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `g${unique()}`, followerCount: 1000 }], profiling: true });
    await pointAt(app.pool, grower.socialIdentityIds[0], 500, 31);
    const steady = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `s${unique()}`, followerCount: 1000 }], profiling: true });
    const res = await app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score topic } }`, { ids: [grower.id, steady.id] }, ['supervisor']);
    expect(res.errors).toBeUndefined();
    const read = async (id: string) => (await app.gql(`query($id: ID!) { customer(id: $id) { influence { score } networkTrend } }`, { id }, ['viewer'])).data!.customer;
    expect(await read(grower.id)).toEqual({ influence: { score: influenceFormula(1000, 0, 0, 1) }, networkTrend: 1 });
    expect(await read(steady.id)).toEqual({ influence: { score: influenceFormula(1000, 0, 0) }, networkTrend: null });
    expect(influenceFormula(1000, 0, 0, 1) - influenceFormula(1000, 0, 0)).toBeCloseTo(0.9, 5);
  });
});

describe('influencersOnTopic', () => {
  const QUERY = `query($topic: String!, $first: Int) { influencersOnTopic(topic: $topic, first: $first) { id } }`;
  const ids = async (topic: string, first = 10) => {
    const res = await app.gql(QUERY, { topic, first }, ['agent']);
    expect(res.errors).toBeUndefined();
    return (res.data!.influencersOnTopic as { id: string }[]).map((c) => c.id);
  };

  it('lists PROFILING-consented customers by their newest score on the topic, highest first, ties by id', async () => {
    const topic = `topic${unique()}`;
    const now = Date.now();
    const high = await createCustomer(app.pool, { profiling: true, influence: [{ score: 9, topic, measuredAt: new Date(now - DAY) }, { score: 8, topic, measuredAt: new Date(now) }] });
    const tieA = await createCustomer(app.pool, { profiling: true, influence: [{ score: 6, topic, measuredAt: new Date(now) }] });
    const tieB = await createCustomer(app.pool, { profiling: true, influence: [{ score: 6, topic, measuredAt: new Date(now) }] });
    const noConsent = await createCustomer(app.pool, { influence: [{ score: 9.5, topic, measuredAt: new Date(now) }] });
    const flagged = await createCustomer(app.pool, { profiling: true, influence: [{ score: 9.9, topic, measuredAt: new Date(now) }] });
    await app.pool.query(`UPDATE influence_scores SET flagged = true WHERE customer_id = $1`, [flagged.id]);
    const otherTopic = await createCustomer(app.pool, { profiling: true, influence: [{ score: 10, topic: `other${unique()}`, measuredAt: new Date(now) }] });
    const ties = [tieA.id, tieB.id].sort();
    const listed = await ids(topic);
    expect(listed).toEqual([high.id, ...ties]);
    expect(listed).not.toContain(noConsent.id);
    expect(listed).not.toContain(otherTopic.id);
    expect(await ids(topic, 2)).toEqual([high.id, ties[0]]);
    // The stored form of topics: case and a leading # do not matter.
    expect(await ids(`#${topic.toUpperCase()}`)).toEqual(listed);
  });

  it('drops a customer at the read that withdraws PROFILING', async () => {
    const topic = `topic${unique()}`;
    const c = await createCustomer(app.pool, { profiling: true, influence: [{ score: 7, topic, measuredAt: new Date() }] });
    expect(await ids(topic)).toEqual([c.id]);
    await app.pool.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by) VALUES ($1, $2, 'PROFILING', 'REVOKED', 'IMPORT', 'test')`,
      [c.id, c.socialIdentityIds[0]],
    );
    expect(await ids(topic)).toEqual([]);
  });

  it('is for agents and above: a viewer, marketing or ingest is refused; an empty topic is BAD_USER_INPUT', async () => {
    for (const role of ['viewer', 'marketing', 'ingest'] as const) {
      expect((await app.gql(QUERY, { topic: 'warranty' }, [role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await app.gql(QUERY, { topic: ' # ' }, ['agent'])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(QUERY, { topic: 'warranty', first: 101 }, ['agent'])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
