import * as parser from 'graphql/language/parser';
import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { liveClient, type LiveClient } from '../helpers/live';
import { waitFor } from '../helpers/receiver';
import { createCustomer } from '../helpers/factory';
import { buildAppSchema } from '../../src/schema';
import { DEFAULT_LIMITS } from '../../src/graphql/limits';
import { operationCache } from '../../src/fast-paths/fast-path.middleware';

// The HTTP and WebSocket edges in production: the token before the document, Apollo's bounds
// and hints on the fast paths and on subscriptions (docs/security-and-operations.md, "The edges").

let app: TestApp;
const clients: LiveClient[] = [];
beforeAll(async () => {
  app = await startTestApp({ production: true });
});
afterAll(async () => {
  for (const c of clients) await c.dispose().catch(() => undefined);
  await app.close();
});
afterEach(() => jest.restoreAllMocks());

const C360 = 'query C360($id: ID!) { customer(id: $id) { id displayName tier } }';
const post = (token: string, body: string | object) =>
  request(app.server).post('/graphql').set('authorization', `Bearer ${token}`).set('content-type', 'application/json').send(body);

describe('the bearer token is verified before anything else', () => {
  it('answers an invalid token 401 UNAUTHENTICATED without parsing its document', async () => {
    const customer = await createCustomer(app.pool);
    const parse = jest.spyOn(parser, 'parse');
    const res = await post('not.a.jwt', { query: C360, variables: { id: customer.id } });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(parse).not.toHaveBeenCalled();
    // The same request with a valid token is parsed and answered (on the fast path).
    const ok = await post(tokenFor(['viewer']), { query: C360, variables: { id: customer.id } });
    expect(ok.body.data.customer.id).toBe(customer.id);
    expect(parse).toHaveBeenCalled();
  });

  it('answers a syntactically invalid document with a bad token UNAUTHENTICATED, not GRAPHQL_PARSE_FAILED', async () => {
    const res = await post('not.a.jwt', { query: '{ customer(id: ' });
    expect(res.status).toBe(401);
    expect(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    const valid = await post(tokenFor(['viewer']), { query: '{ customer(id: ' });
    expect(valid.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('does not read the body of an invalid token: malformed JSON is 401, not a JSON parse error', async () => {
    const res = await post('not.a.jwt', '{"query": "{ __typename }"');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bulk = await post('not.a.jwt', JSON.stringify({ query: `{ __typename } #${'x'.repeat(DEFAULT_LIMITS.maxBodyBytes * 2)}` }));
    expect(bulk.status).toBe(401);
  });

  it('answers an expired token like Apollo: 401 with the reason', async () => {
    const res = await post(tokenFor(['viewer'], 'expired', -60), { query: '{ __typename }' });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toMatch(/invalid token: jwt expired/);
  });
});

describe('introspection on the fast paths in production', () => {
  it('is refused over HTTP, also beside a field the response fast path covers', async () => {
    const customer = await createCustomer(app.pool);
    for (const query of [
      '{ __schema { queryType { name } } }',
      `query C360($id: ID!) { customer(id: $id) { id } __type(name: "Customer") { name } }`,
    ]) {
      const res = await post(tokenFor(['admin']), { query, variables: { id: customer.id } });
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].message).toMatch(/introspection/i);
    }
  });

  it('is never taken into the shared operation cache when introspection is off', async () => {
    const schema = await buildAppSchema();
    const options = { maxEntries: 10, maxBytes: 1 << 20 };
    const production = operationCache(schema, DEFAULT_LIMITS, { ...options, introspection: false }, (parsed) => parsed);
    const development = operationCache(schema, DEFAULT_LIMITS, { ...options, introspection: true }, (parsed) => parsed);
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Customer") { name } }']) {
      expect(production(query, null)).toBeNull();
      expect(development(query, null)).not.toBeNull();
    }
    expect(production('{ __typename }', null)).not.toBeNull();
  });
});

describe('subscriptions in production', () => {
  const connect = () => {
    const c = liveClient(app.server, tokenFor(['agent'], 'edges-live'));
    clients.push(c);
    return c;
  };

  it('answer a misspelt field without "Did you mean" hints, as Apollo does over HTTP', async () => {
    const sub = connect().subscribe('subscription { queueChanged { kindd interactionId } }');
    await waitFor(() => sub.errors.length > 0);
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(sub.errors[0].message).toMatch(/Cannot query field "kindd"/);
    expect(sub.errors[0].message).not.toMatch(/Did you mean/);
  });

  it('cap validation errors at the limit Apollo uses over HTTP', async () => {
    const fields = Array.from({ length: 200 }, (_, i) => `nope${i}`).join(' ');
    const sub = connect().subscribe(`subscription { queueChanged { ${fields} } }`);
    await waitFor(() => sub.errors.length > 0);
    expect(sub.errors.length).toBeGreaterThan(1);
    expect(sub.errors.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxValidationErrors + 1);
    for (const e of sub.errors) expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('give the HTTP codes: a syntax error GRAPHQL_PARSE_FAILED, variables that do not coerce BAD_USER_INPUT', async () => {
    const client = connect();
    const parse = client.subscribe('subscription { queueChanged { kind ');
    const variables = client.subscribe('subscription($channel: Channel) { queueChanged(channel: $channel) { kind } }', { channel: 'PIGEON' });
    await waitFor(() => parse.errors.length > 0 && variables.errors.length > 0);
    expect(parse.errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(variables.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify([parse.errors, variables.errors])).not.toMatch(/stacktrace|Did you mean/);
  });
});
