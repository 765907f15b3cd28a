import { DEFAULT_SCORER_SOURCE, influenceFormula } from '../../src/influence/influence-scorer';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const INGEST = `mutation I($input: InteractionInput!) { recordInteraction(input: $input) { id } }`;
const INGEST_BULK = `mutation B($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`;
const TOUCH = `mutation T($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
const READ = `query C($id: ID!) { customer(id: $id) { influence { score source computed trend } } }`;

/** A customer with one Twitter handle (lower-case, as normalised) and, when asked, a PROFILING grant on it. */
async function customer(followerCount: number, profiling: boolean) {
  const handle = `rc${unique()}`.toLowerCase();
  const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle, followerCount }] });
  if (profiling) {
    await app.pool.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
       VALUES ($1, $2, 'PROFILING', 'GRANTED', now() - interval '1 minute', 'SOCIAL_MESSAGE', 'test')`,
      [c.id, c.socialIdentityIds[0]],
    );
  }
  return { ...c, handle };
}

const post = (handle: string, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: `rc-${unique()}`, platform: 'TWITTER', handle, channel: 'TWITTER', content: 'Thanks for the quick oil change', topics: [], ...extra,
});

async function computedRows(customerId: string): Promise<number> {
  const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1 AND computed`, [customerId]);
  return rows[0].n;
}

async function influenceOf(customerId: string) {
  const res = await app.gql(READ, { id: customerId }, ['viewer']);
  expect(res.errors).toBeUndefined();
  return res.data!.customer.influence;
}

describe('the default scorer runs when new data arrives', () => {
  it('computes a score when a public post is ingested for a customer who granted PROFILING', async () => {
    const c = await customer(1000, true);
    const res = await app.gql(INGEST, { input: post(c.handle) }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(await influenceOf(c.id)).toEqual({
      score: influenceFormula(1000, 1, 1000), source: DEFAULT_SCORER_SOURCE, computed: true, trend: null,
    });
  });

  it('computes nothing when a public post is ingested for a customer without PROFILING consent', async () => {
    const c = await customer(1000, false);
    const res = await app.gql(INGEST, { input: post(c.handle) }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(await influenceOf(c.id)).toBeNull();
    expect(await computedRows(c.id)).toBe(0);
  });

  it('scores every customer of a bulk call, and a retried call adds no score', async () => {
    const [a, b] = [await customer(1000, true), await customer(50, true)];
    const inputs = [post(a.handle), post(b.handle), post(a.handle)];
    expect((await app.gql(INGEST_BULK, { inputs }, ['ingest'])).errors).toBeUndefined();
    expect((await influenceOf(a.id)).score).toBe(influenceFormula(1000, 2, 2000));
    expect((await influenceOf(b.id)).score).toBe(influenceFormula(50, 1, 50));
    const before = [await computedRows(a.id), await computedRows(b.id)];
    expect((await app.gql(INGEST_BULK, { inputs }, ['ingest'])).errors).toBeUndefined();
    expect([await computedRows(a.id), await computedRows(b.id)]).toEqual(before);
  });

  it('adds the same number of statements to a bulk call whether it scores two customers or eight', async () => {
    const statementsFor = async (n: number) => {
      const customers = await Promise.all(Array.from({ length: n }, (_, i) => customer(100 * (i + 1), true)));
      const res = await app.gql(INGEST_BULK, { inputs: customers.map((c) => post(c.handle, { followerCount: 5000 })) }, ['ingest']);
      expect(res.errors).toBeUndefined();
      for (const c of customers) expect(await computedRows(c.id)).toBe(1);
      return Number(res.headers['x-sql-statements']);
    };
    const [two, eight] = [await statementsFor(2), await statementsFor(8)];
    expect(two).toBeGreaterThan(0);
    expect(eight).toBe(two);
  });

  it('stores a follower count given with an interaction on the identity it came from and re-scores with it', async () => {
    const c = await customer(1000, true);
    await app.gql(INGEST, { input: post(c.handle) }, ['ingest']);
    const res = await app.gql(INGEST, { input: post(c.handle, { followerCount: 20000, isPublic: false }) }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT follower_count AS n FROM social_identities WHERE id = $1`, [c.socialIdentityIds[0]]);
    expect(rows[0].n).toBe(20000);
    const influence = await influenceOf(c.id);
    // The private post does not count; the earlier public one now reaches the new count.
    expect(influence.score).toBe(influenceFormula(20000, 1, 20000));
    expect(influence.trend).toBeGreaterThan(0);
  });

  it('raises the computed score when a touchpoint gives a higher follower count', async () => {
    const c = await customer(1000, true);
    await app.gql(INGEST, { input: post(c.handle) }, ['ingest']);
    const first = await influenceOf(c.id);
    const res = await app.gql(TOUCH, { input: { touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'TWITTER', handle: c.handle, followerCount: 250000 }] } }, ['agent']);
    expect(res.errors).toBeUndefined();
    const after = await influenceOf(c.id);
    expect(after).toMatchObject({ source: DEFAULT_SCORER_SOURCE, computed: true });
    expect(after.score).toBeGreaterThan(first.score);
    expect(after.trend).toBeGreaterThan(0);
  });

  it('scores exactly the customers whose PROFILING grant holds now, on any of their identities', async () => {
    const grant = (customerId: string, column: 'social_identity_id' | 'contact_point_id', identityId: string, status: string,
      expiresAt: Date | null = null, minutesAgo = 5) =>
      app.pool.query(
        `INSERT INTO consent_events (customer_id, ${column}, purpose, status, recorded_at, source, recorded_by, expires_at)
         VALUES ($1, $2, 'PROFILING', $3, now() - make_interval(mins => $5), 'WEB_FORM', 'test', $4)`,
        [customerId, identityId, status, expiresAt, minutesAgo],
      );
    const contactOf = async (customerId: string) =>
      (await app.pool.query(`SELECT id FROM contact_points WHERE customer_id = $1`, [customerId])).rows[0].id as string;
    const onEmail = await createCustomer(app.pool, { emails: [`p.${unique()}@example.com`], handles: [{ platform: 'TWITTER', handle: `pe${unique()}`, followerCount: 10 }] });
    await grant(onEmail.id, 'contact_point_id', await contactOf(onEmail.id), 'GRANTED');
    const secondHandle = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `ps${unique()}`, followerCount: 10 }, { platform: 'INSTAGRAM', handle: `ps${unique()}`, followerCount: 20 }] });
    await grant(secondHandle.id, 'social_identity_id', secondHandle.socialIdentityIds[0], 'REVOKED');
    await grant(secondHandle.id, 'social_identity_id', secondHandle.socialIdentityIds[1], 'GRANTED');
    const expired = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `px${unique()}`, followerCount: 10 }] });
    await grant(expired.id, 'social_identity_id', expired.socialIdentityIds[0], 'GRANTED', new Date(Date.now() - 1000));
    const revoked = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `pr${unique()}`, followerCount: 10 }] });
    await grant(revoked.id, 'social_identity_id', revoked.socialIdentityIds[0], 'GRANTED', null, 10);
    await grant(revoked.id, 'social_identity_id', revoked.socialIdentityIds[0], 'REVOKED', null, 2);
    const none = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `pn${unique()}`, followerCount: 10 }] });
    const all = [onEmail, secondHandle, expired, revoked, none];
    const res = await app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score } }`, { ids: all.map((c) => c.id) }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(await Promise.all(all.map((c) => computedRows(c.id)))).toEqual([1, 1, 0, 0, 0]);
  });

  it('computes nothing at a touchpoint that repeats the follower count already held', async () => {
    const c = await customer(1000, true);
    const res = await app.gql(TOUCH, { input: { touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'TWITTER', handle: c.handle, followerCount: 1000 }] } }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(await computedRows(c.id)).toBe(0);
  });
});
