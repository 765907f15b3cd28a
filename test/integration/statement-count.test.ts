import { createCustomer } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // Enough customers, each with identities, interactions and influence, for a full page of 100.
  for (let n = 0; n < 100; n++) {
    await createCustomer(app.pool, {
      handles: [{ platform: 'INSTAGRAM', handle: `count_${n}_${Math.random().toString(36).slice(2, 8)}` }],
      interactions: [{ channel: 'EMAIL' }, { channel: 'TWITTER' }],
      influence: [{ score: 4, measuredAt: new Date() }],
    });
  }
});
afterAll(() => app.close());

const LIST_360 = `query($first: Int!) {
  customers(first: $first) { edges { node {
    id displayName tier
    socialIdentities { platform handle followerCount }
    interactions(first: 20) { edges { node { id channel occurredAt content category } } }
    influence { score trend }
  } } }
}`;

describe('SQL statements per customer 360 request', () => {
  it('is the same small number for a page of 1 and a page of 100 customers', async () => {
    const one = await app.gql(LIST_360, { first: 1 }, ['viewer']);
    const hundred = await app.gql(LIST_360, { first: 100 }, ['viewer']);
    expect(one.errors).toBeUndefined();
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data!.customers.edges).toHaveLength(100);
    const statementsForOne = Number(one.headers['x-sql-statements']);
    const statementsForHundred = Number(hundred.headers['x-sql-statements']);
    expect(statementsForOne).toBeGreaterThan(0);
    expect(statementsForHundred).toBe(statementsForOne);
    expect(statementsForHundred).toBeLessThanOrEqual(4);
  });

  it('answers a single customer 360 in at most 4 statements', async () => {
    const c = await createCustomer(app.pool, { interactions: [{}, {}], influence: [{ score: 3, measuredAt: new Date() }] });
    const res = await app.gql(
      `query($id: ID!) { customer(id: $id) { id socialIdentities { handle } interactions(first: 20) { edges { node { id } } } influence { score } } }`,
      { id: c.id },
    );
    expect(res.errors).toBeUndefined();
    expect(Number(res.headers['x-sql-statements'])).toBeLessThanOrEqual(4);
  });
});
