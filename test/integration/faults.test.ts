import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { Client, type Pool } from 'pg';
import request from 'supertest';
import { createDataSource } from '../../src/db/data-source';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { startThrowawayCluster, withScratchDatabase, type ThrowawayCluster } from '../helpers/databases';
import { freePort } from '../helpers/process';
import { writeUnderRestart } from '../helpers/write-under-restart';

jest.setTimeout(120_000);

const COUNT = '{ customers(first: 1) { totalCount } }';
const ask = (app: TestApp, query = COUNT) => request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'])}`).send({ query });

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a database backend killed in the middle of a request', () => {
  it('fails that request with INTERNAL_SERVER_ERROR, keeps the process up and serves the next request', async () => {
    await withScratchDatabase(async (url) => {
      const app = await startTestApp({ url });
      const locker = new Client({ connectionString: url });
      await locker.connect();
      try {
        expect((await ask(app)).status).toBe(200);
        // Hold the request inside PostgreSQL: it waits on a lock we hold.
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE customers IN ACCESS EXCLUSIVE MODE');
        const inFlight = ask(app).then((res) => res);
        const database = new URL(url).pathname.slice(1);
        const pid = await waitFor('the request to block on the lock', async () => {
          const { rows } = await locker.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
            [database],
          );
          return rows[0]?.pid as number | undefined;
        });
        await locker.query('SELECT pg_terminate_backend($1)', [pid]);
        await locker.query('ROLLBACK');
        const res = await inFlight;
        expect(res.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expect(JSON.stringify(res.body)).not.toMatch(/terminat|57P01/i);
        const next = await ask(app);
        expect(next.status).toBe(200);
        expect(next.body.data.customers.totalCount).toBe(0);
      } finally {
        await locker.end();
        await app.close();
      }
    });
  });

  it('gives every client the pool hands out an error listener, even one held outside a query', async () => {
    await withScratchDatabase(async (url) => {
      const app = await startTestApp({ url });
      try {
        const held = await app.pool.connect();
        expect(held.listenerCount('error')).toBeGreaterThan(0);
        const { rows } = await held.query('SELECT pg_backend_pid() AS pid');
        const killer = new Client({ connectionString: url });
        await killer.connect();
        await killer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await killer.end();
        // Without a listener the 'error' pg emits now would be an uncaught exception.
        await new Promise((resolve) => setTimeout(resolve, 200));
        held.release(true);
        expect((await ask(app)).status).toBe(200);
      } finally {
        await app.close();
      }
    });
  });
});

describe('a database that does not answer', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('fails a connection attempt after the 5 s connection timeout instead of waiting forever', async () => {
    // Accepts TCP and never speaks: what a hung or half-dead server looks like to a client.
    silent = createServer((socket) => void sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const ds = createDataSource({ url: `postgres://u:p@127.0.0.1:${port}/none`, poolSize: 1 });
    const started = Date.now();
    await expect(ds.initialize()).rejects.toThrow(/timeout/i);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(4_900);
    expect(waited).toBeLessThan(8_000);
  });
});

