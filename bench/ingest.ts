// `npm run bench:ingest -- [--url http://host:4000/graphql --token <JWT>] [--calls 20] [--concurrency 2] [--new-share 0.05] [--profiling] [--saved-segments 50 [--marketing]] [--handles FILE] [--floor-runs 5]`
// Posts recordInteractions calls of 1,000 over HTTP from a separate load process (bench/ingest-load.ts)
// and prints interactions per second. With the local service it then prints the floor beside it:
// PostgreSQL COPY of the rows of the last measured call into the same table (indexes, triggers, fsync).
// --handles FILE: post as existing identities (`PLATFORM<TAB>handle` per line, e.g. from psql
// `\copy (SELECT platform, handle FROM social_identities ...) TO FILE`) instead of made-up ones.
// --profiling (local service only): the warm-up customers grant PROFILING, so every public
// post of the measured calls re-scores its customer with the default influence scorer.
// --saved-segments N (local service only): N saved MARKETING segments of varied filters are kept
// current while the measured calls run (triggers mark every written customer, the service's
// segment worker evaluates them); it then prints how long the worker took to catch up.
// --marketing: the warm-up customers grant MARKETING too, so every written customer may be a
// member (the worst case for the segment worker; without it none can be and segments are skipped).
// Without --url it starts the real service in this process on a fresh embedded PostgreSQL
// (fsync on) in a temp folder, and removes it afterwards.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { freePort } from '../src/common/free-port';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import type { Handle, IngestPlan, PhaseName, PhaseResult } from './ingest-load';
import { postgresCpuSeconds } from './proc-cpu';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    calls: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '5000' },
    'new-share': { type: 'string', default: '0.05' },
    profiling: { type: 'boolean', default: false },
    'saved-segments': { type: 'string', default: '0' },
    marketing: { type: 'boolean', default: false },
    handles: { type: 'string' },
    'floor-runs': { type: 'string', default: '5' },
  },
});
/** `--handles FILE`: one `PLATFORM<TAB>handle` per line, identities that exist in the service's database. */
function readHandles(file: string): Handle[] {
  const handles = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [platform, handle] = line.split('\t');
    if (!platform || !handle) throw new Error(`${file}: expected PLATFORM<TAB>handle, got "${line}"`);
    return { platform: platform.trim(), handle: handle.trim() };
  });
  if (handles.length === 0) throw new Error(`${file} holds no handles`);
  return handles;
}

const HANDLES = values.handles ? readHandles(values.handles) : undefined;
const PLAN = {
  calls: Number(values.calls),
  concurrency: Number(values.concurrency),
  batch: Number(values.batch),
  customers: Number(values.customers),
  newShare: Number(values['new-share']),
  handles: HANDLES,
};

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(0);

/** The load process (bench/ingest-load.ts): runs one phase per request and answers its result. */
function startLoad(plan: IngestPlan) {
  const child = fork(path.join(__dirname, 'ingest-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the load process exited (${code})`))));
  exited.catch(() => undefined); // also ends after stop(): only a pending phase cares
  child.send(plan);
  return {
    run: (phase: PhaseName) => Promise.race([
      new Promise<PhaseResult>((resolve) => {
        child.once('message', (result: PhaseResult) => resolve(result));
        child.send(phase);
      }),
      exited,
    ]),
    stop: () => child.disconnect(),
  };
}

/**
 * The floor for one call: PostgreSQL `COPY` of the rows the last measured call wrote (the same
 * 1,000 rows: same content, topics, ranks and queue keys) into the same interactions table, with
 * its indexes and triggers, committed with fsync on. Each run gets new ids and idempotency keys
 * (unique), everything else as stored. The rows are read out before the clock starts. Answers the
 * milliseconds per run, one COPY per transaction.
 */
async function copyFloor(url: string, rows: number, runs: number): Promise<number[]> {
  const client = new Client({ connectionString: url, application_name: 'bench-ingest-floor' });
  await client.connect();
  try {
    const columns: string[] = (await client.query(
      `SELECT column_name AS c FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'interactions' AND is_generated = 'NEVER' AND is_identity = 'NO'
        ORDER BY ordinal_position`,
    )).rows.map((r: { c: string }) => r.c);
    const list = columns.join(', ');
    const source: string[] = (await client.query(
      `SELECT id FROM interactions ORDER BY created_at DESC, id LIMIT $1`, [rows],
    )).rows.map((r: { id: string }) => r.id);
    const ms: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const select = columns.map((c) =>
        c === 'id' ? 'gen_random_uuid()' : c === 'idempotency_key' ? `idempotency_key || ':floor-${run}-' || ${Date.now()}` : c).join(', ');
      const chunks: Buffer[] = [];
      await pipeline(
        client.query(copyTo(`COPY (SELECT ${select} FROM interactions WHERE id = ANY('{${source.join(',')}}'::uuid[])) TO STDOUT`)),
        new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk); done(); } }),
      );
      const started = performance.now();
      await client.query('BEGIN');
      const sink = client.query(copyFrom(`COPY interactions (${list}) FROM STDIN`));
      await pipeline(Readable.from(chunks), sink);
      await client.query('COMMIT');
      if (sink.rowCount !== rows) throw new Error(`the floor copied ${sink.rowCount} rows, not ${rows}`);
      ms.push(performance.now() - started);
    }
    return ms.sort((a, b) => a - b);
  } finally {
    await client.end();
  }
}

