import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Role } from '../../src/auth/roles';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// The response fast path (fast-paths/response.handler.ts): covered queries answered by one
// statement that builds the response text, byte for byte what the GraphQL path sends;
// everything else falls back to the GraphQL path with its errors, audit and limits.
let fast: TestApp;
let loaders: TestApp;
let tight: TestApp;
const skillGroup = `resp-${unique()}`;
const ids: string[] = [];

beforeAll(async () => {
  fast = await startTestApp();
  loaders = await startTestApp({ compiledReads: false });
  tight = await startTestApp({ limits: { maxCost: 20, maxDepth: 4 } });
  for (let n = 0; n < 12; n++) {
    const c = await createCustomer(fast.pool, {
      displayName: `Resp "${n}" \\ \n ${unique()}`,
      city: n % 2 ? 'Plymouth' : null,
      emails: [`resp-${n}-${unique()}@example.com`],
      handles: [{ platform: 'TWITTER', handle: `resp_${n}_${unique()}`, followerCount: n * 1000 }],
      interactions: Array.from({ length: 3 + (n % 4) }, (_, k) => ({ channel: k % 2 ? 'EMAIL' : 'TWITTER', content: `post ${k} ü "quoted"\t`, topics: k ? ['fuel'] : [] })),
      influence: [{ score: 6.8, measuredAt: new Date(Date.now() - 60_000) }, { score: 7.25, measuredAt: new Date() }, { score: 3.1, topic: 'fuel', measuredAt: new Date() }],
    });
    await fast.pool.query(`UPDATE interactions SET skill_group = $2, lane = 'CUSTOMER_SERVICE', sentiment = -0.35 WHERE customer_id = $1`, [c.id, skillGroup]);
    ids.push(c.id);
  }
}, 60_000);
afterAll(async () => {
  await fast?.close();
  await loaders?.close();
  await tight?.close();
});

