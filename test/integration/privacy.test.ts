import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { contactPointIds, insertConsentEvents } from '../helpers/consent';
import { startTestApp, type TestApp } from '../helpers/app';
import { findAnywhere as findAnywhereIn } from '../helpers/find-anywhere';
import { patternsFor } from '../../src/privacy/privacy.service';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const EXPORT = `query($id: ID!) { exportCustomer(id: $id) }`;
const ERASE = `mutation($id: ID!) { eraseCustomer(id: $id) }`;

/** A customer with a row in every core table, PII in free text, and a customer merged into it. */
async function richCustomer() {
  const n = unique();
  const digits = uniqueLocalDigits();
  const phoneNational = `(313) ${digits.slice(0, 3)}-${digits.slice(3)}`;
  const pii = {
    name: `Erin Erasable ${n}`, email: `erin.${n}@example.com`, phone: `+1313${digits}`,
    handle: `erin${n}`, externalId: `ext${n}`, profileUrl: `https://twitter.com/erin${n}`, content: `my card ends 4242 ${n}`,
    mergedEmail: `old.erin.${n}@example.com`, interactionExternalId: `tweet-${n}`,
  };
  const c = await createCustomer(app.pool, {
    displayName: pii.name, city: 'Plymouth', region: 'MI', emails: [pii.email], phones: [pii.phone],
    handles: [{ platform: 'TWITTER', handle: pii.handle, externalUserId: pii.externalId }],
    interactions: [
      { channel: 'TWITTER', category: 'COMPLAINT', content: `${pii.content} @${pii.handle}`, topics: ['warranty', `#${pii.handle}`], occurredAt: new Date('2026-02-01T10:00:00Z') },
      { channel: 'EMAIL', category: 'QUESTION', content: `write to ${pii.email}`, occurredAt: new Date('2026-02-02T10:00:00Z') },
    ],
    influence: [{ score: 7, measuredAt: new Date('2026-02-01T00:00:00Z') }],
  });
  await app.pool.query(`UPDATE customers SET attributes = $2 WHERE id = $1`, [c.id, { loyaltyId: `L-${n}`, contactEmail: pii.email }]);
  await app.pool.query(`UPDATE social_identities SET profile_url = $2 WHERE id = $1`, [c.socialIdentityIds[0], pii.profileUrl]);
  await app.pool.query(`UPDATE interactions SET external_id = $2 WHERE id = $1`, [c.interactionIds[0], pii.interactionExternalId]);
  await app.pool.query(
    `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_by, resolution)
     VALUES ($1, $2, 'RETENTION', $3, 'agent-7', $4)`,
    [c.id, c.interactionIds[0], `${pii.name} says cancel`, `called ${pii.phone}`],
  );
  await app.pool.query(
    `INSERT INTO tier_changes (customer_id, tier, previous_tier, reason, changed_by) VALUES ($1, 'GOLD', 'NONE', $2, 'sup-1')`,
    [c.id, `asked by ${pii.email}, call back on ${phoneNational}`],
  );
  const contacts = await contactPointIds(app.pool, c.id);
  // Free text the erasure knows nothing specific about: found by the generic pass, phone in national form.
  const wording = `read out to ${phoneNational}`;
  await insertConsentEvents(app.pool, [
    { identityId: c.socialIdentityIds[0], status: 'GRANTED', wording },
    { identityId: contacts[pii.email], kind: 'CONTACT', status: 'GRANTED', wording },
  ]);
  const merged = await createCustomer(app.pool, { displayName: pii.name, emails: [pii.mergedEmail] });
  await app.pool.query(`UPDATE customers SET merged_into = $2 WHERE id = $1`, [merged.id, c.id]);
  return { ...c, mergedId: merged.id, pii, phoneNational };
}

