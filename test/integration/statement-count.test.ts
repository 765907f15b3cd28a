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

  it('reads a care queue page of 50 with each customer in two statements', async () => {
    const res = await app.gql(
      `query($skillGroup: String) { careQueue(first: 50, skillGroup: $skillGroup) { edges { node {
        priority { score }
        interaction { id content customer { id displayName tier socialIdentities { platform handle } interactions(first: 5) { edges { node { id content } } } influence { score } } }
      } } pageInfo { hasNextPage } } }`,
      { skillGroup },
      ['agent'],
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.careQueue.edges).toHaveLength(50);
    expect(res.data!.careQueue.edges[0].node.interaction.customer.interactions.edges).toHaveLength(2);
    expect(statements(res)).toBe(2);
  });
});
