import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { TEST_SECRET, tokenFor } from '../helpers/app';
import { buildOnce, freePort, startProcess } from '../helpers/process';

// The compiled server, as `npm start` runs it, with its own embedded PostgreSQL.
jest.setTimeout(240_000);

const portIsOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

let dataDir: string;
beforeAll(() => {
  buildOnce();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-drain-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('SIGTERM', () => {
  it('finishes the request in flight, refuses new connections, then closes the pool and the embedded database and exits 0', async () => {
    const port = await freePort();
    const pgPort = await freePort();
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'info',
      PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), JWT_SECRET: TEST_SECRET, SEED_DEMO: 'false',
    } as NodeJS.ProcessEnv;
    const server = await startProcess('src/main.js', env, /serving GraphQL/);
    const base = `http://127.0.0.1:${port}`;
    const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    const locker = new Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: 'social_crm' });
    await locker.connect();
    try {
      // Hold one request inside PostgreSQL so it is still in flight when SIGTERM arrives.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE customers IN ACCESS EXCLUSIVE MODE');
      const inFlight = request(base).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'])}`).send({ query: '{ customers(first: 1) { totalCount } }' }).then((r) => r);
      for (let waited = 0; ; waited += 50) {
        const { rows } = await locker.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'social_crm'`);
        if (rows.length) break;
        if (waited > 10_000) throw new Error('the request never reached the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      server.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await portIsOpen(port)).toBe(false);
      expect(server.child.exitCode).toBeNull();
      await locker.query('ROLLBACK');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body.data.customers.totalCount).toBe(0);
    } finally {
      await locker.end().catch(() => undefined);
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/stopping: draining requests/);
    expect(server.output()).toMatch(/"msg":"stopped"/);
    expect(await portIsOpen(pgPort)).toBe(false);
  });
});
