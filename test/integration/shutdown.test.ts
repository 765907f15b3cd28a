import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_SECRET, tokenFor } from '../helpers/app';
import { buildOnce, freePort, halfSentRequest, portIsOpen, startProcess } from '../helpers/process';

// The compiled server, as `npm start` runs it, with its own embedded PostgreSQL.
jest.setTimeout(240_000);

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
    // One request is in flight when SIGTERM arrives: its headers and half its body are sent,
    // the rest follows after the signal (deterministic, whatever the database is doing).
    const body = JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' });
    const inFlight = await halfSentRequest(port, tokenFor(['viewer']), body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await portIsOpen(port)).toBe(false);
    expect(server.child.exitCode).toBeNull();
    const raw = await inFlight.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ data: { customers: { totalCount: 0 } } });
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/stopping: draining requests/);
    expect(server.output()).toMatch(/"msg":"stopped"/);
    expect(await portIsOpen(pgPort)).toBe(false);
  });
});
