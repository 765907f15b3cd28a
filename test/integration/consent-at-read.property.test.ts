import fc from 'fast-check';
import { requeueExpiredProfiling } from '../../src/influence/profiling-expiry';
import { insertConsentEvents, type EventSpec } from '../helpers/consent';
import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

// Property: after any sequence of PROFILING decisions (grant, withdraw, deny, a grant that has
// expired) on any of a customer's identities, every read that uses profiling data uses it for
// exactly the customers who hold PROFILING at that instant (some identity's newest decision is an
// unexpired grant): segment membership by influence, influence topic, post topics and
// categories; the influence part of the care queue's rank; marketing's view of the scores; and
// the scorer itself. Checked after every step, so a withdrawal or an expiry must count at once.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CUSTOMERS = 3;
type Action = 'GRANT' | 'REVOKE' | 'DENY' | 'EXPIRED_GRANT';
const step = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS - 1 }),
  identity: fc.constantFrom('SOCIAL', 'CONTACT') as fc.Arbitrary<'SOCIAL' | 'CONTACT'>,
  action: fc.constantFrom<Action>('GRANT', 'GRANT', 'REVOKE', 'DENY', 'EXPIRED_GRANT'),
});

interface Fixture {
  id: string;
  handleId: string;
  emailId: string;
}

const MEMBERS = `query($filter: SegmentFilter!) { segment(filter: $filter, first: 100) { edges { node {
  customer { id influence { score } influenceByTopic { topic } } } } } }`;
const QUEUE = `query($group: String) { careQueue(skillGroup: $group, first: 50) { edges { node {
  interaction { customer { id } } priority { reasons { factor contribution } } } } } }`;

/** An analysed post (category and topic from its content) that is also an open item of the queue. */
async function openPost(customerId: string, topic: string, group: string): Promise<void> {
  await app.pool.query(
    `WITH conv AS (
       INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, 'TWITTER', 'TWITTER', ARRAY['TWITTER'], now(), now()) RETURNING id)
     INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, topics, lane,
                               skill_group, sla_due_at)
     SELECT $1, conv.id, 'TWITTER', 'INBOUND', now() - interval '10 minutes', 'my car', 'COMPLAINT', ARRAY[$2], 'CUSTOMER_SERVICE',
            $3, now() + interval '1 hour' FROM conv`,
    [customerId, topic, group],
  );
}

async function setUp(country: string, topic: string, group: string): Promise<Fixture[]> {
  const fixtures: Fixture[] = [];
  for (let n = 0; n < CUSTOMERS; n++) {
    const c = await createCustomer(app.pool, {
      country, tier: 'SILVER', emails: [`p.${unique()}@example.com`], phones: [`+1202${uniqueLocalDigits()}`],
      handles: [{ platform: 'TWITTER', handle: `p${unique()}`, followerCount: 10 }],
      influence: [{ score: 7, measuredAt: new Date() }, { score: 8, topic, measuredAt: new Date() }],
    });
    const { rows } = await app.pool.query<{ id: string }>(`SELECT id FROM contact_points WHERE customer_id = $1 AND kind = 'EMAIL'`, [c.id]);
    await openPost(c.id, topic, group);
    fixtures.push({ id: c.id, handleId: c.socialIdentityIds[0], emailId: rows[0].id });
  }
  // Every customer is reachable for marketing: segment membership then turns on PROFILING alone.
  await insertConsentEvents(app.pool, fixtures.map((f) => ({ identityId: f.handleId, status: 'GRANTED' as const, purpose: 'MARKETING' as const })));
  return fixtures;
}

async function members(filter: Record<string, unknown>): Promise<any[]> {
  const res = await app.gql(MEMBERS, { filter }, ['marketing']);
  expect(res.errors).toBeUndefined();
  return res.data!.segment.edges.map((e: any) => e.node.customer);
}

