import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TEST_SECRET, tokenFor } from '../helpers/app';
import { buildOnce, freePort, halfSentRequest, portIsOpen, startProcess, type Started } from '../helpers/process';

// WEB_CONCURRENCY=2: the compiled server as `npm start` runs it, one embedded PostgreSQL, two workers on one port.
jest.setTimeout(240_000);

/** Worker ids of the access-log lines for `operation` (pino JSON, one object a line). */
function workersThatAnswered(output: string, operation: string): Set<number> {
  const ids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; operation?: string; worker?: number };
    if (entry.msg === 'graphql request' && entry.operation === operation && entry.worker !== undefined) ids.add(entry.worker);
  }
  return ids;
}

/** Polls `check` for up to 5 s: workers' log lines reach the shared stdout on their own schedule. */
async function eventually<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  let value = read();
  for (let i = 0; i < 50 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = read();
  }
  return value;
}

let dataDir: string;
let server: Started;
let port: number;
let pgPort: number;
beforeAll(async () => {
  buildOnce();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-workers-'));
  port = await freePort();
  pgPort = await freePort();
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'info', WEB_CONCURRENCY: '2',
    PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), JWT_SECRET: TEST_SECRET, SEED_DEMO: 'false',
    MUTATIONS_PER_MINUTE: '3',
  } as NodeJS.ProcessEnv;
  server = await startProcess('src/main.js', env, /serving GraphQL/);
});
afterAll(async () => {
  if (server?.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('WEB_CONCURRENCY=2', () => {
  it('starts the embedded PostgreSQL once, in the primary, and two workers that both answer on the one port', async () => {
    // Each worker writes its own lines to the shared stdout: the last may follow the primary's.
    for (let i = 0; i < 50 && (server.output().match(/worker is serving/g)?.length ?? 0) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const out = server.output();
    expect(out.match(/starting the embedded PostgreSQL/g)).toHaveLength(1);
    expect(out.match(/"msg":"migration applied"/g)?.length).toBeGreaterThan(0);
    expect(out.match(/worker is serving/g)).toHaveLength(2);
    for (let i = 0; i < 6; i++) {
      const res = await request(`http://127.0.0.1:${port}`)
        .post('/graphql')
        .set('authorization', `Bearer ${tokenFor(['viewer'])}`)
        .send({ query: 'query Count { customers(first: 1) { totalCount } }' });
      expect(res.body).toEqual({ data: { customers: { totalCount: 0 } } });
    }
    expect(await eventually(() => workersThatAnswered(server.output(), 'Count'), (ids) => ids.size >= 2)).toEqual(new Set([1, 2]));
  });

  it('counts the mutation rate limit in PostgreSQL: one token gets 3 mutations a minute across both workers, then HTTP 429', async () => {
    const token = tokenFor(['admin'], `workers-${Date.now()}`);
    const statuses: number[] = [];
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(`http://127.0.0.1:${port}`)
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .send({ query: 'mutation Touch { deleteLaneRule(name: "no-such-rule") }' });
      statuses.push(res.status);
      codes.push(res.body.errors?.[0]?.extensions?.code);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
    expect(codes.slice(3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Both workers answered mutations: per process counters would have allowed 3 each.
    expect(await eventually(() => workersThatAnswered(server.output(), 'Touch'), (ids) => ids.size >= 2)).toEqual(new Set([1, 2]));
  });

  it('on SIGTERM drains the request in flight, closes the port, stops the workers, then the database, and exits 0', async () => {
    const body = JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' });
    const inFlight = await halfSentRequest(port, tokenFor(['viewer']), body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await portIsOpen(port)).toBe(false);
    expect(server.child.exitCode).toBeNull();
    expect(await portIsOpen(pgPort)).toBe(true);
    const raw = await inFlight.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ data: { customers: { totalCount: 0 } } });
    expect(await server.exited).toBe(0);
    expect(await eventually(() => server.output().match(/"msg":"stopped"/g)?.length ?? 0, (n) => n >= 3)).toBe(3);
    expect(await portIsOpen(pgPort)).toBe(false);
  });
});
