import { Writable } from 'node:stream';
import { Client } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { createDataSource } from '../../src/db/data-source';
import { checkReadiness } from '../../src/http/health';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { withScratchDatabase } from '../helpers/databases';

const lines: Record<string, any>[] = [];
const logger = pino(
  { level: 'info', base: undefined },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  }),
);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ logger });
});
afterAll(() => app.close());

const post = (body: object, headers: Record<string, string> = {}) =>
  request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['admin'])}`).set(headers).send(body);

describe('health and readiness', () => {
  it('answers /healthz without touching the database', async () => {
    const res = await request(app.server).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when the database answers and every migration is applied', async () => {
    const res = await request(app.server).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', database: 'reachable', pendingMigrations: [] });
  });

  it('is not ready on a database that misses a migration, and names it', async () => {
    await withScratchDatabase(async (url) => {
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        expect(await checkReadiness(ds)).toMatchObject({ ready: false, database: 'reachable' });
        await ds.runMigrations({ transaction: 'each' });
        await ds.undoLastMigration();
        const readiness = await checkReadiness(ds);
        expect(readiness.ready).toBe(false);
        expect(readiness.pendingMigrations).toEqual([ds.migrations[ds.migrations.length - 1].name]);
      } finally {
        await ds.destroy();
      }
    }, { migrate: false });
  });

  it('is not ready when the database cannot be reached', async () => {
    const ds = createDataSource({ url: process.env.DATABASE_URL!, poolSize: 1 });
    await ds.initialize();
    await ds.destroy();
    // A destroyed DataSource behaves like an unreachable database for the readiness check.
    await expect(checkReadiness(ds)).resolves.toMatchObject({ ready: false, database: 'unreachable' });
  });
});

describe('request ids', () => {
  it('returns a request id in x-request-id and in every error extension, and logs it', async () => {
    const res = await post({ query: '{ customer(id: "bad") { id } }' });
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.errors[0].extensions.requestId).toBe(requestId);
    const logged = lines.find((l) => l.requestId === requestId && l.msg === 'graphql request');
    expect(logged).toMatchObject({ status: 200, method: 'POST', level: 30 });
  });

  it('keeps a plain caller-supplied id and replaces one that could forge log lines', async () => {
    expect((await post({ query: '{ __typename }' }, { 'x-request-id': 'lb-1234.abc' })).headers['x-request-id']).toBe('lb-1234.abc');
    expect((await post({ query: '{ __typename }' }, { 'x-request-id': 'x" level=50 msg="forged' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id on errors raised before GraphQL runs (no token, bad JSON, limits)', async () => {
    const noToken = await request(app.server).post('/graphql').send({ query: '{ __typename }' });
    expect(noToken.body.errors[0].extensions.requestId).toBe(noToken.headers['x-request-id']);
    const badJson = await request(app.server).post('/graphql').set('content-type', 'application/json').send('{');
    expect(badJson.body.errors[0].extensions.requestId).toBe(badJson.headers['x-request-id']);
    const tooDeep = await post({ query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: customers(first: 1) { totalCount }`).join(' ')} }` });
    expect(tooDeep.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', requestId: tooDeep.headers['x-request-id'] });
  });

  it('logs the operation name and statement count of each request as one JSON line', async () => {
    const res = await post({ query: 'query OpsLogProbe { customers(first: 1) { totalCount } }' });
    const logged = lines.find((l) => l.requestId === res.headers['x-request-id']);
    // The page and its totalCount: two statements.
    expect(logged).toMatchObject({ operation: 'OpsLogProbe', statements: 2 });
    expect(typeof logged!.ms).toBe('number');
  });
});

describe('/metrics', () => {
  it('reports requests and latency by operation, errors by code and pool usage in Prometheus format', async () => {
    await post({ query: 'query MetricsProbe { customers(first: 1) { totalCount } }' });
    await post({ query: '{ customer(id: "bad") { id } }' });
    await post({ query: `{ customers(first: 100) { edges { node { interactions(first: 100) { edges { node { id } } } } } } }` });
    const res = await request(app.server).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/social_crm_graphql_requests_total\{operation="MetricsProbe"\} 1/);
    expect(res.text).toMatch(/social_crm_graphql_request_duration_seconds_bucket\{le="[0-9.]+",operation="MetricsProbe"\}/);
    expect(res.text).toMatch(/social_crm_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(res.text).toMatch(/social_crm_graphql_errors_total\{code="QUERY_TOO_COMPLEX"\} [1-9]/);
    expect(res.text).toMatch(/social_crm_db_pool_connections\{state="total"\} [1-9]/);
    expect(res.text).toMatch(/social_crm_http_responses_total\{status="200"\}/);
  });
});

describe('durability settings', () => {
  it('runs every session with synchronous_commit on, even when the database default is off', async () => {
    await withScratchDatabase(async (url) => {
      const name = new URL(url).pathname.slice(1);
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
      await admin.end();
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        expect((await ds.query('SHOW synchronous_commit'))[0].synchronous_commit).toBe('on');
      } finally {
        await ds.destroy();
      }
    }, { migrate: false });
    const [row] = await app.dataSource.query('SHOW synchronous_commit');
    expect(row.synchronous_commit).toBe('on');
  });
});