const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('consent at the instant of the read (property)', () => {
  it('reads no customer\'s profiling data while PROFILING is not granted, after any sequence of grants, withdrawals and expiries', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        round += 1;
        const country = `Q${unique()}`.toUpperCase();
        const topic = `prop${unique()}`;
        const group = `prop-${unique()}`;
        const fixtures = await setUp(country, topic, group);
        const all = fixtures.map((f) => f.id);
        // The newest PROFILING decision per identity, as the model sees it.
        const granted = new Map<string, boolean>();
        for (const [n, s] of steps.entries()) {
          const f = fixtures[s.customer];
          const identityId = s.identity === 'SOCIAL' ? f.handleId : f.emailId;
          const spec: EventSpec = {
            identityId, kind: s.identity, purpose: 'PROFILING',
            status: s.action === 'REVOKE' ? 'REVOKED' : s.action === 'DENY' ? 'DENIED' : 'GRANTED',
            expiresAt: s.action === 'EXPIRED_GRANT' ? new Date(Date.now() - 1000) : null,
          };
          await insertConsentEvents(app.pool, [spec]);
          granted.set(identityId, s.action === 'GRANT');
          const holders = new Set(fixtures.filter((x) => granted.get(x.handleId) || granted.get(x.emailId)).map((x) => x.id));
          const expected = sorted(holders);

          // Segment membership by every profiling filter.
          for (const filter of [{ minInfluence: 1 }, { influenceTopic: topic }, { topics: [topic] }, { categories: ['COMPLAINT'] }]) {
            expect({ filter, ids: sorted((await members({ country, ...filter })).map((c) => c.id)) }).toEqual({ filter, ids: expected });
          }
          // Marketing's view of the scores of every member.
          const everyone = await members({ country });
          expect(sorted(everyone.map((c) => c.id))).toEqual(sorted(all));
          for (const c of everyone) {
            expect({ id: c.id, overall: c.influence !== null, topics: c.influenceByTopic.length > 0 })
              .toEqual({ id: c.id, overall: holders.has(c.id), topics: holders.has(c.id) });
          }
          // The influence part of each queue item's rank.
          const queue = await app.gql(QUEUE, { group }, ['agent']);
          expect(queue.errors).toBeUndefined();
          const items = queue.data!.careQueue.edges.map((e: any) => e.node);
          expect(items).toHaveLength(CUSTOMERS);
          for (const item of items) {
            const influence = item.priority.reasons.filter((r: any) => r.factor === 'influence').reduce((sum: number, r: any) => sum + r.contribution, 0);
            expect({ id: item.interaction.customer.id, ranked: influence > 0 }).toEqual({ id: item.interaction.customer.id, ranked: holders.has(item.interaction.customer.id) });
          }
          // The scorer: new follower counts change every score, so it writes for exactly the holders.
          await app.pool.query(`UPDATE social_identities SET follower_count = $2 WHERE id = ANY($1::uuid[])`, [fixtures.map((x) => x.handleId), 10 ** (2 + n)]);
          const before = await app.pool.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM influence_scores`);
          const scored = await app.gql(`mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score } }`, { ids: all }, ['ingest']);
          expect(scored.errors).toBeUndefined();
          const written = await app.pool.query<{ customerId: string }>(
            `SELECT DISTINCT customer_id AS "customerId" FROM influence_scores WHERE id > $1::bigint AND customer_id = ANY($2::uuid[]) AND computed`,
            [before.rows[0].id, all],
          );
          expect(sorted(written.rows.map((r) => r.customerId))).toEqual(expected);
        }
      }),
      { numRuns: 12 },
    );
    expect(round).toBeGreaterThanOrEqual(12);
  }, 120_000);
});

describe('a PROFILING grant that expires', () => {
  it('stops counting in the queue\'s reasons at the next read, and in its stored order at the next expiry re-rank', async () => {
    const group = `expiry-${unique()}`;
    const topic = `exp${unique()}`;
    const plain = await createCustomer(app.pool, { tier: 'GOLD' });
    const scored = await createCustomer(app.pool, {
      tier: 'NONE', handles: [{ platform: 'TWITTER', handle: `x${unique()}` }], influence: [{ score: 10, measuredAt: new Date() }],
    });
    await insertConsentEvents(app.pool, [
      { identityId: scored.socialIdentityIds[0], purpose: 'PROFILING', status: 'GRANTED', expiresAt: new Date(Date.now() + 1500) },
    ]);
    await openPost(plain.id, topic, group);
    await openPost(scored.id, topic, group);
    const read = async () => {
      const res = await app.gql(QUEUE, { group }, ['agent']);
      expect(res.errors).toBeUndefined();
      return res.data!.careQueue.edges.map((e: any) => ({
        id: e.node.interaction.customer.id,
        influence: e.node.priority.reasons.filter((r: any) => r.factor === 'influence').reduce((sum: number, r: any) => sum + r.contribution, 0),
      }));
    };
    expect(await read()).toEqual([{ id: scored.id, influence: 50 }, { id: plain.id, influence: 0 }]);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    // Nothing was written: the reasons already leave the expired influence out.
    expect((await read()).map((i: { influence: number }) => i.influence)).toEqual([0, 0]);
    expect(await requeueExpiredProfiling(app.pool, 3600)).toBeGreaterThanOrEqual(1);
    expect(await read()).toEqual([{ id: plain.id, influence: 0 }, { id: scored.id, influence: 0 }]);
  });
});
