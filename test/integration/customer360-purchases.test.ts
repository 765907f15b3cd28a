import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Role } from '../../src/auth/roles';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// Customer.purchases and lifetimeValue in every read tier of a customer 360: the response fast
// path (one statement writing the answer), the compiled look-ahead behind Apollo (one statement
// priming the loaders), and the loaders alone. Each answers the same, with a pinned statement count.
let fast: TestApp;
let loaders: TestApp;
const ids: string[] = [];

beforeAll(async () => {
  fast = await startTestApp();
  loaders = await startTestApp({ compiledReads: false });
  const k = unique();
  const inputs: Record<string, unknown>[] = [];
  for (let n = 0; n < 4; n++) {
    const c = await createCustomer(fast.pool, { displayName: `Buyer ${n} ${k}`, interactions: [{ content: `hello ${n}` }] });
    ids.push(c.id);
    // n = 0: no purchase; 1: one currency; 2: two currencies; 3: a page and a half, amounts with decimals, one without.
    const count = [0, 2, 2, 5][n];
    for (let m = 0; m < count; m++) {
      const priced = !(n === 3 && m === 4);
      inputs.push({
        idempotencyKey: `${k}-${n}-${m}`, customerId: c.id, product: `Product "${m}" ü ${k}`, category: m % 2 ? 'Odd' : null,
        ...(priced ? { amount: 10.05 * (m + 1), currency: n === 2 && m === 1 ? 'USD' : 'EUR' } : {}),
        purchasedAt: new Date(Date.UTC(2026, 9, 1 + m, 12)).toISOString(), channel: m % 2 ? 'IN_STORE' : null,
      });
    }
  }
  const res = await fast.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`, { inputs }, ['ingest']);
  expect(res.errors).toBeUndefined();
}, 60_000);
afterAll(async () => {
  await fast?.close();
  await loaders?.close();
});

async function post(app: TestApp, query: string, variables: Record<string, unknown>, roles: Role[]) {
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles, `c360p-${randomUUID().slice(0, 8)}`)}`).send({ query, variables });
  return { text: res.text, body: res.body, headers: res.headers as Record<string, string> };
}

const SELECTION = `id lifetimeValue
  purchases(first: 3, after: $after) { __typename totalCount edges { cursor node { __typename id product category amount currency purchasedAt channel } } pageInfo { hasNextPage endCursor } }`;
const ONLY_COVERED = `query P($id: ID!, $after: String) { customer(id: $id) { ${SELECTION} } }`;
// priority is not covered by the fast path: Apollo answers, from the compiled statement.
const WITH_PRIORITY = `query P($id: ID!, $after: String) { customer(id: $id) { ${SELECTION} priority { score } } }`;

describe('purchases in the customer 360 read tiers', () => {
  it('answers the same in the fast path, the compiled path and the loader path, every page, with pinned statement counts', async () => {
    for (const id of ids) {
      let after: string | null = null;
      let pages = 0;
      do {
        const variables = { id, after };
        const [a, b, c, d] = await Promise.all([
          post(fast, ONLY_COVERED, variables, ['agent']),
          post(loaders, ONLY_COVERED, variables, ['agent']),
          post(fast, WITH_PRIORITY, variables, ['agent']),
          post(loaders, WITH_PRIORITY, variables, ['agent']),
        ]);
        expect(a.headers['x-read-path']).toBe('sql-response');
        expect(b.headers['x-read-path']).toBeUndefined();
        expect(c.headers['x-read-path']).toBeUndefined();
        expect(a.text).toBe(b.text);
        expect(c.body).toEqual(d.body);
        expect(c.body.errors).toBeUndefined();
        expect(c.body.data.customer.purchases).toEqual(a.body.data.customer.purchases);
        expect(Number(a.headers['x-sql-statements'])).toBe(1);
        expect(Number(c.headers['x-sql-statements'])).toBe(1);
        // customer, purchase page, count, lifetime value
        expect(Number(b.headers['x-sql-statements'])).toBe(4);
        const info: { hasNextPage: boolean; endCursor: string | null } = a.body.data.customer.purchases.pageInfo;
        after = info.hasNextPage ? info.endCursor : null;
        pages++;
      } while (after);
      expect(pages).toBe(id === ids[3] ? 2 : 1);
    }
  });

  it('reads the values the purchases hold: sums in one currency, null for two, newest first', async () => {
    const read = async (id: string) => (await post(fast, ONLY_COVERED, { id, after: null }, ['agent'])).body.data.customer;
    expect(await read(ids[0])).toMatchObject({ lifetimeValue: null, purchases: { totalCount: 0, edges: [] } });
    expect((await read(ids[1])).lifetimeValue).toBeCloseTo(30.15, 10);
    expect((await read(ids[2])).lifetimeValue).toBeNull();
    const many = await read(ids[3]);
    expect(many.lifetimeValue).toBeCloseTo(10.05 * (1 + 2 + 3 + 4), 10);
    expect(many.purchases.edges.map((e: any) => [e.node.amount, e.node.channel])).toEqual([[null, null], [40.2, 'IN_STORE'], [30.15, null]]);
  });

  it('leaves a plain viewer to the GraphQL path, which refuses the fields', async () => {
    const res = await post(fast, `query($id: ID!) { customer(id: $id) { id lifetimeValue } }`, { id: ids[1] }, ['viewer']);
    expect(res.headers['x-read-path']).toBeUndefined();
    expect(res.body.data.customer).toEqual({ id: ids[1], lifetimeValue: null });
    expect(res.body.errors.map((e: any) => [e.path.join('.'), e.extensions.code])).toEqual([['customer.lifetimeValue', 'FORBIDDEN']]);
  });
});
