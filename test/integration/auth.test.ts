import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createCustomer } from '../helpers/factory';
import { startTestApp, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, tokenFor, type TestApp } from '../helpers/app';

let app: TestApp;
let customerId: string;
beforeAll(async () => {
  app = await startTestApp();
  customerId = (await createCustomer(app.pool)).id;
});
afterAll(() => app.close());

const post = (headers: Record<string, string>, query = '{ customers(first: 1) { edges { cursor } } }') =>
  request(app.server).post('/graphql').set(headers).send({ query });

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a bearer token', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a wrong signature', () => jwt.sign({ roles: ['admin'] }, 'another-secret-of-sufficient-length-000000', { algorithm: 'HS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 })],
    ['an expired token', () => tokenFor(['admin'], 'x', -120)],
    ['no exp claim', () => jwt.sign({ roles: ['admin'] }, TEST_SECRET, { algorithm: 'HS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 'x' })],
    ['a wrong issuer', () => jwt.sign({ roles: ['admin'] }, TEST_SECRET, { algorithm: 'HS256', issuer: 'evil', audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 })],
    ['a wrong audience', () => jwt.sign({ roles: ['admin'] }, TEST_SECRET, { algorithm: 'HS256', issuer: TEST_ISSUER, audience: 'other', subject: 'x', expiresIn: 60 })],
    ['alg none', () => jwt.sign({ roles: ['admin'], iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' })],
    ['HS384 instead of the pinned HS256', () => jwt.sign({ roles: ['admin'] }, TEST_SECRET, { algorithm: 'HS384', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 })],
    ['no roles claim', () => jwt.sign({}, TEST_SECRET, { algorithm: 'HS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_name, makeToken) => {
    const res = await post({ authorization: `Bearer ${makeToken()}` });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('roles on the read path', () => {
  const read = `query($id: ID!) { customer(id: $id) { id } }`;

  it.each(['viewer', 'agent', 'supervisor', 'admin'])('lets %s read a customer', async (role) => {
    const res = await app.gql(read, { id: customerId }, [role as never]);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.id).toBe(customerId);
  });

  it.each(['marketing', 'ingest'])('refuses %s with FORBIDDEN on customer, lookupCustomer and customers', async (role) => {
    for (const [query, variables] of [
      [read, { id: customerId }],
      [`{ lookupCustomer(email: "x@example.com") { id } }`, {}],
      [`{ customers(first: 1) { edges { cursor } } }`, {}],
    ] as const) {
      const res = await app.gql(query, variables, [role as never]);
      expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(res.data?.customer ?? res.data?.lookupCustomer ?? null).toBeNull();
    }
  });

  it('ignores unknown role names rather than granting anything', async () => {
    const res = await app.gql(read, { id: customerId }, ['root' as never]);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