/** Every public table with customer_id, and how many rows each holds for these customers. */
async function rowsPerTable(customerIds: string[]): Promise<Record<string, number>> {
  const { rows: tables } = await app.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'customer_id'
        AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE customer_id = ANY($1::uuid[])`, [customerIds]);
    counts[table_name] = rows[0].n;
  }
  return counts;
}

const findAnywhere = (value: string) => findAnywhereIn(app.pool, value);

/** What service metrics count: interactions by channel, category and day, and identities by platform. */
async function aggregates(customerIds: string[]) {
  const { rows } = await app.pool.query(
    `SELECT channel, category, date_trunc('day', occurred_at) AS day, count(*)::int AS n FROM interactions
      WHERE customer_id = ANY($1::uuid[]) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [customerIds],
  );
  const { rows: platforms } = await app.pool.query(
    `SELECT platform, count(*)::int AS n FROM social_identities WHERE customer_id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 1`,
    [customerIds],
  );
  const { rows: escalations } = await app.pool.query(
    `SELECT team, count(*)::int AS n FROM escalations WHERE customer_id = ANY($1::uuid[]) GROUP BY 1`,
    [customerIds],
  );
  return { rows, platforms, escalations };
}

describe('exportCustomer', () => {
  it('returns every row of every customer-owned table for the customer and the customers merged into it', async () => {
    const c = await richCustomer();
    const res = await app.gql(EXPORT, { id: c.id }, ['admin']);
    expect(res.errors).toBeUndefined();
    const doc = res.data!.exportCustomer;
    const expected = await rowsPerTable([c.id, c.mergedId]);
    // Every customer_id table, and the rows about them the inventory names (audit entries, merges).
    expect(Object.keys(doc.tables)).toEqual(expect.arrayContaining(Object.keys(expected)));
    for (const [table, count] of Object.entries(expected)) {
      if (table !== 'segment_dirty_customers') expect([table, doc.tables[table].length]).toEqual([table, count]); // a queue drained at any time
    }
    expect(doc.customers.map((r: { id: string }) => r.id).sort()).toEqual([c.id, c.mergedId].sort());
    expect(expected.consent_events).toBe(2);
    expect(expected.escalations).toBe(1);
    const text = JSON.stringify(doc);
    for (const value of [c.pii.email, c.pii.phone, c.pii.handle, c.pii.content, c.pii.mergedEmail]) expect(text).toContain(value);
  });

  it('answers the same document for a merged customer id', async () => {
    const c = await richCustomer();
    const res = await app.gql(EXPORT, { id: c.mergedId }, ['admin']);
    expect(res.data!.exportCustomer.customerId).toBe(c.id);
  });

  it.each(['viewer', 'supervisor', 'marketing'])('refuses %s with FORBIDDEN', async (role) => {
    const c = await createCustomer(app.pool);
    expect((await app.gql(EXPORT, { id: c.id }, [role as never])).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(ERASE, { id: c.id }, [role as never])).errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND for an unknown customer and BAD_USER_INPUT for a malformed id', async () => {
    expect((await app.gql(EXPORT, { id: '00000000-0000-4000-8000-000000000000' }, ['admin'])).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await app.gql(ERASE, { id: '00000000-0000-4000-8000-000000000000' }, ['admin'])).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await app.gql(EXPORT, { id: 'nope' }, ['admin'])).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('eraseCustomer', () => {
  it('leaves no trace of the erased values in any column of any table, and keeps the aggregates', async () => {
    const c = await richCustomer();
    const family = [c.id, c.mergedId];
    const before = await aggregates(family);
    const rowsBefore = await rowsPerTable(family);
    for (const value of Object.values(c.pii)) expect(await findAnywhere(value)).not.toEqual([]);
    expect(await findAnywhere(c.phoneNational)).toEqual(['consent_events.wording', 'tier_changes.reason']);

    const res = await app.gql(ERASE, { id: c.id }, ['admin']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.eraseCustomer).toBe(true);

    for (const value of Object.values(c.pii)) expect([value, await findAnywhere(value)]).toEqual([value, []]);
    expect(await findAnywhere(c.phoneNational)).toEqual([]);
    expect(await aggregates(family)).toEqual(before);
    const rowsAfter = await rowsPerTable(family);
    // Erasure adds its own record and its CUSTOMER_ERASED event; every other table keeps its rows.
    // segment_dirty_customers is a queue the segment workers of other test files drain at any time
    // (and erasure's own updates mark the customer again): its count is not the customer's data.
    const steady = (counts: Record<string, number>) => ({ ...counts, erasures: 0, outbox_events: 0, segment_dirty_customers: 0 });
    expect(steady(rowsAfter)).toEqual(steady(rowsBefore));
    expect(rowsAfter.outbox_events).toBe(rowsBefore.outbox_events + 1);
  });

  it('writes one erasure record with who and when, and is idempotent', async () => {
    const c = await richCustomer();
    expect((await app.gql(ERASE, { id: c.id }, ['admin'])).data!.eraseCustomer).toBe(true);
    const first = (await app.gql(EXPORT, { id: c.id }, ['admin'])).data!.exportCustomer;
    expect((await app.gql(ERASE, { id: c.id }, ['admin'])).data!.eraseCustomer).toBe(true);
    const second = (await app.gql(EXPORT, { id: c.id }, ['admin'])).data!.exportCustomer;
    // The audit trail gains the first export's entry and nothing else changes.
    // (segment_dirty_customers: a queue drained at any time, as above.)
    expect({ ...second.tables, audit_log: [], segment_dirty_customers: [] }).toEqual({ ...first.tables, audit_log: [], segment_dirty_customers: [] });
    expect(second.tables.audit_log.slice(first.tables.audit_log.length).map((e: { action: string }) => e.action)).toEqual(['CUSTOMER_EXPORTED']);
    const { rows } = await app.pool.query(`SELECT erased_by, erased_at, counts FROM erasures WHERE customer_id = $1`, [c.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].erased_by).toBe('test-user');
    expect(rows[0].counts).toMatchObject({ customers: 2, contact_points: 3, social_identities: 1, interactions: 2 });
  });

  it('after erasure no read path returns the erased values and the customer leaves every segment', async () => {
    const c = await richCustomer();
    const country = `E${unique()}`.toUpperCase();
    await app.pool.query(`UPDATE customers SET country = $2 WHERE id = $1`, [c.id, country]);
    const segment = `query($country: String) { segment(filter: { country: $country }) { totalCount edges { node { customer { id } } } } }`;
    expect((await app.gql(segment, { country }, ['marketing'])).data!.segment.totalCount).toBe(1);
    await app.gql(ERASE, { id: c.id }, ['admin']);

    const read = await app.gql(`query($id: ID!) { customer(id: $id) {
      displayName city emails { value } phones { value } socialIdentities { handle externalUserId profileUrl consentHistory { status } }
      interactions { edges { node { content } } } openEscalations { reason } } }`, { id: c.id }, ['viewer']);
    expect(read.errors).toBeUndefined();
    expect(read.data!.customer.displayName).toBe('Erased customer');
    const text = JSON.stringify(read.data);
    for (const value of Object.values(c.pii)) expect(text).not.toContain(value);
    expect((await app.gql(`query($e: String) { lookupCustomer(email: $e) { id } }`, { e: c.pii.email }, ['viewer'])).data!.lookupCustomer).toBeNull();
    expect((await app.gql(segment, { country }, ['marketing'])).data!.segment).toEqual({ totalCount: 0, edges: [] });
  });

  it('refuses new consent on an identity of an erased customer with CONFLICT', async () => {
    const c = await richCustomer();
    await app.gql(ERASE, { id: c.id }, ['admin']);
    const res = await app.gql(
      `mutation($id: ID!) { setConsent(input: { socialIdentityId: $id, purpose: MARKETING, status: GRANTED, source: OTHER }) { status } }`,
      { id: c.socialIdentityIds[0] }, ['agent'],
    );
    expect(res.errors![0].extensions!.code).toBe('CONFLICT');
  });
});

describe('what erasure hunts in text', () => {
  /** Whether PostgreSQL finds the value's patterns in `text` the way erasure searches (case-insensitive). */
  const found = async (value: string, text: string) => (await app.pool.query(`SELECT $2 ~* $1 AS m`, [patternsFor(value).join('|'), text])).rows[0].m;

  it('finds a value only as whole words, so erasing "Bob" leaves "bobsled" in other people\'s words', async () => {
    expect(await found('Bob', 'ask bob, he knows')).toBe(true);
    expect(await found('Bob', 'the bobsled team')).toBe(false);
    expect(await found('erin.k@example.com', 'mail ERIN.K@example.com now')).toBe(true);
    expect(await found('erin.k@example.com', 'mail terin.k@example.com')).toBe(false);
  });

  it('finds a phone in E.164 and in the national forms people type, not inside a longer number', async () => {
    expect(await found('+13135550142', 'call +13135550142')).toBe(true);
    expect(await found('+13135550142', 'call (313) 555-0142 or 313.555.0142')).toBe(true);
    expect(await found('+13135550142', 'order 931355501420')).toBe(false);
  });
});
