import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique } from '../helpers/factory';
import { ROOT, buildOnce } from '../helpers/process';
import { startTestApp, TEST_SECRET, tokenFor, type TestApp } from '../helpers/app';

// `npm run export:segment` as an operator runs it: the compiled script, against the test database.
jest.setTimeout(240_000);

let app: TestApp;
let dir: string;
beforeAll(async () => {
  buildOnce();
  app = await startTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'segment-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await app.close();
});

function exportCli(args: string[]) {
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn',
    DATABASE_URL: process.env.DATABASE_URL, JWT_SECRET: TEST_SECRET,
  } as NodeJS.ProcessEnv;
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/scripts/export-segment.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function member(country: string): Promise<string> {
  const c = await createCustomer(app.pool, { country, handles: [{ platform: 'TWITTER', handle: `cli${unique()}` }] });
  await insertConsentEvents(app.pool, [{ identityId: c.socialIdentityIds[0], status: 'GRANTED', purpose: 'MARKETING' }]);
  return c.id;
}

describe('npm run export:segment', () => {
  it('exports as a named admin and writes the SEGMENT_EXPORTED audit entry under cli:<name>', async () => {
    const country = `C${unique()}`.toUpperCase();
    const ids = [await member(country), await member(country)];
    const out = path.join(dir, 'as.ndjson');
    const name = `ops-${unique()}`;
    const run = exportCli(['--filter', JSON.stringify({ country }), '--out', out, '--as', name]);
    expect(run.stderr).not.toMatch(/export failed/);
    expect(run.status).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.customerId).sort()).toEqual(ids.sort());
    const { rows } = await app.pool.query(`SELECT action, actor_roles AS roles, details FROM audit_log WHERE actor = $1`, [`cli:${name}`]);
    // An admin's effective roles: admin and every role it implies.
    expect(rows).toEqual([{ action: 'SEGMENT_EXPORTED', roles: ['admin', 'agent', 'ingest', 'marketing', 'supervisor', 'viewer'], details: { purpose: 'MARKETING', filter: { country }, members: 2, via: 'cli' } }]);
  });

  it('refuses a marketing token asking for SERVICE, writing no file and no export entry', async () => {
    const country = `C${unique()}`.toUpperCase();
    await member(country);
    const out = path.join(dir, 'refused.ndjson');
    const sub = `cli-marketing-${unique()}`;
    const run = exportCli(['--filter', JSON.stringify({ country }), '--purpose', 'SERVICE', '--out', out, '--token', tokenFor(['marketing'], sub)]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/export failed: purpose SERVICE needs one of the roles: supervisor/);
    expect(existsSync(out)).toBe(false);
    const { rows } = await app.pool.query(`SELECT action FROM audit_log WHERE actor = $1`, [sub]);
    expect(rows).toEqual([]);
  });

  it('refuses to run without a subject (--token or --as)', () => {
    const run = exportCli(['--filter', '{}', '--out', path.join(dir, 'nobody.ndjson')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--token <JWT> \| --as/);
  });
});
