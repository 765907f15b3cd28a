import fc from 'fast-check';
import { insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

// Property: after any sequence of changes (consent for marketing and profiling, tiers, scores,
// interactions, merges) and a drain of the segment worker, every saved segment's memberCount and
// members are exactly what a fresh segment(filter) answers: the same customers with the same
// identifiers, and the stored memberships hold no one else.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CUSTOMERS = 12;
const TIERS = ['NONE', 'SILVER', 'GOLD'] as const;

const action = fc.oneof(
  fc.record({ kind: fc.constant('consent' as const), who: fc.nat(CUSTOMERS - 1), which: fc.nat(1), purpose: fc.constantFrom('MARKETING', 'PROFILING') as fc.Arbitrary<'MARKETING' | 'PROFILING'>, status: fc.constantFrom('GRANTED', 'REVOKED') as fc.Arbitrary<'GRANTED' | 'REVOKED'> }),
  fc.record({ kind: fc.constant('tier' as const), who: fc.nat(CUSTOMERS - 1), tier: fc.constantFrom(...TIERS) }),
  fc.record({ kind: fc.constant('score' as const), who: fc.nat(CUSTOMERS - 1), score: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('interaction' as const), who: fc.nat(CUSTOMERS - 1), category: fc.constantFrom('COMPLAINT', 'QUESTION') }),
  fc.record({ kind: fc.constant('merge' as const), who: fc.nat(CUSTOMERS - 1), into: fc.nat(CUSTOMERS - 1) }),
);

const PAGE = `query($filter: SegmentFilter!, $after: String) { segment(filter: $filter, first: 5, after: $after) {
  edges { node { customer { id } identities { id } emails { id } } } pageInfo { hasNextPage endCursor } } }`;
const SAVED = `query($id: ID!, $after: String) { savedSegment(id: $id) { memberCount members(first: 5, after: $after) {
  edges { node { customer { id } identities { id } emails { id } } } pageInfo { hasNextPage endCursor } } } }`;

/** Every member of a paged answer as "customer: identifier ids", sorted. */
async function allPages(read: (after: string | null) => Promise<any>): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await read(after);
    for (const { node } of page.edges) out.push(`${node.customer.id}: ${[...node.identities, ...node.emails].map((i: { id: string }) => i.id).sort().join(',')}`);
    if (!page.pageInfo.hasNextPage) return out.sort();
    after = page.pageInfo.endCursor;
  }
}

describe('saved segments (property)', () => {
  it('memberCount and members equal a fresh segment(filter) after random changes and a drain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 25 }), async (actions) => {
        const country = `Q${unique()}`.toUpperCase();
        const people = [];
        for (let n = 0; n < CUSTOMERS; n++) {
          const c = await createCustomer(app.pool, {
            country, emails: [`p${unique()}@property.example`], handles: [{ platform: 'TWITTER', handle: `prop${unique()}` }],
          });
          const { rows } = await app.pool.query(`SELECT id FROM contact_points WHERE customer_id = $1`, [c.id]);
          people.push({ id: c.id, identities: [{ id: c.socialIdentityIds[0], kind: 'SOCIAL' as const }, { id: rows[0].id as string, kind: 'CONTACT' as const }] });
        }
        const filters = [
          { country },
          { country, tiers: ['GOLD', 'SILVER'] },
          { country, platforms: ['TWITTER'] },
          { country, categories: ['COMPLAINT'] },
          { country, minInfluence: 5 },
        ];
        const saved: { id: string; filter: Record<string, unknown> }[] = [];
        for (const [n, filter] of filters.entries()) {
          const res = await app.gql(`mutation($input: SavedSegmentInput!) { saveSegment(input: $input) { id } }`, { input: { name: `prop-${country}-${n}`, filter } }, ['marketing']);
          expect(res.errors).toBeUndefined();
          saved.push({ id: res.data!.saveSegment.id, filter });
        }

        for (const a of actions) {
          const who = people[a.who];
          if (a.kind === 'consent') {
            await insertConsentEvents(app.pool, [{ identityId: who.identities[a.which].id, kind: who.identities[a.which].kind, purpose: a.purpose, status: a.status }]);
          } else if (a.kind === 'tier') {
            await app.pool.query(`UPDATE customers SET tier = $2 WHERE id = $1`, [who.id, a.tier]);
          } else if (a.kind === 'score') {
            await app.pool.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at) VALUES ($1, $2, 'property', now())`, [who.id, a.score]);
          } else if (a.kind === 'interaction') {
            const { rows } = await app.pool.query(
              `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
               VALUES ($1, 'EMAIL', 'EMAIL', ARRAY['EMAIL'], now(), now()) RETURNING id`, [who.id]);
            await app.pool.query(
              `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category)
               VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'property', $3)`, [who.id, rows[0].id, a.category]);
          } else if (a.who !== a.into) {
            // Merges refuse merged or erased customers: such an attempt changes nothing, as in real use.
            await app.gql(`mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }`, { s: people[a.into].id, m: who.id }, ['supervisor']);
          }
        }
        await app.app.segments.drain();

        for (const s of saved) {
          const fresh = await allPages(async (after) => (await app.gql(PAGE, { filter: s.filter, after }, ['marketing'])).data!.segment);
          let count = -1;
          const members = await allPages(async (after) => {
            const res = await app.gql(SAVED, { id: s.id, after }, ['marketing']);
            count = res.data!.savedSegment.memberCount;
            return res.data!.savedSegment.members;
          });
          expect([s.filter, members]).toEqual([s.filter, fresh]);
          expect([s.filter, count]).toEqual([s.filter, fresh.length]);
        }
        for (const s of saved) await app.gql(`mutation($id: ID!) { deleteSegment(id: $id) }`, { id: s.id }, ['marketing']);
      }),
      { numRuns: 8, endOnFailure: true },
    );
  });
});
