import { startTestApp, type TestApp } from '../helpers/app';
import { insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function customerWithConsent(wording: string | null = null) {
  const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
  await insertConsentEvents(app.pool, [{ identityId: c.socialIdentityIds[0], status: 'GRANTED', wording }]);
  return c;
}
const ledger = async (customerId: string) =>
  (await app.pool.query(`SELECT customer_id AS "customerId", status, wording FROM consent_events WHERE social_identity_id = ANY(
     SELECT id FROM social_identities WHERE customer_id = $1) ORDER BY id`, [customerId])).rows;
const audits = async (subject: string, action: string) =>
  (await app.pool.query(`SELECT details FROM audit_log WHERE subject = $1 AND action = $2 ORDER BY id`, [subject, action])).rows.map((r) => r.details);

describe('the consent ledger is append-only in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of consent_events', async () => {
    const c = await customerWithConsent();
    await expect(app.pool.query(`UPDATE consent_events SET status = 'DENIED' WHERE customer_id = $1`, [c.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(app.pool.query(`DELETE FROM consent_events WHERE customer_id = $1`, [c.id])).rejects.toThrow(/append-only: DELETE refused/);
    // In a transaction rolled back whatever happens: a TRUNCATE let through must not empty the shared test database.
    const client = await app.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(client.query(`TRUNCATE consent_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await ledger(c.id)).toEqual([{ customerId: c.id, status: 'GRANTED', wording: null }]);
  });

  it('opens only the narrow path of its reason: a merge may move rows, not change a decision; nothing opens DELETE', async () => {
    const c = await customerWithConsent();
    const client = await app.pool.connect();
    try {
      const attempt = async (reason: string, sql: string) => {
        await client.query('BEGIN');
        try {
          await client.query(`SELECT set_config('social_crm.ledger_rewrite', $1, true)`, [reason]);
          await client.query(sql, [c.id]);
        } finally {
          await client.query('ROLLBACK');
        }
      };
      await expect(attempt('merge', `UPDATE consent_events SET status = 'DENIED' WHERE customer_id = $1`)).rejects.toThrow(/append-only/);
      await expect(attempt('erasure', `UPDATE consent_events SET customer_id = customer_id, expires_at = now() WHERE customer_id = $1`)).rejects.toThrow(/append-only/);
      await expect(attempt('erasure', `DELETE FROM consent_events WHERE customer_id = $1`)).rejects.toThrow(/append-only/);
      await expect(attempt('anything', `UPDATE consent_events SET wording = 'x' WHERE customer_id = $1`)).rejects.toThrow(/append-only/);
      await attempt('erasure', `UPDATE consent_events SET wording = 'erased' WHERE customer_id = $1`);
    } finally {
      client.release();
    }
  });

  it('a merge and its undo move ledger rows through that path, and the audit log records each rewrite', async () => {
    const [survivor, merged] = [await customerWithConsent(), await customerWithConsent()];
    const merge = await app.gql(`mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }`, { s: survivor.id, m: merged.id }, ['supervisor']);
    expect(merge.errors).toBeUndefined();
    const moved = await app.pool.query(`SELECT customer_id AS c FROM consent_events WHERE social_identity_id = $1`, [merged.socialIdentityIds[0]]);
    expect(moved.rows).toEqual([{ c: survivor.id }]);
    expect(await audits(survivor.id, 'CONSENT_LEDGER_REWRITTEN')).toEqual([{ reason: 'merge', rows: 1, mergedId: merged.id }]);
    const mergeId = merge.data!.mergeCustomers.id;
    const undo = await app.gql(`mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`, { id: mergeId }, ['supervisor']);
    expect(undo.errors).toBeUndefined();
    expect(await ledger(merged.id)).toEqual([{ customerId: merged.id, status: 'GRANTED', wording: null }]);
    expect(await audits(merged.id, 'CONSENT_LEDGER_REWRITTEN')).toEqual([{ reason: 'merge', rows: 1, mergeId, undo: true }]);
  });

  it('erasure still scrubs the ledger wording, through the erasure path, audited', async () => {
    const email = `e.${unique()}@example.com`;
    const c = await customerWithConsent(`agreed by ${email}`);
    await app.pool.query(`INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by) VALUES ($1, 'EMAIL', $2, 'IMPORT', 'test')`, [c.id, email]);
    const erased = await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: c.id }, ['admin']);
    expect(erased.errors).toBeUndefined();
    const [row] = await ledger(c.id);
    expect(row.status).toBe('GRANTED');
    expect(row.wording).not.toContain(email);
    expect(await audits(c.id, 'CONSENT_LEDGER_REWRITTEN')).toContainEqual({ reason: 'erasure', rows: 1, column: 'wording' });
  });

  it('audits consents given at a touchpoint as setConsent does', async () => {
    const res = await app.gql(`mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`, {
      input: { touchpoint: 'NEWSLETTER_OPT_IN', emails: [`n.${unique()}@example.com`], consents: [{ purpose: 'MARKETING', status: 'GRANTED', wordingVersion: 'nl-3' }] },
    }, ['ingest']);
    const id = res.data!.recordTouchpoint.id;
    const [entry] = await audits(id, 'CONSENT_CHANGED');
    expect(entry).toMatchObject({ purpose: 'MARKETING', status: 'GRANTED', source: 'NEWSLETTER_OPT_IN', wordingVersion: 'nl-3', via: 'touchpoint' });
    expect(entry.contactPointId).toEqual(expect.any(String));
  });
});
