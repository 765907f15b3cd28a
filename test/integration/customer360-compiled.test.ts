import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestApp, tokenFor, type GraphQLResult, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// What the loader path guarantees, asserted on the compiled path (one statement per read).
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const statements = (res: { headers: Record<string, string> }) => Number(res.headers['x-sql-statements']);
const FULL = `id displayName tier emails { value } socialIdentities { handle consents { purpose status } }
  interactions(first: 2) { totalCount edges { cursor node { id content } } pageInfo { hasNextPage endCursor } }
  influence { score flagged } priority { score reasons { factor contribution detail } } openEscalations { id }`;

describe('compiled customer 360', () => {
  it('answers a merged id with the survivor, in one statement', async () => {
    const survivor = await createCustomer(app.pool, { displayName: `Survivor ${unique()}`, interactions: [{ content: 'kept' }] });
    const merged = await createCustomer(app.pool);
    await app.pool.query(`UPDATE customers SET merged_into = $2 WHERE id = $1`, [merged.id, survivor.id]);
    const res = await app.gql(`query($id: ID!) { customer(id: $id) { ${FULL} } }`, { id: merged.id }, ['viewer']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer).toMatchObject({ id: survivor.id, interactions: { totalCount: 1, edges: [{ node: { content: 'kept' } }] } });
    expect(statements(res)).toBe(1);
  });

  it('never ranks by a flagged score: the newest overall score is flagged, priority counts no influence', async () => {
    const c = await createCustomer(app.pool, { tier: 'GOLD', influence: [{ score: 3, measuredAt: new Date(Date.now() - 60_000) }, { score: 9, measuredAt: new Date() }] });
    await app.pool.query(`UPDATE influence_scores SET flagged = true WHERE customer_id = $1 AND score = 9`, [c.id]);
    const res = await app.gql(`query($id: ID!) { customer(id: $id) { influence { score flagged } priority { score reasons { factor contribution } } } }`, { id: c.id }, ['viewer']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.influence).toEqual({ score: 9, flagged: true });
    expect(res.data!.customer.priority.reasons).toContainEqual({ factor: 'influence', contribution: 0 });
    expect(res.data!.customer.priority.score).toBe(30);
    expect(statements(res)).toBe(1);
  });

  it('reads an erased customer as the anonymised rows it kept', async () => {
    const email = `erase-${unique()}@example.com`;
    const c = await createCustomer(app.pool, { displayName: 'To Be Erased', emails: [email], interactions: [{ content: `mail me at ${email}` }] });
    expect((await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: c.id }, ['admin'])).errors).toBeUndefined();
    const res = await app.gql(`query($id: ID!) { customer(id: $id) { ${FULL} } }`, { id: c.id }, ['viewer']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.displayName).not.toBe('To Be Erased');
    expect(JSON.stringify(res.data)).not.toContain(email);
    expect(statements(res)).toBe(1);
  });

  it('answers null for an unknown id and an unknown identifier, in one statement each', async () => {
    const byId = await app.gql(`query { customer(id: "${randomUUID()}") { ${FULL} } }`, {}, ['viewer']);
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.customer).toBeNull();
    expect(statements(byId)).toBe(1);
    const byHandle = await app.gql(`query { lookupCustomer(platform: TWITTER, handle: "@nobody${unique()}") { ${FULL} } }`, {}, ['viewer']);
    expect(byHandle.data!.lookupCustomer).toBeNull();
    expect(statements(byHandle)).toBe(1);
  });

  it('pages with cursors and hasNextPage across the whole history', async () => {
    const c = await createCustomer(app.pool, { interactions: Array.from({ length: 5 }, (_, n) => ({ content: `m${n}` })) });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GraphQLResult = await app.gql(
        `query($id: ID!, $after: String) { customer(id: $id) { interactions(first: 2, after: $after) { edges { node { content } } pageInfo { hasNextPage endCursor } } } }`,
        { id: c.id, after },
        ['viewer'],
      );
      expect(statements(res)).toBe(1);
      const page: any = res.data!.customer.interactions;
      seen.push(...page.edges.map((e: any) => e.node.content));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('keeps the error codes: a bad cursor, a page too large, a lookup with two identifiers, a malformed id', async () => {
    const c = await createCustomer(app.pool, { interactions: [{}] });
    const bad = await app.gql(`query($id: ID!) { customer(id: $id) { id interactions(after: "nope") { totalCount } } }`, { id: c.id }, ['viewer']);
    expect(bad.errors!.map((e) => [e.extensions!.code, e.extensions!.field])).toEqual([['BAD_USER_INPUT', 'after']]);
    expect(bad.data!.customer).toBeNull(); // interactions is non-null: the error nulls the customer, as on the loader path
    const big = await app.gql(`query($id: ID!) { customer(id: $id) { id socialIdentities { id } conversations(first: 101) { totalCount } } }`, { id: c.id }, ['viewer']);
    expect(big.errors!.map((e) => e.extensions!.code)).toEqual(['BAD_USER_INPUT']);
    const two = await app.gql(`query { lookupCustomer(email: "a@example.com", phone: "+13135550100") { id } }`, {}, ['viewer']);
    expect(two.errors!.map((e) => e.extensions!.code)).toEqual(['BAD_USER_INPUT']);
    expect(statements(two)).toBe(0);
    const malformed = await app.gql(`query { customer(id: "not-a-uuid") { id } }`, {}, ['viewer']);
    expect(malformed.errors!.map((e) => e.extensions!.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a role without read access with FORBIDDEN and an ACCESS_DENIED entry, reading nothing', async () => {
    const c = await createCustomer(app.pool, { emails: [`forbidden-${unique()}@example.com`] });
    for (const role of ['marketing', 'ingest'] as const) {
      const sub = `${role}-${randomUUID()}`;
      const res = await request(app.server)
        .post('/graphql')
        .set('authorization', `Bearer ${tokenFor([role], sub)}`)
        .send({ query: `query($id: ID!) { customer(id: $id) { ${FULL} } }`, variables: { id: c.id } });
      expect(res.body.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
      expect(res.body.data.customer).toBeNull();
      const { rows } = await app.pool.query(`SELECT action, subject FROM audit_log WHERE actor = $1`, [sub]);
      expect(rows).toEqual([{ action: 'ACCESS_DENIED', subject: 'Query.customer' }]);
    }
  });

  it('lists customers with the same cursors as the loader path pages them', async () => {
    const tag = `List${unique()}`;
    for (let n = 0; n < 5; n++) await createCustomer(app.pool, { displayName: `${tag} ${n}`, createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + n * 1000) });
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GraphQLResult = await app.gql(
        `query($after: String, $tag: String) { customers(first: 2, after: $after, search: $tag) { totalCount edges { node { displayName influence { score } } } pageInfo { hasNextPage endCursor } } }`,
        { after, tag },
        ['viewer'],
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.customers.totalCount).toBe(5);
      expect(statements(res)).toBe(2);
      names.push(...res.data!.customers.edges.map((e: any) => e.node.displayName));
      if (!res.data!.customers.pageInfo.hasNextPage) break;
      after = res.data!.customers.pageInfo.endCursor;
    }
    expect(names).toEqual([0, 1, 2, 3, 4].map((n) => `${tag} ${n}`));
  });
});
