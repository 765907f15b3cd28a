import type { Pool } from 'pg';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 6 });
});
afterAll(() => app.close());

const RETRIES = 4;
/** The same call RETRIES times at once, as a job that retries on every timeout. */
const concurrently = <T>(call: () => Promise<T>) => Promise.all(Array.from({ length: RETRIES }, call));
const count = async (pool: Pool, sql: string, params: unknown[]) => (await pool.query(sql, params)).rows[0].n as number;

async function grantProfiling(customerId: string, socialIdentityId: string) {
  await app.pool.query(
    `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
     VALUES ($1, $2, 'PROFILING', 'GRANTED', now() - interval '1 minute', 'SOCIAL_MESSAGE', 'test')`,
    [customerId, socialIdentityId],
  );
}

describe('idempotencyKey on the writes of ingestion jobs', () => {
  const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;

  it('recordTouchpoint: concurrent retries write one touchpoint and one set of consents; other content is CONFLICT', async () => {
    const email = `t.${unique()}@example.com`;
    const input = {
      touchpoint: 'IN_STORE', emails: [email], name: 'Ada Retry', idempotencyKey: `tp-${unique()}`,
      consents: [{ purpose: 'MARKETING', status: 'GRANTED', wording: 'Yes, mail me', wordingVersion: 'v1' }],
    };
    const answers = await concurrently(() => app.gql(TOUCHPOINT, { input }, ['ingest']));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const ids = new Set(answers.map((a) => a.data!.recordTouchpoint.id));
    expect(ids.size).toBe(1);
    const [customerId] = ids;
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM touchpoint_events WHERE customer_id = $1`, [customerId])).toBe(1);
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM consent_events WHERE customer_id = $1`, [customerId])).toBe(1);

    const again = await app.gql(TOUCHPOINT, { input }, ['ingest']);
    expect(again.data!.recordTouchpoint.id).toBe(customerId);
    const other = await app.gql(TOUCHPOINT, { input: { ...input, name: 'Ada Other' } }, ['ingest']);
    expect(other.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM touchpoint_events WHERE customer_id = $1`, [customerId])).toBe(1);
    // Without a key every call is a new touchpoint, as before.
    const { idempotencyKey: _k, ...keyless } = input;
    await app.gql(TOUCHPOINT, { input: keyless }, ['ingest']);
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM touchpoint_events WHERE customer_id = $1`, [customerId])).toBe(2);
  });

  it('recordInfluenceScore: concurrent retries add one row and answer the first result (its trend too)', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
    const RECORD = `mutation($input: InfluenceScoreInput!) { recordInfluenceScore(input: $input) { score topic source measuredAt trend flagged } }`;
    const base = { customerId: c.id, source: 'listening-co', topic: 'Mileage' };
    await app.gql(RECORD, { input: { ...base, score: 4, measuredAt: '2026-03-01T00:00:00.000Z' } }, ['ingest']);
    const input = { ...base, score: 6, measuredAt: '2026-03-02T00:00:00.000Z', idempotencyKey: `sc-${unique()}` };
    const answers = await concurrently(() => app.gql(RECORD, { input }, ['ingest']));
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      expect(a.data!.recordInfluenceScore).toEqual({
        score: 6, topic: 'mileage', source: 'listening-co', measuredAt: '2026-03-02T00:00:00.000Z', trend: 2, flagged: true,
      });
    }
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1`, [c.id])).toBe(2);
    const other = await app.gql(RECORD, { input: { ...input, score: 7 } }, ['ingest']);
    expect(other.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    const badKey = await app.gql(RECORD, { input: { ...input, idempotencyKey: '' } }, ['ingest']);
    expect(badKey.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1`, [c.id])).toBe(2);
  });

  it('recordFollowerCounts: concurrent retries update and re-score once and answer the same scores', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}`, followerCount: 1000 }] });
    await grantProfiling(c.id, c.socialIdentityIds[0]);
    const COUNTS = `mutation($inputs: [FollowerCountInput!]!, $key: String) {
      recordFollowerCounts(inputs: $inputs, idempotencyKey: $key) { score topic trend measuredAt } }`;
    const vars = { inputs: [{ socialIdentityId: c.socialIdentityIds[0], followerCount: 2_000_000 }], key: `fc-${unique()}` };
    const answers = await concurrently(() => app.gql(COUNTS, vars, ['ingest']));
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(answers[0].data!.recordFollowerCounts.length).toBeGreaterThan(0);
    for (const a of answers) expect(a.data).toEqual(answers[0].data);
    const written = await count(app.pool, `SELECT count(*)::int AS n FROM influence_scores WHERE customer_id = $1`, [c.id]);
    expect(written).toBe(answers[0].data!.recordFollowerCounts.length);
    const other = await app.gql(COUNTS, { ...vars, inputs: [{ ...vars.inputs[0], followerCount: 3 }] }, ['ingest']);
    expect(other.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    const { rows } = await app.pool.query(`SELECT follower_count AS n FROM social_identities WHERE id = $1`, [c.socialIdentityIds[0]]);
    expect(rows[0].n).toBe(2_000_000);
  });

  it('setConsent: concurrent retries append one ledger event and one audit entry; another decision under the key is CONFLICT', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
    const SET = `mutation($input: SetConsentInput!) { setConsent(input: $input) { purpose status recordedAt source } }`;
    const input = {
      socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'NEWSLETTER_OPT_IN',
      wording: 'Send me offers', wordingVersion: 'offers-2026-03', idempotencyKey: `cs-${unique()}`,
    };
    const answers = await concurrently(() => app.gql(SET, { input }, ['admin']));
    for (const a of answers) expect(a.errors).toBeUndefined();
    for (const a of answers) expect(a.data).toEqual(answers[0].data);
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM consent_events WHERE customer_id = $1`, [c.id])).toBe(1);
    expect(await count(app.pool, `SELECT count(*)::int AS n FROM audit_log WHERE subject = $1 AND action = 'CONSENT_CHANGED'`, [c.id])).toBe(1);
    const other = await app.gql(SET, { input: { ...input, status: 'REVOKED' } }, ['admin']);
    expect(other.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    const history = await app.gql(`query($id: ID!) { customer(id: $id) { socialIdentities { consentHistory { status wording wordingVersion } } } }`, { id: c.id }, ['viewer']);
    expect(history.data!.customer.socialIdentities[0].consentHistory).toEqual([{ status: 'GRANTED', wording: 'Send me offers', wordingVersion: 'offers-2026-03' }]);
  });
});
