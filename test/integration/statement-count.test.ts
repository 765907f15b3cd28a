import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
const skillGroup = `count-${unique()}`;
beforeAll(async () => {
  app = await startTestApp();
  // Enough customers, each with identities, interactions and influence, for a full page of 100.
  for (let n = 0; n < 100; n++) {
    const c = await createCustomer(app.pool, {
      emails: [`count-${n}-${unique()}@example.com`],
      handles: [{ platform: 'INSTAGRAM', handle: `count_${n}_${Math.random().toString(36).slice(2, 8)}` }],
      interactions: [{ channel: 'EMAIL' }, { channel: 'TWITTER' }],
      influence: [{ score: 4, measuredAt: new Date() }],
    });
    // Every customer's interactions are open inbound items of one skill group: a care queue of 200.
    await app.pool.query(`UPDATE interactions SET skill_group = $2, lane = 'CUSTOMER_SERVICE' WHERE customer_id = $1`, [c.id, skillGroup]);
  }
});
afterAll(() => app.close());

const SELECTION_360 = `
    id displayName tier
    emails { value consents { purpose status } }
    socialIdentities { platform handle followerCount consents { purpose status } }
    interactions(first: 20) { totalCount edges { cursor node { id channel occurredAt content category } } pageInfo { hasNextPage endCursor } }
    conversations(first: 5) { edges { node { id channels } } }
    influence { score trend } influenceByTopic { score } priority { score }
    openEscalations { id }`;

const LIST_360 = `query($first: Int!) { customers(first: $first) { edges { node { ${SELECTION_360} } } } }`;

const statements = (res: { headers: Record<string, string> }) => Number(res.headers['x-sql-statements']);

describe('SQL statements per customer 360 request', () => {
  it('is one statement for a page of 1 and a page of 100 customers, two with totalCount', async () => {
    const one = await app.gql(LIST_360, { first: 1 }, ['viewer']);
    const hundred = await app.gql(LIST_360, { first: 100 }, ['viewer']);
    expect(one.errors).toBeUndefined();
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data!.customers.edges).toHaveLength(100);
    expect(statements(one)).toBe(1);
    expect(statements(hundred)).toBe(1);
    const counted = await app.gql(`query { customers(first: 100) { totalCount edges { node { ${SELECTION_360} } } } }`, {}, ['viewer']);
    expect(counted.errors).toBeUndefined();
    expect(statements(counted)).toBe(2);
  });

  it('answers a single customer 360 in one statement, and lookupCustomer too', async () => {
    const email = `single-${unique()}@example.com`;
    const c = await createCustomer(app.pool, { emails: [email], interactions: [{}, {}], influence: [{ score: 3, measuredAt: new Date() }] });
    const res = await app.gql(`query($id: ID!) { customer(id: $id) { ${SELECTION_360} } }`, { id: c.id }, ['viewer']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.interactions.totalCount).toBe(2);
    expect(statements(res)).toBe(1);
    const looked = await app.gql(`query($email: String) { lookupCustomer(email: $email) { ${SELECTION_360} } }`, { email: email.toUpperCase() }, ['viewer']);
    expect(looked.errors).toBeUndefined();
    expect(looked.data!.lookupCustomer.id).toBe(c.id);
    expect(statements(looked)).toBe(1);
    const unknown = await app.gql(`query { lookupCustomer(email: "nobody-${unique()}@example.com") { ${SELECTION_360} } }`, {}, ['viewer']);
    expect(unknown.data!.lookupCustomer).toBeNull();
    expect(statements(unknown)).toBe(1);
  });

  it('reads a care queue page of 50 with each customer in two statements (one on the response fast path)', async () => {
    const queue = (extra: string) => app.gql(
      `query($skillGroup: String) { careQueue(first: 50, skillGroup: $skillGroup) { edges { node {
        priority { score }
        interaction { id content ${extra} customer { id displayName tier socialIdentities { platform handle } interactions(first: 5) { edges { node { id content } } } influence { score } } }
      } } pageInfo { hasNextPage } } }`,
      { skillGroup },
      ['agent'],
    );
    // slaBreached has a resolver of its own: the GraphQL path answers, with the compiled customers.
    const res = await queue('slaBreached');
    expect(res.errors).toBeUndefined();
    expect(res.headers['x-read-path']).toBeUndefined();
    expect(res.data!.careQueue.edges).toHaveLength(50);
    expect(res.data!.careQueue.edges[0].node.interaction.customer.interactions.edges).toHaveLength(2);
    expect(statements(res)).toBe(2);
    const fast = await queue('');
    expect(fast.errors).toBeUndefined();
    expect(fast.headers['x-read-path']).toBe('sql-response');
    expect(fast.data!.careQueue.edges).toHaveLength(50);
    expect(statements(fast)).toBe(1);
  });

  it('answers a covered customer 360 or care queue on the response fast path in one statement, whatever the page sizes', async () => {
    const covered = (first: number) => `id displayName tier emails { value } socialIdentities { platform handle followerCount }
      interactions(first: ${first}) { totalCount edges { cursor node { id channel occurredAt content category sentiment } } pageInfo { hasNextPage endCursor } }
      influence { score trend } influenceByTopic { score }`;
    const { rows } = await app.pool.query<{ id: string }>(`SELECT customer_id AS id FROM interactions WHERE skill_group = $1 LIMIT 1`, [skillGroup]);
    for (const first of [1, 100]) {
      const one = await app.gql(`query($id: ID!) { customer(id: $id) { ${covered(first)} } }`, { id: rows[0].id }, ['viewer']);
      expect(one.errors).toBeUndefined();
      expect(one.headers['x-read-path']).toBe('sql-response');
      expect(statements(one)).toBe(1);
      const page = await app.gql(
        `query($g: String) { careQueue(first: ${first}, skillGroup: $g) { edges { cursor node { nextStep priority { score reasons { factor } } interaction { id customer { ${covered(5)} } } } } pageInfo { hasNextPage endCursor } } }`,
        { g: skillGroup },
        ['agent'],
      );
      expect(page.errors).toBeUndefined();
      expect(page.headers['x-read-path']).toBe('sql-response');
      expect(page.data!.careQueue.edges).toHaveLength(first);
      expect(statements(page)).toBe(1);
    }
  });
});

/**
 * Rate-limit counter, BEGIN, identity rules' version, identifier locks, their owners (read once: with no
 * owner there is nothing to wait for; 12 when it was read twice), customer, email, outbox, touchpoint
 * event, COMMIT, and the answer's customer.
 */
const LONE_TOUCHPOINT = 11;
/** Rate-limit counter, BEGIN, the identity with its customer, outbox, consent event, audit, COMMIT. */
const LONE_CONSENT = 7;

describe('SQL statements per lone single care write (concurrent calls share one batch: test/integration/coalesced-writes.test.ts)', () => {
  it('records a touchpoint that creates a customer with one email in a pinned number of statements', async () => {
    const input = { touchpoint: 'IN_STORE', emails: [`lone-${unique()}@example.com`] };
    const res = await app.gql(`mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`, { input }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(statements(res)).toBe(LONE_TOUCHPOINT);
  });

  it('sets one consent in a pinned number of statements', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `lone_${Math.random().toString(36).slice(2, 10)}` }] });
    const res = await app.gql(`mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
      { input: { socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'IN_STORE' } }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(statements(res)).toBe(LONE_CONSENT);
  });
});
