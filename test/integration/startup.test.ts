import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ROOT, buildOnce, freePort, portIsOpen, startProcess } from '../helpers/process';

// `npm start` as a new user runs it: compiled server, embedded PostgreSQL, demo data on first start.
jest.setTimeout(240_000);

const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', NODE_ENV: 'development' } as NodeJS.ProcessEnv;
let dataDir: string;

beforeAll(() => {
  buildOnce();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-start-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function mintToken(env: NodeJS.ProcessEnv, role: string): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/token.js'), '--role', role, '--sub', 'startup-test'], { env }).toString().trim();
}

const COUNT = `{ customers(first: 1) { totalCount edges { node { id displayName } } }
  story: lookupCustomer(platform: TWITTER, handle: "https://twitter.com/ChadSchaeffer") { displayName city phones { value } } }`;

describe('npm start without DATABASE_URL', () => {
  it('starts embedded PostgreSQL, migrates, loads demo data once, stops cleanly on Ctrl-C and reuses the data', async () => {
    const port = await freePort();
    const pgPort = await freePort();
    const env = { ...baseEnv, PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };

    const first = await startProcess('src/main.js', env, /serving GraphQL/, undefined, true);
    expect(first.output()).toMatch(/starting the embedded PostgreSQL/);
    expect(first.output()).toMatch(/demo data seeded/);
    expect(first.output()).toMatch(/npm run token/);
    const token = mintToken(env, 'viewer');
    const res = await request(`http://127.0.0.1:${port}`).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: COUNT });
    expect(res.status).toBe(200);
    const demoCustomers = res.body.data.customers.totalCount;
    expect(demoCustomers).toBeGreaterThanOrEqual(900);
    // The README's example customer is in the demo data, findable as the README says.
    expect(res.body.data.story).toEqual({ displayName: 'Chad Schaeffer', city: 'Plymouth', phones: [{ value: '+13135550142' }] });

    // Ctrl-C in a terminal signals the whole foreground process group: the embedded server must
    // not take it as its own fast shutdown and cut the connections the drain is still using.
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toMatch(/connection lost/);
    expect(await portIsOpen(pgPort)).toBe(false);
    expect(await portIsOpen(port)).toBe(false);

    const second = await startProcess('src/main.js', env, /serving GraphQL/);
    expect(second.output()).not.toMatch(/demo data seeded/);
    const again = await request(`http://127.0.0.1:${port}`).post('/graphql').set('authorization', `Bearer ${mintToken(env, 'viewer')}`).send({ query: COUNT });
    expect(again.body.data.customers.totalCount).toBe(demoCustomers);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toMatch(/connection lost/);
    expect(await portIsOpen(pgPort)).toBe(false);
  });
});

describe('npm start with DATABASE_URL', () => {
  it('uses that server, never starts the embedded one, and loads no demo data', async () => {
    const port = await freePort();
    const env = { ...baseEnv, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL };
    const started = await startProcess('src/main.js', env, /serving GraphQL/);
    expect(started.output()).not.toMatch(/embedded PostgreSQL/);
    expect(started.output()).not.toMatch(/demo data/);
    const res = await request(`http://127.0.0.1:${port}`).post('/graphql').set('authorization', `Bearer ${mintToken(env, 'viewer')}`).send({ query: COUNT });
    expect(res.status).toBe(200);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });
});

describe('start-up configuration errors', () => {
  it.each([
    [{ PORT: 'x' }, /configuration error: PORT must be an integer/],
    [{ NODE_ENV: 'production' }, /configuration error: JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production/],
    [{ JWT_SECRET: 'short' }, /configuration error: JWT_SECRET must be at least 32 bytes/],
  ])('stops with one clear line for %p', async (bad, message) => {
    const env = { ...baseEnv, DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL, ...bad } as NodeJS.ProcessEnv;
    await expect(startProcess('src/main.js', env, /serving GraphQL/, 30_000)).rejects.toThrow(message);
  });
});
