// `npm run build && NODE_ENV=production node dist/bench/ingest-statements.js` (env: CALLS=10 CONC=1 OUT=file PROF=file.cpuprofile KEEP=1)
// Where bulk ingestion's PostgreSQL time goes, per statement: bench:ingest's service and load on a fresh
// embedded PostgreSQL restarted with pg_stat_statements (track = all: nested statements such as
// foreign-key checks and trigger queries are listed too) and track_functions = all. After the
// warm-up it resets the statistics, runs the measured calls and prints each statement's backend
// time per interaction (wall time inside PostgreSQL; run it at one call in flight on a quiet
// machine), then the PL/pgSQL functions' times. PROF writes a CPU profile of the service for the
// measured calls; KEEP leaves the database running (its URL in $TMPDIR/ingest-statements-url) until Ctrl-C.
// Used for docs/benchmarks.md ("Where the time went after the queue tier").
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Session } from 'node:inspector/promises';
import { freePort } from '../src/common/free-port';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import type { PhaseName, PhaseResult } from './ingest-load';

interface StatementRow { calls: string; toplevel: boolean; us_per_item: string; rows: string; q: string }
interface FunctionRow { funcname: string; calls: string; self_us: string; total_us: string }

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-prof-'));
  const port = await freePort();
  let db = await startEmbeddedPostgres({ dir, port, database: 'social_crm_bench' });
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await admin.query(`ALTER SYSTEM SET track_functions = 'all'`);
  await admin.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
  await admin.end();
  await db.stop();
  db = await startEmbeddedPostgres({ dir, port, database: 'social_crm_bench' });
  const dataSource = createDataSource({ url: db.url, poolSize: 10, applicationName: 'bench-ingest' });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const secret = 'bench-secret-bench-secret-bench-secret-0123456789';
  const app = await createApp({
    config: { isProduction: true, defaultPhoneRegion: 'US' }, dataSource, logger: createLogger('error'),
    verifyToken: createTokenVerifier({ secret, issuer: 'social-crm', audience: 'social-crm-api' }),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port: httpPort } = app.server.address() as AddressInfo;
  const token = signDevToken(secret, { sub: 'bench', roles: ['ingest'] }, { issuer: 'social-crm', audience: 'social-crm-api', expiresIn: 3600 });
  const child = fork(path.join(__dirname, 'ingest-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const calls = Number(process.env.CALLS ?? 10);
  child.send({ url: `http://127.0.0.1:${httpPort}/graphql`, token, calls, concurrency: Number(process.env.CONC ?? 1), batch: 1000, customers: 5000, newShare: 0.05 });
  const run = (phase: PhaseName) => new Promise<PhaseResult>((resolve) => { child.once('message', (r: PhaseResult) => resolve(r)); child.send(phase); });
  const w = await run('warm-up');
  console.log('warm-up', w.seconds);
  await dataSource.query('SELECT pg_stat_statements_reset()');
  await dataSource.query('SELECT pg_stat_reset()');
  const session = new Session();
  if (process.env.PROF) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 200 }); await session.post('Profiler.start'); }
  const cpu0 = process.cpuUsage();
  const m = await run('measured');
  const cpu = process.cpuUsage(cpu0);
  if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); writeFileSync(process.env.PROF, JSON.stringify(profile)); }
  console.log(`measured ${m.interactions} in ${m.seconds.toFixed(2)} s = ${(m.interactions / m.seconds).toFixed(0)}/s; node ${((cpu.user + cpu.system) / m.interactions).toFixed(0)} µs/item`);
  const n = m.interactions;
  const st = await dataSource.query(
    `SELECT calls, toplevel, round((total_exec_time * 1000 / $1)::numeric, 1) AS us_per_item, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS q
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 40`, [n]);
  const fn = await dataSource.query(
    `SELECT funcname, calls, round((self_time * 1000 / $1)::numeric, 1) AS self_us, round((total_time * 1000 / $1)::numeric, 1) AS total_us FROM pg_stat_user_functions ORDER BY total_time DESC`, [n]);
  const out = [...st.map((r: StatementRow) => `${String(r.us_per_item).padStart(7)} µs ${String(r.calls).padStart(6)} ${r.toplevel ? 'T' : 'n'} rows=${r.rows} ${r.q}`), '--- functions', ...fn.map((r: FunctionRow) => `${r.self_us} self ${r.total_us} total ${r.calls} ${r.funcname}`)].join('\n');
  console.log(out);
  if (process.env.OUT) writeFileSync(process.env.OUT, out);
  child.disconnect();
  if (process.env.KEEP) { writeFileSync(path.join(os.tmpdir(), 'ingest-statements-url'), db.url); console.log('kept', db.url); await new Promise((r) => process.once('SIGINT', r)); }
  await app.stop(); app.server.close(); await dataSource.destroy(); await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
main().catch((e) => { console.error(e); process.exit(1); });
