import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

describe('errors in production', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ production: true });
  });
  afterAll(() => app.close());

  it('refuses a forged cursor as BAD_USER_INPUT instead of failing in SQL', async () => {
    const c = await createCustomer(app.pool, { interactions: [{}] });
    const forged = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url');
    const res = await app.gql(`query($id: ID!, $after: String) { customer(id: $id) { interactions(after: $after) { edges { cursor } } } }`, { id: c.id, after: forged }, ['viewer']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('answers a malformed JSON body with a JSON 400, not an HTML page', async () => {
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['admin'])}`)
      .set('content-type', 'application/json')
      .send('{"query": "{ customers');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(res.text).not.toMatch(/node_modules|\/work\/|at .*\.js/);
  });

  it('never shows a stack, SQL or file path for an unexpected failure', async () => {
    // A second app whose database pool is closed underneath it: every read fails unexpectedly.
    const broken = await startTestApp({ production: true });
    await broken.pool.end();
    const res = await broken.gql(`{ customers(first: 1) { edges { cursor } } }`, {}, ['viewer']);
    expect(res.errors![0]).toEqual(expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } }));
    expect(JSON.stringify(res.errors)).not.toMatch(/stack|pool|SELECT|\.ts|\.js/i);
    await broken.close().catch(() => undefined);
  });

  it('does not suggest field names to clients', async () => {
    const res = await app.gql(`{ custmer(id: "x") { id } }`, {}, ['viewer']);
    expect(res.status).toBe(400);
    expect(res.errors![0].message).not.toMatch(/Did you mean/);
    expect(res.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
