import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { CLOCK_TOLERANCE_SECONDS, createTokenVerifier } from '../../src/auth/jwt';
import { ConfigError, loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../helpers/app';

const issuer = 'https://idp.example.test/';
const audience = 'social-crm-api';
const now = () => Math.floor(Date.now() / 1000);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
/** Claims of a good token; a claim given as undefined is left out. */
const claims = (extra: Record<string, unknown> = {}) =>
  Object.fromEntries(Object.entries({ sub: 'agent-7', roles: ['agent'], iss: issuer, aud: audience, exp: now() + 300, ...extra }).filter(([, v]) => v !== undefined));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Signs HS256 by hand with any bytes as the secret (jsonwebtoken refuses to make this attack token). */
function hs256With(secret: string | Buffer, payload: object, header: object = {}): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('with an RS256 public key configured', () => {
  const verify = createTokenVerifier({ publicKey: pem(rsa.publicKey), issuer, audience });
  const rs256 = (payload: object) => jwt.sign(payload, rsa.privateKey, { algorithm: 'RS256' });

  it('accepts a token signed with the private key', async () => {
    const viewer = await verify(rs256(claims()));
    expect(viewer.sub).toBe('agent-7');
    expect([...viewer.roles].sort()).toEqual(['agent', 'viewer']);
  });

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    await expect(verify(token)).rejects.toThrow(/invalid algorithm|jwt signature is required/);
  });

  it('refuses HS256 signed with the RSA public key as the secret (algorithm confusion)', async () => {
    await expect(verify(hs256With(pem(rsa.publicKey), claims()))).rejects.toThrow(/invalid algorithm/);
  });

  it('refuses an ES256 token, even one with a valid signature of another key', async () => {
    await expect(verify(jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256' }))).rejects.toThrow(/invalid algorithm/);
  });

  it.each([
    ['exp', { exp: undefined }, /no exp claim/],
    ['iss', { iss: undefined }, /jwt issuer invalid/],
    ['aud', { aud: undefined }, /jwt audience invalid/],
  ])('refuses a token without %s', async (_claim, without, message) => {
    await expect(verify(rs256(claims(without)))).rejects.toThrow(message);
  });

  it(`tolerates ${CLOCK_TOLERANCE_SECONDS} s of clock skew and no more than 60 s`, async () => {
    expect(CLOCK_TOLERANCE_SECONDS).toBeLessThanOrEqual(60);
    await expect(verify(rs256(claims({ exp: now() - (CLOCK_TOLERANCE_SECONDS - 5) })))).resolves.toMatchObject({ sub: 'agent-7' });
    await expect(verify(rs256(claims({ exp: now() - 61 })))).rejects.toThrow(/jwt expired/);
    await expect(verify(rs256(claims({ nbf: now() + 61 })))).rejects.toThrow(/jwt not active/);
  });
});

describe('with an ES256 public key configured', () => {
  const verify = createTokenVerifier({ publicKey: pem(ec.publicKey), issuer, audience });

  it('accepts ES256 and refuses RS256', async () => {
    await expect(verify(jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256' }))).resolves.toMatchObject({ sub: 'agent-7' });
    await expect(verify(jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' }))).rejects.toThrow(/invalid algorithm/);
  });
});

describe('HS256 secret at start-up', () => {
  it('refuses a 31-byte secret and accepts 32 bytes', () => {
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(31) })).toThrow(ConfigError);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toHaveLength(32);
  });
});

describe('with JWT_PUBLIC_KEY as a JWKS URL', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: kid.startsWith('ec') ? 'ES256' : 'RS256' });
  let jwks: http.Server;
  let url: string;
  let fetches = 0;
  let app: TestApp;

  beforeAll(async () => {
    jwks = http.createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk(rsa.publicKey, 'rsa-1'), jwk(ec.publicKey, 'ec-1')] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    app = await startTestApp({ verifyToken: createTokenVerifier({ jwksUrl: url, issuer, audience }) });
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  const call = (token: string) => request(app.server).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ customers(first: 1) { totalCount } }' });

  it('is read from the environment as a JWKS URL, not a PEM', () => {
    expect(loadConfig({ JWT_PUBLIC_KEY: url })).toMatchObject({ jwtJwksUrl: url, jwtPublicKey: undefined });
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_PUBLIC_KEY: 'http://idp.example.test/jwks' })).toThrow(/https/);
  });

  it('accepts tokens whose kid names a key of the set, RSA or EC, and caches the set', async () => {
    expect((await call(jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' }))).status).toBe(200);
    expect((await call(jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256', keyid: 'ec-1' }))).status).toBe(200);
    expect(fetches).toBeLessThanOrEqual(2);
  });

  it.each([
    ['an unknown kid', () => jwt.sign(claims(), other.privateKey, { algorithm: 'RS256', keyid: 'rsa-2' })],
    ['no kid', () => jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' })],
    ['a known kid over another key', () => jwt.sign(claims(), other.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' })],
    ['HS256 signed with the published public key', () => hs256With(pem(rsa.publicKey), claims(), { kid: 'rsa-1' })],
    ['the EC key used with RS256 in the header', () => hs256With('x', claims(), { kid: 'ec-1', alg: 'RS256' })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_name, token) => {
    const res = await call(token());
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