/** The real service on a fresh embedded PostgreSQL, listening on a free port. */
async function startLocalService() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-bench-'));
  const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'social_crm_bench' });
  const dataSource = createDataSource({ url: db.url, poolSize: 10, applicationName: 'bench-ingest' });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const secret = 'bench-secret-bench-secret-bench-secret-0123456789';
  const app = await createApp({
    config: { isProduction: true, defaultPhoneRegion: 'US' },
    dataSource,
    logger: createLogger('error'),
    verifyToken: createTokenVerifier({ secret, issuer: 'social-crm', audience: 'social-crm-api' }),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  const token = signDevToken(secret, { sub: 'bench', roles: ['ingest'] }, { issuer: 'social-crm', audience: 'social-crm-api', expiresIn: 3600 });
  const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    token,
    grantProfiling: () => dataSource.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
       SELECT customer_id, id, 'PROFILING', 'GRANTED', now(), 'SOCIAL_MESSAGE', 'bench' FROM social_identities`,
    ),
    grantMarketing: () => dataSource.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
       SELECT customer_id, id, 'MARKETING', 'GRANTED', now(), 'SOCIAL_MESSAGE', 'bench' FROM social_identities`,
    ),
    /** N saved MARKETING segments of varied filters, populated by the service's segment worker before it resolves. */
    async saveSegments(n: number) {
      const variants = (k: number): Record<string, unknown>[] => [
        { tiers: ['GOLD', 'PLATINUM'] }, { platforms: ['TWITTER'] }, { categories: ['COMPLAINT'] }, { minInfluence: 1 + (k % 9) },
        { country: 'US' }, { interactedSince: new Date(Date.now() - (k + 1) * 3600_000).toISOString() }, { topics: ['warranty'] },
      ];
      const filters = Array.from({ length: n }, (_, k) => variants(k)[k % 7]);
      await dataSource.query(
        `INSERT INTO saved_segments (name, purpose, filter, created_by)
         SELECT 'bench-' || t.n, 'MARKETING', t.f, 'bench' FROM unnest($1::jsonb[]) WITH ORDINALITY AS t(f, n)`,
        [filters.map((f) => JSON.stringify(f))],
      );
      await app.segments.drain();
    },
    /** How many changed-customer rows wait, and the milliseconds until the segment worker has evaluated them all. */
    async segmentCatchUp() {
      const started = performance.now();
      const left = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM segment_dirty_customers`))[0].n);
      const backlog = await left();
      while ((await left()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      return { backlog, ms: performance.now() - started };
    },
    copyFloor: (rows: number, runs: number) => copyFloor(db.url, rows, runs),
    cpuSeconds: () => ({ node: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, postgres: postgresCpuSeconds(postmaster) }),
    async stop() {
      await app.stop();
      app.server.close();
      await dataSource.destroy();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const local = values.url ? null : await startLocalService();
  const url = values.url ?? local!.url;
  const token = values.token ?? local?.token;
  if (!token) throw new Error('--token is required with --url (npm run token -- --role ingest)');
  const load = startLoad({ url, token, ...PLAN });
  try {
    const w = await load.run('warm-up');
    const kind = HANDLES ? `one post per handle of ${values.handles}` : 'every handle new, one customer created per item';
    process.stdout.write(`warm-up (${kind}): ${w.interactions} interactions in ${w.seconds.toFixed(1)} s = ${(w.interactions / w.seconds).toFixed(0)} interactions/s\n`);

    if (values.profiling) {
      if (!local) throw new Error('--profiling needs the local service (no --url)');
      await local.grantProfiling();
      process.stdout.write('every warm-up customer granted PROFILING: measured posts re-score their customers\n');
    }

    const segments = Number(values['saved-segments']);
    if (segments > 0) {
      if (!local) throw new Error('--saved-segments needs the local service (no --url)');
      if (values.marketing) await local.grantMarketing();
      await local.saveSegments(segments);
      process.stdout.write(`${segments} saved segments, populated${values.marketing ? ' (every warm-up customer granted MARKETING)' : ''}; the service's segment worker keeps them current during the measured calls\n`);
    }

    const cpuBefore = local?.cpuSeconds();
    const m = await load.run('measured');
    const total = m.interactions;
    process.stdout.write(
      `bulk ingestion: ${total} interactions in ${PLAN.calls} calls of ${PLAN.batch} (${(PLAN.newShare * 100).toFixed(0)}% first-time handles, ` +
        `${PLAN.concurrency} calls in flight): ${m.seconds.toFixed(1)} s = ${(total / m.seconds).toFixed(0)} interactions/s; ` +
        `call latency p50 ${pct(m.latencies, 0.5)} ms, p95 ${pct(m.latencies, 0.95)} ms\n`,
    );
    if (local && cpuBefore !== undefined) {
      // Wall time depends on what else the machine runs; CPU time per interaction does not.
      const after = local.cpuSeconds();
      const [node, postgres] = [after.node - cpuBefore.node, after.postgres - cpuBefore.postgres];
      const perItem = (seconds: number) => `${((seconds / total) * 1e6).toFixed(0)} µs`;
      process.stdout.write(
        `CPU per interaction: ${perItem(node)} in the service (Node), ${perItem(postgres)} in PostgreSQL, ${perItem(m.cpuSeconds)} in the load process; ` +
          `service + PostgreSQL = ${(total / (node + postgres)).toFixed(0)} interactions per CPU-second (load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)\n`,
      );
    }
    if (local && segments > 0) {
      const { backlog, ms } = await local.segmentCatchUp();
      process.stdout.write(`saved segments: ${backlog} changed-customer rows waiting when the calls ended, all evaluated ${(ms / 1000).toFixed(1)} s later\n`);
    }
    if (local) {
      // After the measured phase: the floor copies the rows of its last call.
      const runs = Math.max(1, Number(values['floor-runs']));
      const floor = await local.copyFloor(PLAN.batch, runs);
      const median = floor[Math.floor(floor.length / 2)];
      const floorRate = (PLAN.batch / median) * 1000;
      const rate = total / m.seconds;
      process.stdout.write(
        `floor: COPY of the same ${PLAN.batch} rows into interactions (same indexes and triggers, one transaction, fsync on), ` +
          `median of ${runs}: ${median.toFixed(0)} ms = ${floorRate.toFixed(0)} rows/s (min ${floor[0].toFixed(0)} ms, max ${floor[floor.length - 1].toFixed(0)} ms); ` +
          `bulk ingestion runs at ${((rate / floorRate) * 100).toFixed(0)}% of the floor (1 : ${(floorRate / rate).toFixed(1)}; COPY writes only the interaction rows, ` +
          `a call also links identities, threads conversations, counts topics and answers over HTTP)\n`,
      );
    }
  } finally {
    load.stop();
    await local?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
