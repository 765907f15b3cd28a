import { parse } from 'graphql';
import { createTokenVerifier, signDevToken } from '../../src/auth/jwt';
import { cachedOperationCost, operationCost } from '../../src/graphql/limits';
import { buildAppSchema } from '../../src/schema';

const SECRET = 'unit-test-secret-that-is-long-enough-for-hs256-0123';
const OPTIONS = { issuer: 'social-crm', audience: 'social-crm-api' };

describe('verified-token cache', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a token again without a new check, and refuses it once expired (past the clock tolerance)', async () => {
    const verify = createTokenVerifier({ secret: SECRET, ...OPTIONS });
    const token = signDevToken(SECRET, { sub: 'cache', roles: ['agent'] }, { ...OPTIONS, expiresIn: 60 });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 120_000);
    await expect(verify(token)).rejects.toThrow(/expired/);
  });

  it('never remembers a refusal, and a changed token is a new token', async () => {
    const verify = createTokenVerifier({ secret: SECRET, ...OPTIONS });
    const token = signDevToken(SECRET, { sub: 'cache', roles: ['viewer'] }, OPTIONS);
    await verify(token);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await expect(verify(tampered)).rejects.toThrow();
    await expect(verify(tampered)).rejects.toThrow();
    const other = createTokenVerifier({ secret: SECRET + 'x', ...OPTIONS });
    await expect(other(token)).rejects.toThrow();
  });
});

describe('cost cache', () => {
  it('keys the cost on the variables that can change it (first), not on ids', async () => {
    const schema = await buildAppSchema();
    const doc = parse(`query($id: ID!, $first: Int) { customer(id: $id) { interactions(first: $first) { edges { node { id } } } } }`);
    const a = cachedOperationCost(schema, doc, undefined, { id: '00000000-0000-4000-8000-000000000001', first: 5 });
    const b = cachedOperationCost(schema, doc, undefined, { id: '00000000-0000-4000-8000-000000000002', first: 5 });
    const c = cachedOperationCost(schema, doc, undefined, { id: '00000000-0000-4000-8000-000000000002', first: 50 });
    expect(a).toBe(b);
    expect(c).toBe(operationCost(schema, doc, undefined, { id: 'x', first: 50 }));
    expect(c).toBeGreaterThan(a);
  });
});