// A subject per call: ACCESS_DENIED entries are bounded per subject and minute, and other files refuse 'test-user' too.
async function post(app: TestApp, query: string, variables: Record<string, unknown>, roles: Role[]) {
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles, `c360-${randomUUID().slice(0, 8)}`)}`).send({ query, variables });
  return { status: res.status, text: res.text, body: res.body, headers: res.headers as Record<string, string> };
}

const C360 = `query C360($id: ID!) { customer(id: $id) { __typename id displayName tier city region country createdAt
  emails { id value verified capturedVia capturedAt } phones { value }
  who: socialIdentities { id platform handle externalUserId profileUrl followerCount verified capturedVia capturedAt }
  interactions(first: 2) { __typename totalCount edges { cursor node { id channel direction occurredAt content isPublic category sentiment topics lane skillGroup status respondedAt slaDueAt actionable closedLoop externalId } } pageInfo { hasNextPage endCursor } }
  email: interactions(channel: EMAIL, first: 0) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } }
  influence { score topic platform source measuredAt trend computed flagged } influenceByTopic { score topic trend } } }`;

const QUEUE = (first: number) => `query Queue($g: String) { careQueue(first: ${first}, skillGroup: $g) { edges { cursor node { nextStep interaction { id channel content occurredAt
  customer { id displayName tier socialIdentities { platform handle followerCount } interactions(first: 5) { edges { node { id channel occurredAt content } } } influence { score measuredAt } } } } }
  pageInfo { hasNextPage endCursor } } }`;

describe('response fast path', () => {
  it('answers a customer 360 in one statement with the exact bytes and content type of the GraphQL path', async () => {
    for (const id of ids) {
      const [a, b] = await Promise.all([post(fast, C360, { id }, ['viewer']), post(loaders, C360, { id }, ['viewer'])]);
      expect(a.headers['x-read-path']).toBe('sql-response');
      expect(b.headers['x-read-path']).toBeUndefined();
      expect(a.text).toBe(b.text);
      expect(a.headers['content-type']).toBe(b.headers['content-type']);
      expect(Number(a.headers['x-sql-statements'])).toBe(1);
    }
  });

  it('pages with the cursors of the GraphQL path', async () => {
    const query = `query($id: ID!, $after: String) { customer(id: $id) { interactions(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
    let after: string | null = null;
    let pages = 0;
    do {
      const [a, b] = await Promise.all([post(fast, query, { id: ids[3], after }, ['agent']), post(loaders, query, { id: ids[3], after }, ['agent'])]);
      expect(a.headers['x-read-path']).toBe('sql-response');
      expect(a.text).toBe(b.text);
      const info: { hasNextPage: boolean; endCursor: string } = a.body.data.customer.interactions.pageInfo;
      after = info.hasNextPage ? info.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
  });

  it('answers null for an unknown id and the survivor for a merged id, in one statement', async () => {
    const unknown = await post(fast, C360, { id: '00000000-0000-4000-8000-000000000000' }, ['viewer']);
    expect(unknown.headers['x-read-path']).toBe('sql-response');
    expect(unknown.text).toBe('{"data":{"customer":null}}\n');
    const merged = await createCustomer(fast.pool, {});
    await fast.pool.query(`UPDATE customers SET merged_into = $2 WHERE id = $1`, [merged.id, ids[0]]);
    const [a, b] = await Promise.all([post(fast, C360, { id: merged.id }, ['viewer']), post(loaders, C360, { id: merged.id }, ['viewer'])]);
    expect(a.headers['x-read-path']).toBe('sql-response');
    expect(a.body.data.customer.id).toBe(ids[0]);
    expect(a.text).toBe(b.text);
  });

  it('answers the care queue with its customers in one statement, whatever the page size', async () => {
    for (const first of [3, 50]) {
      const [a, b] = await Promise.all([post(fast, QUEUE(first), { g: skillGroup }, ['agent']), post(loaders, QUEUE(first), { g: skillGroup }, ['agent'])]);
      expect(a.headers['x-read-path']).toBe('sql-response');
      expect(Number(a.headers['x-sql-statements'])).toBe(1);
      expect(a.body.data.careQueue.edges).toHaveLength(first);
      expect(a.text).toBe(b.text);
    }
  });

  it('computes the queue priority with the formula of the GraphQL path', async () => {
    const query = `query($g: String) { careQueue(first: 10, skillGroup: $g) { edges { node { interaction { id } priority { score reasons { factor contribution } } } } } }`;
    const a = await post(fast, query, { g: skillGroup }, ['agent']);
    const b = await post(loaders, query, { g: skillGroup }, ['agent']);
    expect(a.headers['x-read-path']).toBe('sql-response');
    type Edge = { node: { interaction: { id: string }; priority: { score: number; reasons: { factor: string; contribution: number }[] } } };
    const edgesA: Edge[] = a.body.data.careQueue.edges;
    const edgesB: Edge[] = b.body.data.careQueue.edges;
    expect(edgesA.map((e) => e.node.interaction.id)).toEqual(edgesB.map((e) => e.node.interaction.id));
    edgesA.forEach((e, n) => {
      // Only the SLA factor moves between the two requests' clocks.
      const still = (x: Edge) => x.node.priority.reasons.filter((r) => r.factor !== 'sla');
      expect(still(e)).toEqual(still(edgesB[n]));
      expect(e.node.priority.score).toBeCloseTo(edgesB[n].node.priority.score, 1);
    });
  });

  it('leaves fields it does not cover to the GraphQL path, with their statements', async () => {
    for (const selection of ['priority { score }', 'emails { consents { purpose status } }', 'attributes', 'tierHistory { tier }', 'interactions { edges { node { slaBreached } } }']) {
      const query = `query($id: ID!) { customer(id: $id) { id ${selection} } }`;
      const [a, b] = await Promise.all([post(fast, query, { id: ids[1] }, ['viewer']), post(loaders, query, { id: ids[1] }, ['viewer'])]);
      expect(a.headers['x-read-path']).toBeUndefined();
      expect(a.body).toEqual(b.body);
    }
  });

  it('leaves roles without the root role to the GraphQL path: FORBIDDEN and an audit entry', async () => {
    for (const role of ['marketing', 'ingest'] as Role[]) {
      const res = await post(fast, C360, { id: ids[2] }, [role]);
      expect(res.headers['x-read-path']).toBeUndefined();
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const { rows } = await fast.pool.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'ACCESS_DENIED' AND request_id = $1`,
        [res.body.errors[0].extensions.requestId],
      );
      expect(rows[0].n).toBeGreaterThan(0);
    }
    const viewerQueue = await post(fast, QUEUE(5), { g: skillGroup }, ['viewer']);
    expect(viewerQueue.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('leaves refused arguments and ids to the GraphQL path, which names the error', async () => {
    const notAnId = await post(fast, C360, { id: 'not-a-uuid' }, ['viewer']);
    expect(notAnId.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const tooMany = await post(fast, `query($id: ID!) { customer(id: $id) { interactions(first: 101) { edges { cursor } } } }`, { id: ids[0] }, ['viewer']);
    expect(tooMany.headers['x-read-path']).toBeUndefined();
    expect(tooMany.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badCursor = await post(fast, `query($id: ID!) { customer(id: $id) { interactions(after: "nope") { edges { cursor } } } }`, { id: ids[0] }, ['viewer']);
    expect(badCursor.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const missing = await post(fast, C360, {}, ['viewer']);
    expect(missing.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('keeps the depth and cost limits', async () => {
    const deep = await post(tight, `query($id: ID!) { customer(id: $id) { interactions { edges { node { id } } } } }`, { id: ids[0] }, ['viewer']);
    expect(deep.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const costly = await post(tight, `query($id: ID!) { customer(id: $id) { interactions(first: 30) { edges { cursor } } } }`, { id: ids[0] }, ['viewer']);
    expect(costly.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const fine = await post(tight, `query($id: ID!) { customer(id: $id) { interactions(first: 2) { totalCount } } }`, { id: ids[0] }, ['viewer']);
    expect(fine.body.errors).toBeUndefined();
    expect(fine.headers["x-read-path"]).toBe("sql-response");
  });

  it('refuses a missing or invalid token as the GraphQL path does', async () => {
    const res = await request(fast.server).post('/graphql').set('authorization', 'Bearer nonsense').send({ query: C360, variables: { id: ids[0] } });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('counts fast-path requests in the request metrics by operation name', async () => {
    await post(fast, C360, { id: ids[0] }, ['viewer']);
    const metrics = await request(fast.server).get('/metrics');
    expect(metrics.text).toMatch(/social_crm_graphql_requests_total\{operation="C360"\} [1-9]/);
  });
});
