import request from 'supertest';
import WebSocket from 'ws';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { wsUrl } from '../helpers/live';
import { createCustomer } from '../helpers/factory';

const LISTED = 'https://crm.example.com';
const UNLISTED = 'https://evil.example.com';

let app: TestApp;
let production: TestApp;
beforeAll(async () => {
  app = await startTestApp({ corsOrigins: [LISTED] });
  production = await startTestApp({ production: true });
});
afterAll(async () => {
  await app.close();
  await production.close();
});

const preflight = (on: TestApp, origin: string) =>
  request(on.server)
    .options('/graphql')
    .set('origin', origin)
    .set('access-control-request-method', 'POST')
    .set('access-control-request-headers', 'authorization,content-type');

/** Resolves with the HTTP status of a refused upgrade, or 'open'. */
function upgrade(on: TestApp, origin?: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(on.server), 'graphql-transport-ws', origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('CORS on /graphql', () => {
  it('answers a listed origin preflight itself, before the CSRF guard, with the headers a bearer token needs', async () => {
    const res = await preflight(app, LISTED);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
    expect(res.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/content-type/);
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('gives an unlisted origin no CORS header, on the preflight or the request', async () => {
    const pre = await preflight(app, UNLISTED);
    expect(pre.status).toBe(204);
    expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const res = await request(app.server).post('/graphql').set('origin', UNLISTED).set('authorization', `Bearer ${tokenFor(['viewer'])}`).send({ query: '{ __typename }' });
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('lets a listed origin read a customer 360 with a bearer token, x-request-id exposed', async () => {
    const customer = await createCustomer(app.pool);
    const res = await request(app.server)
      .post('/graphql')
      .set('origin', LISTED)
      .set('authorization', `Bearer ${tokenFor(['viewer'])}`)
      .send({ query: 'query($id: ID!) { customer(id: $id) { id displayName } }', variables: { id: customer.id } });
    expect(res.body.data.customer.id).toBe(customer.id);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/);
  });

  it('allows the loopback on any port outside production by default, and nothing in production', async () => {
    const dev = await startTestApp();
    try {
      expect((await preflight(dev, 'http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
    } finally {
      await dev.close();
    }
    expect((await preflight(production, 'http://localhost:5173')).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the origin rule on WebSocket upgrades', () => {
  it('opens for a listed origin and for no origin, refuses an unlisted one with 403', async () => {
    expect(await upgrade(app, LISTED)).toBe('open');
    expect(await upgrade(app)).toBe('open');
    expect(await upgrade(app, UNLISTED)).toBe(403);
    expect(await upgrade(production, 'http://localhost:5173')).toBe(403);
  });
});
