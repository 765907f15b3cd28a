import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { insertConsentEvents, type EventSpec } from '../helpers/consent';
import { unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

// Property: for a marketing token, an identifier appears in `segment` if and only if its newest
// MARKETING decision is GRANTED and not expired at the moment of the query; a customer appears
// if and only if at least one of their identifiers does.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const MINUTE = 60_000;
const event = fc.record({
  status: fc.constantFrom('GRANTED', 'GRANTED', 'DENIED', 'REVOKED') as fc.Arbitrary<EventSpec['status']>,
  purpose: fc.constantFrom('MARKETING', 'MARKETING', 'MARKETING', 'SERVICE', 'PROFILING') as fc.Arbitrary<NonNullable<EventSpec['purpose']>>,
  minutesAgo: fc.integer({ min: 1, max: 500_000 }),
  // Expiry relative to now, kept two minutes clear of "now" so the test's own run time cannot flip it.
  expiresInMinutes: fc.option(fc.oneof(fc.integer({ min: -500_000, max: -2 }), fc.integer({ min: 2, max: 500_000 }))),
});
const history = fc.uniqueArray(event, { maxLength: 5, selector: (e) => e.minutesAgo });
const identity = fc.record({ kind: fc.constantFrom('SOCIAL', 'SOCIAL', 'CONTACT') as fc.Arbitrary<'SOCIAL' | 'CONTACT'>, history });
const customer = fc.array(identity, { minLength: 1, maxLength: 3 });

const PAGE = `query($country: String, $after: String) { segment(filter: { country: $country }, first: 100, after: $after) {
  edges { node { customer { id } identities { id } emails { id } phones { id } } } pageInfo { hasNextPage endCursor } } }`;

describe('segment consent (property)', () => {
  it('shows an identifier to marketing iff its marketing consent is granted and unexpired, over 1,000 random customers per run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(customer, { minLength: 1000, maxLength: 1000 }), async (customers) => {
        const country = `P${unique()}`.toUpperCase();
        const now = Date.now();
        const rows = { customers: [] as string[], identities: [] as { id: string; customerId: string; kind: 'SOCIAL' | 'CONTACT' }[] };
        const events: EventSpec[] = [];
        const expectedIdentities = new Set<string>();
        const expectedCustomers = new Set<string>();
        for (const identities of customers) {
          const customerId = randomUUID();
          rows.customers.push(customerId);
          for (const { kind, history: decisions } of identities) {
            const id = randomUUID();
            rows.identities.push({ id, customerId, kind });
            for (const e of decisions) {
              events.push({
                identityId: id, kind, purpose: e.purpose, status: e.status,
                recordedAt: new Date(now - e.minutesAgo * MINUTE),
                expiresAt: e.expiresInMinutes === null ? null : new Date(now + e.expiresInMinutes * MINUTE),
              });
            }
            const newest = decisions.filter((e) => e.purpose === 'MARKETING').sort((a, b) => a.minutesAgo - b.minutesAgo)[0];
            if (newest?.status === 'GRANTED' && (newest.expiresInMinutes === null || newest.expiresInMinutes > 0)) {
              expectedIdentities.add(id);
              expectedCustomers.add(customerId);
            }
          }
        }
        await insertRows(country, rows);
        await insertConsentEvents(app.pool, events);

        const seenIdentities = new Set<string>();
        const seenCustomers = new Set<string>();
        let after: string | null = null;
        for (;;) {
          const res: any = await app.gql(PAGE, { country, after }, ['marketing']);
          expect(res.errors).toBeUndefined();
          for (const { node } of res.data.segment.edges) {
            seenCustomers.add(node.customer.id);
            for (const i of [...node.identities, ...node.emails, ...node.phones]) seenIdentities.add(i.id);
          }
          if (!res.data.segment.pageInfo.hasNextPage) break;
          after = res.data.segment.pageInfo.endCursor;
        }
        expect([...seenIdentities].sort()).toEqual([...expectedIdentities].sort());
        expect([...seenCustomers].sort()).toEqual([...expectedCustomers].sort());
      }),
      { numRuns: 2, endOnFailure: true },
    );
  });
});

/** Customers, handles and emails in three set-based statements. */
async function insertRows(
  country: string,
  rows: { customers: string[]; identities: { id: string; customerId: string; kind: 'SOCIAL' | 'CONTACT' }[] },
): Promise<void> {
  await app.pool.query(
    `INSERT INTO customers (id, display_name, country) SELECT id, 'Property ' || id, $2 FROM unnest($1::uuid[]) AS id`,
    [rows.customers, country],
  );
  const social = rows.identities.filter((i) => i.kind === 'SOCIAL');
  await app.pool.query(
    `INSERT INTO social_identities (id, customer_id, platform, handle, captured_via, captured_by)
     SELECT id, customer_id, 'TWITTER', 'p' || replace(id::text, '-', ''), 'IMPORT', 'property'
       FROM unnest($1::uuid[], $2::uuid[]) AS t(id, customer_id)`,
    [social.map((i) => i.id), social.map((i) => i.customerId)],
  );
  const contact = rows.identities.filter((i) => i.kind === 'CONTACT');
  await app.pool.query(
    `INSERT INTO contact_points (id, customer_id, kind, value, captured_via, captured_by)
     SELECT id, customer_id, 'EMAIL', id || '@property.example', 'IMPORT', 'property'
       FROM unnest($1::uuid[], $2::uuid[]) AS t(id, customer_id)`,
    [contact.map((i) => i.id), contact.map((i) => i.customerId)],
  );
}
