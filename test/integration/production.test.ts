import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { DEFAULT_LIMITS } from '../../src/graphql/limits';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ production: true });
});
afterAll(() => app.close());

const post = (body: object) => request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['admin'])}`).send(body);

describe('production configuration', () => {
  it('refuses introspection with HTTP 400', async () => {
    const res = await post({ query: '{ __schema { types { name } } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/introspection is not allowed/i);
  });

  it('suggests no field names in validation errors', async () => {
    const res = await post({ query: '{ customer(id: "x") { displayNam } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).not.toMatch(/Did you mean/);
  });

  it('sends no stack traces, for client errors or internal ones', async () => {
    for (const query of ['{ nope }', '{ customers(first: 1) }', '{ customer(id: "not-a-uuid") { id } }']) {
      const res = await post({ query });
      expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|node_modules|\/src\//);
    }
  });

  it('answers malformed JSON with a JSON error, not an HTML page with file paths', async () => {
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('content-type', 'application/json')
      .send('{"query": "{ __typename }"');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.text).not.toMatch(/<html|node_modules|at /i);
  });

  it('keeps CSRF prevention on: a simple GET or text/plain POST without a preflight header is refused', async () => {
    const get = await request(app.server).get('/graphql').query({ query: '{ __typename }' }).set('authorization', `Bearer ${tokenFor(['admin'])}`);
    expect(get.status).toBe(400);
    expect(get.text).toMatch(/CSRF/);
    const plain = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ query: '{ __typename }' }));
    expect(plain.status).toBe(400);
  });

  it('serves no landing page', async () => {
    const res = await request(app.server).get('/graphql').set('accept', 'text/html');
    expect(res.text).not.toMatch(/<html/i);
  });

  it('does not expose the per-request SQL statement count', async () => {
    const res = await post({ query: '{ customers(first: 1) { totalCount } }' });
    expect(res.status).toBe(200);
    expect(res.headers['x-sql-statements']).toBeUndefined();
  });

  it('answers repeated or unknown directives (graphql-cop Directive Overloading) with one 400 of a few errors, running nothing', async () => {
    for (const query of [
      '{ __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }',
      `{ __typename ${'@include(if: true)'.repeat(10)} }`,
      `mutation { recordTouchpoint(input: { touchpoint: IMPORT, emails: ["cop@example.com"] }) @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa { id } }`,
    ]) {
      const res = await post({ query });
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxValidationErrors + 1);
      for (const e of res.body.errors) expect(e.extensions.code).toMatch(/GRAPHQL_VALIDATION_FAILED|QUERY_TOO_COMPLEX/);
    }
    expect((await app.pool.query(`SELECT count(*)::int AS n FROM contact_points WHERE value = 'cop@example.com'`)).rows[0].n).toBe(0);
  });
});