describe('PostgreSQL stopped and started again', () => {
  let cluster: ThrowawayCluster;
  let app: TestApp;
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const ds = createDataSource({ url: cluster.url, poolSize: 1 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    app = await startTestApp({ url: cluster.url });
  });
  afterAll(async () => {
    await app?.close();
    await cluster?.destroy();
  });

  it('answers fast with an error and not-ready while it is down, and recovers by itself when it is back', async () => {
    expect((await ask(app)).status).toBe(200);
    await cluster.stop();
    const started = Date.now();
    const down = await ask(app);
    expect(down.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect((await request(app.server).get('/readyz')).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect((await request(app.server).get('/healthz')).status).toBe(200);
    await cluster.start();
    const back = await waitFor('the API to answer again', async () => {
      const res = await ask(app);
      return res.body.data?.customers ? res : null;
    });
    expect(back.status).toBe(200);
    expect((await request(app.server).get('/readyz')).status).toBe(200);
  });
});

describe('PostgreSQL restart under write load', () => {
  // The load is the idempotent recordInteraction (care branch) when the schema has it; until
  // then an idempotent write of this test's own: INSERT ... ON CONFLICT on a key, answered with
  // the row's id. Either way: 300 calls with client retries, PostgreSQL restarted mid-way, then
  // every acknowledged key must be stored exactly once.
  let cluster: ThrowawayCluster;
  let app: TestApp;
  let pool: Pool | undefined;
  let realMutation = false;
  const run = randomUUID().slice(0, 8);
  const probe = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    mutation: new GraphQLObjectType({
      name: 'Mutation',
      fields: {
        write: {
          type: new GraphQLNonNull(GraphQLString),
          args: { key: { type: new GraphQLNonNull(GraphQLString) } },
          resolve: async (_root, { key }: { key: string }) => {
            const { rows } = await pool!.query(
              `WITH ins AS (INSERT INTO probe_writes (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING id)
               SELECT id FROM ins UNION ALL SELECT id FROM probe_writes WHERE key = $1`,
              [key],
            );
            return String(rows[0].id);
          },
        },
      },
    }),
  });
  const write = (i: number) =>
    realMutation
      ? {
          query: 'mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }',
          variables: { input: { idempotencyKey: `restart-${run}-${i}`, channel: 'EMAIL', direction: 'INBOUND', content: `load item ${i}`, email: `restart-${run}@example.com` } },
        }
      : { query: 'mutation($key: String!) { write(key: $key) }', variables: { key: `restart-${run}-${i}` } };
  const storedKeys = async (client: Client) =>
    (
      await client.query(
        realMutation
          ? `SELECT idempotency_key AS key, count(*)::int AS n FROM interactions WHERE idempotency_key LIKE $1 GROUP BY 1`
          : `SELECT key, count(*)::int AS n FROM probe_writes WHERE key LIKE $1 GROUP BY 1`,
        [`restart-${run}-%`],
      )
    ).rows as { key: string; n: number }[];

  beforeAll(async () => {
    realMutation = Boolean((await buildAppSchema()).getMutationType()?.getFields().recordInteraction);
    cluster = await startThrowawayCluster();
    const ds = createDataSource({ url: cluster.url, poolSize: 1 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.query(`CREATE TABLE probe_writes (id bigserial PRIMARY KEY, key text NOT NULL UNIQUE, at timestamptz NOT NULL DEFAULT now())`);
    await ds.destroy();
    app = await startTestApp({ url: cluster.url, schema: realMutation ? undefined : probe, poolSize: 10, limits: { mutationsPerMinute: 10_000 } });
    pool = app.pool;
  });
  afterAll(async () => {
    await app?.close();
    await cluster?.destroy();
  });

  it('keeps every acknowledged write of 300 retried idempotent calls, none doubled', async () => {
    const result = await writeUnderRestart({
      count: 300,
      concurrency: 8,
      restartAfter: 100,
      retryForMs: 60_000,
      restart: async () => {
        await cluster.stop();
        await cluster.start();
      },
      send: async (i) => {
        const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['ingest'], 'restart-load')}`).send(write(i));
        return res.status === 200 && !res.body.errors && res.body.data != null;
      },
    });
    expect(result.gaveUp).toEqual([]);
    expect(result.acknowledged).toHaveLength(300);
    // The restart did happen under load: some attempts failed and were retried.
    expect(result.failedAttempts).toBeGreaterThan(0);
    const check = new Client({ connectionString: cluster.url });
    await check.connect();
    const stored = new Map((await storedKeys(check)).map((r) => [r.key, r.n]));
    await check.end();
    for (const i of result.acknowledged) expect(stored.get(`restart-${run}-${i}`)).toBe(1);
    expect(stored.size).toBe(300);
  });
});
