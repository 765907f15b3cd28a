import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema, GraphQLString, Lexer, Source, TokenKind, parse } from 'graphql';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DEFAULT_LIMITS, operationCost } from '../../src/graphql/limits';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { CARE_QUEUE_PAGE, CUSTOMER_360, CUSTOMER_LIST_PAGE, NESTED_EXPLOSION, SEGMENT_PAGE } from '../fixtures/heavy-queries';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const post = (body: unknown, roles: string[] = ['admin']) =>
  request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles)}`).send(body as object);

/** Expects HTTP 400 with the given code on the first error. */
async function refused(query: string, code = 'QUERY_TOO_COMPLEX', variables?: Record<string, unknown>) {
  const res = await post({ query, variables });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe(code);
  return res;
}
async function allowed(query: string, variables?: Record<string, unknown>) {
  const res = await post({ query, variables });
  expect(res.body.errors).toBeUndefined();
  expect(res.status).toBe(200);
  return res;
}

/** `customer(id) { socialIdentities { customer { ... id } } }` with `depth` field levels, leaf included. */
function nested(depth: number): string {
  let selection = 'id';
  for (let level = depth - 1; level >= 2; level--) selection = `${level % 2 === 0 ? 'socialIdentities' : 'customer'} { ${selection} }`;
  return `query($id: ID!) { customer(id: $id) { ${selection} } }`;
}

const aliases = (n: number, field = 'customers(first: 1) { totalCount }') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const directives = (n: number) => `{ ${Array.from({ length: n }, () => '__typename @include(if: true)').join(' ')} }`;
/**
 * A document of exactly n lexical tokens. The repeated names are split over two selection
 * sets because graphql-js stops comparing ~1,000 same-level fields (its own O(n²) guard).
 */
function tokens(n: number): string {
  const names = (k: number) => Array.from({ length: k }, () => '__typename').join(' ');
  const frame = '{ customers(first: 1) { edges { node { } } } }';
  const rest = n - countTokens(frame);
  const doc = `{ ${names(Math.floor(rest / 2))} customers(first: 1) { edges { node { ${names(Math.ceil(rest / 2))} } } } }`;
  expect(countTokens(doc)).toBe(n);
  return doc;
}
function countTokens(doc: string): number {
  const lexer = new Lexer(new Source(doc));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}
const id = '00000000-0000-4000-8000-000000000000';

describe('depth limit', () => {
  it(`allows depth ${DEFAULT_LIMITS.maxDepth} and refuses depth ${DEFAULT_LIMITS.maxDepth + 1} with HTTP 400 QUERY_TOO_COMPLEX`, async () => {
    await allowed(nested(DEFAULT_LIMITS.maxDepth), { id });
    const res = await refused(nested(DEFAULT_LIMITS.maxDepth + 1), 'QUERY_TOO_COMPLEX', { id });
    expect(res.body.errors[0].message).toMatch(/depth limit of 12/);
  });
});

describe('alias limit', () => {
  it('allows 15 aliases and refuses 16', async () => {
    await allowed(aliases(15));
    await refused(aliases(16));
  });

  it('counts aliases of __typename too (graphql-cop probes with 101 of them)', async () => {
    await allowed(aliases(15, '__typename'));
    await refused(aliases(16, '__typename'));
  });
});

describe('directive limit', () => {
  it(`allows ${DEFAULT_LIMITS.maxDirectives} directives and refuses ${DEFAULT_LIMITS.maxDirectives + 1}`, async () => {
    await allowed(directives(DEFAULT_LIMITS.maxDirectives));
    await refused(directives(DEFAULT_LIMITS.maxDirectives + 1));
  });
});

describe('token limit', () => {
  it('allows a 1,000-token document and refuses 1,001 tokens with 400, not a 500 parse failure', async () => {
    await allowed(tokens(1000));
    const res = await refused(tokens(1001));
    expect(res.body.errors[0].message).toMatch(/1000 tokens/);
  });
});

describe('cost limit', () => {
  it('scores the contract queries and the nested explosion as docs/security-and-operations.md documents', async () => {
    const schema = await buildAppSchema();
    const cost = (q: string) => operationCost(schema, parse(q), undefined, { id });
    expect(cost(CUSTOMER_360)).toBe(5196);
    expect(cost(CUSTOMER_LIST_PAGE)).toBe(2301);
    expect(cost(CARE_QUEUE_PAGE)).toBe(551);
    expect(cost(SEGMENT_PAGE)).toBe(1201);
    expect(cost(NESTED_EXPLOSION)).toBe(20301);
    expect(cost(CUSTOMER_360) * 1.9).toBeLessThan(DEFAULT_LIMITS.maxCost);
  });

  it('answers the heaviest contract queries', async () => {
    await allowed(CUSTOMER_360, { id });
    await allowed(CUSTOMER_LIST_PAGE);
    await allowed(CARE_QUEUE_PAGE);
    await allowed(SEGMENT_PAGE);
  });

  it('refuses customers(first:100){interactions(first:100)} with HTTP 400 QUERY_TOO_COMPLEX before running it', async () => {
    const res = await refused(NESTED_EXPLOSION);
    expect(res.body.errors[0].message).toMatch(/cost 20301 is over the limit of 10000/);
    expect(res.headers['x-sql-statements']).toBe('0');
  });

  it('allows cost 10,000 and refuses 10,001', async () => {
    const last = `{ customers(first: 99) { edges { node { interactions(first: 49) { edges { node { id } } } } } } }`;
    const first = `{ customers(first: 100) { pageInfo { hasNextPage } edges { node { interactions(first: 48) { edges { node { id } } } } } } }`;
    const schema = await buildAppSchema();
    expect(operationCost(schema, parse(last), undefined, {})).toBe(10_000);
    expect(operationCost(schema, parse(first), undefined, {})).toBe(10_001);
    await allowed(last);
    await refused(first);
  });

  it('counts `first` given through a variable', async () => {
    const q = `query($n: Int!) { customers(first: 100) { edges { node { interactions(first: $n) { edges { node { id } } } } } } }`;
    await allowed(q, { n: 40 });
    await refused(q, 'QUERY_TOO_COMPLEX', { n: 100 });
  });
});

describe('page size', () => {
  it('allows first: 100 and refuses first: 101 with BAD_USER_INPUT naming the field', async () => {
    await allowed(`{ customers(first: 100) { edges { cursor } } }`);
    const res = await post({ query: `{ customers(first: 101) { edges { cursor } } }` });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('batching', () => {
  it('refuses an array of operations with HTTP 400', async () => {
    const res = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBe(400);
  });
});

describe('request body size', () => {
  // JSON framing around the padding: {"query":"{ __typename }","variables":{"pad":"..."}}
  const body = (bytes: number) => {
    const frame = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } }).length;
    return JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes - frame) } });
  };
  const send = (raw: string) =>
    request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['admin'])}`).set('content-type', 'application/json').send(raw);

  it('allows a 100 KB body and refuses 100 KB + 1 byte with HTTP 413 for a non-bulk operation', async () => {
    const ok = await send(body(DEFAULT_LIMITS.maxBodyBytes));
    expect(ok.status).toBe(200);
    const tooBig = await send(body(DEFAULT_LIMITS.maxBodyBytes + 1));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(tooBig.body.errors[0].message).toMatch(/recordInteractions, recordTouchpoints, recordPurchases may send up to 2097152/);
  });

  // Runs once the care branch's recordInteractions is in the schema (it is not in this branch yet).
  const hasBulk = readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8').includes('recordInteractions(');
  (hasBulk ? it : it.skip)('accepts a 1,000-item recordInteractions call of about 530 KB', async () => {
    const run = randomUUID().slice(0, 8);
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      idempotencyKey: `bulk-${run}-${i}`, channel: 'EMAIL', direction: 'INBOUND', content: `bulk item ${i} `.padEnd(400, '.'), email: `bulk-${run}-${i % 50}@example.com`,
    }));
    const raw = JSON.stringify({ query: 'mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }', variables: { inputs } });
    expect(Buffer.byteLength(raw)).toBeGreaterThan(5 * DEFAULT_LIMITS.maxBodyBytes);
    const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['ingest'])}`).set('content-type', 'application/json').send(raw);
    expect(res.status).toBe(200);
    expect(res.body.data.recordInteractions).toHaveLength(1000);
  });

  it('refuses a POST without a bearer token before reading its body', async () => {
    const res = await request(app.server).post('/graphql').set('content-type', 'application/json').send(`{"query": "${'x'.repeat(1_000_000)}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a body over the bulk limit in the JSON parser with HTTP 413 and a JSON error', async () => {
    const res = await send(body(DEFAULT_LIMITS.maxBulkBodyBytes + 1));
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('client mistakes are 4xx, never 500', () => {
  it.each([
    ['a syntax error', 400, 'GRAPHQL_PARSE_FAILED', { query: '{ customers(first: ) }' }],
    ['an unknown field', 400, 'GRAPHQL_VALIDATION_FAILED', { query: '{ nope }' }],
    ['a variable of the wrong type', 400, 'BAD_USER_INPUT', { query: 'query($n: Int!) { customers(first: $n) { edges { cursor } } }', variables: { n: 'ten' } }],
    ['a missing query', 400, 'BAD_REQUEST', { variables: {} }],
    ['an unknown operation name', 400, 'OPERATION_RESOLUTION_FAILURE', { query: 'query A { __typename }', operationName: 'B' }],
  ])('answers %s with HTTP %i and %s', async (_name, status, code, body) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions.code).toBe(code);
  });

  it('answers malformed JSON with HTTP 400 and a JSON error', async () => {
    const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['admin'])}`).set('content-type', 'application/json').send('{"query": ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers a mutation sent by GET with HTTP 405', async () => {
    const res = await request(app.server)
      .get('/graphql')
      .query({ query: 'mutation { __typename }' })
      .set('authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('apollo-require-preflight', 'true');
    expect(res.status).toBe(405);
  });
});

describe('mutation rate limit per token', () => {
  // The product's mutations arrive from other branches; the limiter is tested on a schema
  // whose one mutation does nothing, through the same createApp pipeline.
  const probeSchema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean, resolve: () => true } } }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: { touch: { type: GraphQLString, resolve: () => 'touched' } } }),
  });
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ schema: probeSchema, limits: { mutationsPerMinute: 3 } });
  });
  afterAll(() => limited.close());
  const send = (query: string, sub: string) =>
    request(limited.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`).send({ query });

  it('allows the 3rd mutation in a minute and refuses the 4th with HTTP 429 RATE_LIMITED and retry-after', async () => {
    const sub = `rate-${Date.now()}`;
    for (let n = 1; n <= 3; n++) expect((await send('mutation { touch }', sub)).body.data.touch).toBe('touched');
    const res = await send('mutation { touch }', sub);
    expect(res.status).toBe(429);
    expect(res.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts per token subject and never limits queries', async () => {
    const sub = `rate-q-${Date.now()}`;
    for (let n = 1; n <= 4; n++) await send('mutation { touch }', sub);
    expect((await send('{ ok }', sub)).body.data.ok).toBe(true);
    expect((await send('mutation { touch }', `${sub}-other`)).status).toBe(200);
  });
});
