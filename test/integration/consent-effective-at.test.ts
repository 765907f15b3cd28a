import { migrations } from '../../migrations';
import { createDataSource } from '../../src/db/data-source';
import { withScratchDatabase } from '../helpers/databases';
import { unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
const SET = `mutation($input: SetConsentInput!) { setConsent(input: $input) { status recordedAt } }`;
const EMAIL = `query($id: ID!, $asOf: DateTime) { customer(id: $id) { emails {
  now: consents { purpose status }
  then: consents(asOf: $asOf) { purpose status }
  consentHistory { status recordedAt effectiveAt }
} } }`;

const marketing = (consents: { purpose: string; status: string }[]) => consents.find((c) => c.purpose === 'MARKETING')!.status;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A customer with one email, made by a touchpoint (no consent yet). */
async function customerWithEmail(): Promise<{ id: string; emailId: string; email: string }> {
  const email = `e.${unique()}@example.com`;
  const res = await app.gql(`mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id emails { id } } }`,
    { input: { touchpoint: 'ONLINE_PURCHASE', emails: [email] } }, ['agent']);
  expect(res.errors).toBeUndefined();
  return { id: res.data!.recordTouchpoint.id, emailId: res.data!.recordTouchpoint.emails[0].id, email };
}

describe('consent as-of is a proof', () => {
  it('records a decision at the service\'s own time, and effectiveAt is that time when the caller gives none', async () => {
    const c = await customerWithEmail();
    const before = Date.now();
    const set = await app.gql(SET, { input: { contactPointId: c.emailId, purpose: 'MARKETING', status: 'GRANTED', source: 'CHAT' } }, ['agent']);
    expect(set.errors).toBeUndefined();
    const read = await app.gql(EMAIL, { id: c.id, asOf: null }, ['viewer']);
    const [event] = read.data!.customer.emails[0].consentHistory;
    expect(event.effectiveAt).toBe(event.recordedAt);
    expect(set.data!.setConsent.recordedAt).toBe(event.recordedAt);
    expect(Date.parse(event.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps a backdated grant out of every answer for an instant before it was recorded', async () => {
    const c = await customerWithEmail();
    const lastYear = new Date(Date.now() - 365 * 86_400_000).toISOString();
    await pause(20);
    const beforeWrite = new Date().toISOString();
    await pause(20);
    const grant = await app.gql(TOUCHPOINT, {
      input: { touchpoint: 'IN_STORE', emails: [c.email], occurredAt: lastYear, consents: [{ purpose: 'MARKETING', status: 'GRANTED' }] },
    }, ['ingest']);
    expect(grant.errors).toBeUndefined();
    const read = await app.gql(EMAIL, { id: c.id, asOf: beforeWrite }, ['viewer']);
    const email = read.data!.customer.emails[0];
    expect(email.consentHistory).toEqual([{ status: 'GRANTED', recordedAt: expect.any(String), effectiveAt: lastYear }]);
    expect(Date.parse(email.consentHistory[0].recordedAt)).toBeGreaterThan(Date.parse(beforeWrite));
    // Asked about an instant before the write, the answer is what was allowed then: nothing.
    expect(marketing(email.then)).toBe('UNKNOWN');
    expect(marketing(email.now)).toBe('GRANTED');
    const lastMonth = await app.gql(EMAIL, { id: c.id, asOf: new Date(Date.now() - 30 * 86_400_000).toISOString() }, ['viewer']);
    expect(marketing(lastMonth.data!.customer.emails[0].then)).toBe('UNKNOWN');
  });

  it('does not let an import of an older grant undo a later withdrawal', async () => {
    const c = await customerWithEmail();
    const revoke = await app.gql(SET, { input: { contactPointId: c.emailId, purpose: 'MARKETING', status: 'REVOKED', source: 'CHAT' } }, ['agent']);
    expect(revoke.errors).toBeUndefined();
    const lastYear = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const importOld = await app.gql(TOUCHPOINT, {
      input: { touchpoint: 'IN_STORE', emails: [c.email], occurredAt: lastYear, consents: [{ purpose: 'MARKETING', status: 'GRANTED' }] },
    }, ['ingest']);
    expect(importOld.errors).toBeUndefined();
    const read = await app.gql(EMAIL, { id: c.id, asOf: null }, ['viewer']);
    const email = read.data!.customer.emails[0];
    expect(email.consentHistory.map((e: any) => e.status)).toEqual(['REVOKED', 'GRANTED']);
    expect(marketing(email.now)).toBe('REVOKED');
    // consent_current (what segments read) agrees with the ledger's answer.
    const { rows } = await app.pool.query(`SELECT status FROM consent_current WHERE identity_id = $1 AND purpose = 'MARKETING'`, [c.emailId]);
    expect(rows).toEqual([{ status: 'REVOKED' }]);
  });

  it('lets a later decision given later win, as before', async () => {
    const c = await customerWithEmail();
    for (const status of ['GRANTED', 'REVOKED', 'GRANTED']) {
      const res = await app.gql(SET, { input: { contactPointId: c.emailId, purpose: 'MARKETING', status, source: 'CHAT' } }, ['agent']);
      expect(res.errors).toBeUndefined();
    }
    const read = await app.gql(EMAIL, { id: c.id, asOf: null }, ['viewer']);
    expect(marketing(read.data!.customer.emails[0].now)).toBe('GRANTED');
  });

  it('refuses to rewrite effective_at, as any other ledger column', async () => {
    const c = await customerWithEmail();
    await app.gql(SET, { input: { contactPointId: c.emailId, purpose: 'MARKETING', status: 'GRANTED', source: 'CHAT' } }, ['agent']);
    await expect(app.pool.query(`UPDATE consent_events SET effective_at = effective_at - interval '1 day' WHERE contact_point_id = $1`, [c.emailId]))
      .rejects.toThrow(/append-only/);
    const client = await app.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('social_crm.ledger_rewrite', 'erasure', true)`);
      await expect(client.query(`UPDATE consent_events SET effective_at = effective_at - interval '1 day' WHERE contact_point_id = $1`, [c.emailId]))
        .rejects.toThrow(/append-only/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('migration ConsentEffectiveAt', () => {
  it('backfills effective_at from recorded_at, keeps every state, and its down puts the customer\'s time back into recorded_at', async () => {
    await withScratchDatabase(async (url) => {
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations();
        const newer = migrations.length - migrations.findIndex((m) => m.name === 'ConsentEffectiveAt1795891000000');
        for (let n = 0; n < newer; n++) await ds.undoLastMigration();
        const [{ id }] = await ds.query(`INSERT INTO customers (display_name) VALUES ('Ledger Customer') RETURNING id`);
        const [{ id: identity }] = await ds.query(
          `INSERT INTO social_identities (customer_id, platform, handle, captured_via, captured_by) VALUES ($1, 'TWITTER', 'ledger', 'IMPORT', 't') RETURNING id`,
          [id],
        );
        await ds.query(
          `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by, recorded_at)
           VALUES ($1, $2, 'MARKETING', 'GRANTED', 'IMPORT', 't', '2026-01-01T00:00:00Z')`, [id, identity],
        );
        await ds.runMigrations();
        const state = async () => (await ds.query(`SELECT status FROM consent_current WHERE identity_id = $1`, [identity]))[0].status;
        expect(await ds.query(`SELECT effective_at = recorded_at AS same FROM consent_events WHERE customer_id = $1`, [id])).toEqual([{ same: true }]);
        expect(await state()).toBe('GRANTED');
        // A withdrawal the customer gave before the grant, imported now: recorded now, it does not undo the grant.
        await ds.query(
          `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by, effective_at)
           VALUES ($1, $2, 'MARKETING', 'REVOKED', 'IMPORT', 't', '2025-06-01T00:00:00Z')`, [id, identity],
        );
        expect(await state()).toBe('GRANTED');
        for (let n = 0; n < newer; n++) await ds.undoLastMigration();
        const rows = await ds.query(`SELECT status, recorded_at AS "recordedAt" FROM consent_events WHERE customer_id = $1 ORDER BY id`, [id]);
        expect(rows).toEqual([
          { status: 'GRANTED', recordedAt: new Date('2026-01-01T00:00:00Z') },
          { status: 'REVOKED', recordedAt: new Date('2025-06-01T00:00:00Z') },
        ]);
        expect(await state()).toBe('GRANTED');
        await ds.runMigrations();
        expect(await state()).toBe('GRANTED');
      } finally {
        await ds.destroy();
      }
    }, { migrate: false });
  });
});
