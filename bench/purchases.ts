// `npm run bench:purchases -- [--rounds 7] [--calls 10] [--concurrency 2] [--customers 5000] [--floor-runs 4] [--warmup 10]`
// Bulk purchases (issue 27) beside a COPY floor, in the same run: the real service on a fresh
// embedded PostgreSQL (fsync on, temp folder removed afterwards) receives recordPurchases calls of
// 1,000 items over HTTP, each item naming its customer by email (the identifier lookup ingestion
// jobs use). After unmeasured warm-up calls, each round posts `--calls` calls; PostgreSQL COPY
// writes 1,000 rows as stored by a call (those of the call before the round, then of the round's
// last call) into the same purchases table (indexes, constraints, one transaction) `--floor-runs`
// times, half before the calls and half after: the round's floor is their median. A round's ratio
// compares the service with the floor measured around it, under the same load; the run reports
// the median round and all rounds pooled. Goal: 40% of the floor.
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { freePort } from '../src/common/free-port';
import { createDataSource, poolOf } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { postgresCpuSeconds } from './proc-cpu';
import type { PurchaseLoadResult, PurchasePlan } from './purchases-load';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    calls: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '2' },
    customers: { type: 'string', default: '5000' },
    'floor-runs': { type: 'string', default: '4' },
  },
});
const ROUNDS = Math.max(1, Number(values.rounds));
const CALLS = Number(values.calls);
const FLOOR_RUNS = Math.max(1, Number(values['floor-runs']));
const CONCURRENCY = Number(values.concurrency);
const CUSTOMERS = Number(values.customers);
const BATCH = 1000;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** The load process (bench/purchases-load.ts): warms up and builds its bodies, then posts a round's calls on go(round). */
async function startLoad(plan: PurchasePlan): Promise<{ go: (round: number) => Promise<PurchaseLoadResult>; stop: () => void }> {
  const child = fork(path.join(__dirname, 'purchases-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the load process exited (${code})`))));
  exited.catch(() => undefined); // also ends after the run: only a pending step cares
  const next = <T>() => Promise.race([new Promise<T>((resolve) => child.once('message', (m: T) => resolve(m))), exited]);
  const ready = next<'ready'>();
  child.send(plan);
  await ready;
  return {
    go: (round) => {
      const result = next<PurchaseLoadResult>();
      child.send(round);
      return result;
    },
    stop: () => child.disconnect(),
  };
}

/** What one round measured: rates, their ratio, CPU per purchase (µs) of the service and per row of the floor. */
interface Round {
  seconds: number;
  rate: number;
  p50: number;
  floorMs: number;
  floorRate: number;
  ratio: number;
  /** All of the round's COPYs: their time and rows. */
  floorSeconds: number;
  floorRows: number;
  nodeUser: number;
  nodeSystem: number;
  postgres: number;
  floorPostgres: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The rows of one call, as stored, as COPY text lines without id and key. */
async function floorRows(pool: Pool, keys: string): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `SELECT concat_ws(E'\\t', customer_id, product, category, amount, currency, purchased_at, channel, content_hash, created_by) AS line
       FROM purchases WHERE idempotency_key LIKE $1`,
    [keys],
  );
  return rows.map((r) => r.line);
}

/** COPYs the rows again with new ids and keys in one transaction; answers its milliseconds. */
async function copyFloor(pool: Pool, rows: string[], tag: string): Promise<number> {
  const text = rows.map((line) => `${randomUUID()}\t${line}\tfloor-${tag}-${randomUUID()}\n`).join('');
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    await client.query('BEGIN');
    await pipeline(Readable.from([text]), client.query(copyFrom(
      `COPY purchases (id, customer_id, product, category, amount, currency, purchased_at, channel, content_hash, created_by, idempotency_key) FROM STDIN`,
    )));
    await client.query('COMMIT');
    return performance.now() - t0;
  } finally {
    client.release();
  }
}

/**
 * One round: the service's calls, bracketed by the floor (half of its COPYs before the calls, on
 * the rows of the previous call, half after, on the rows of the round's last call), so that the
 * floor and the calls it is compared with see the same moments of the machine's load. CPU of this
 * process (the service alone: the load runs in its own process) and of PostgreSQL is counted
 * beside wall time: on a busy machine wall time moves, CPU per row much less.
 */
async function measureRound(
  pool: Pool, postmaster: number, load: { go: (round: number) => Promise<PurchaseLoadResult> }, round: number, previous: string[],
): Promise<{ round: Round; rows: string[] }> {
  const floor: number[] = [];
  let floorPg = 0;
  const copies = async (rows: string[], runs: number) => {
    const pg = postgresCpuSeconds(postmaster);
    for (let run = 0; run < runs; run++) floor.push(await copyFloor(pool, rows, `${round}-${floor.length}`));
    floorPg += postgresCpuSeconds(postmaster) - pg;
  };
  await copies(previous, Math.ceil(FLOOR_RUNS / 2));
  const node0 = process.cpuUsage();
  const pg0 = postgresCpuSeconds(postmaster);
  const { seconds, latencies } = await load.go(round);
  const node = process.cpuUsage(node0);
  const pg1 = postgresCpuSeconds(postmaster);
  const rows = await floorRows(pool, `bench-${(round + 1) * CALLS - 1}-%`);
  await copies(rows, Math.floor(FLOOR_RUNS / 2));
  const purchases = CALLS * BATCH;
  const rate = purchases / seconds;
  const floorMs = median(floor);
  const floorRate = (rows.length / floorMs) * 1000;
  return {
    rows,
    round: {
      seconds, rate, p50: latencies[Math.floor(latencies.length / 2)], floorMs, floorRate, ratio: rate / floorRate,
      floorSeconds: floor.reduce((a, b) => a + b, 0) / 1000, floorRows: floor.length * rows.length,
      nodeUser: node.user / purchases, nodeSystem: node.system / purchases,
      postgres: ((pg1 - pg0) / purchases) * 1e6, floorPostgres: (floorPg / (floor.length * rows.length)) * 1e6,
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-bench-purchases-'));
  const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'social_crm_bench' });
  const dataSource = createDataSource({ url: db.url, poolSize: 10, applicationName: 'bench-purchases' });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const pool = poolOf(dataSource);
    await pool.query(
      `WITH c AS (INSERT INTO customers (id, display_name, name_key) SELECT gen_random_uuid(), 'Buyer ' || n, 'buyer ' || n FROM generate_series(0, $1 - 1) n RETURNING id, name_key)
       INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by)
       SELECT id, 'EMAIL', replace(name_key, ' ', '') || '@bench.example', 'IMPORT', 'bench' FROM c`,
      [CUSTOMERS],
    );
    await pool.query('ANALYZE');
    const app = await createApp({
      config: { isProduction: true, defaultPhoneRegion: 'US' },
      dataSource,
      logger: createLogger('error'),
      verifyToken: createTokenVerifier({ secret: SECRET, issuer: 'social-crm', audience: 'social-crm-api' }),
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
    const token = signDevToken(SECRET, { sub: 'bench', roles: ['ingest'] }, { issuer: 'social-crm', audience: 'social-crm-api', expiresIn: 3600 });
    try {
      const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      const load = await startLoad({ url, token, calls: CALLS, rounds: ROUNDS, warmup: Number(values.warmup), concurrency: CONCURRENCY, batch: BATCH, customers: CUSTOMERS });
      // One unmeasured COPY too: the floor's first run pays for its own plan and caches.
      let previous = await floorRows(pool, `warm-${Number(values.warmup) - 1}-%`);
      await copyFloor(pool, previous, 'warm');
      const loadBefore = os.loadavg()[0];
      const rounds: Round[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const measured = await measureRound(pool, postmaster, load, round, previous);
          rounds.push(measured.round);
          previous = measured.rows;
        }
      } finally {
        load.stop();
      }
      const perRow = (s: number) => `${s.toFixed(0)} µs`;
      for (const [n, r] of rounds.entries()) {
        process.stdout.write(
          `round ${n + 1}: ${r.rate.toFixed(0)} purchases/s (p50 ${r.p50.toFixed(0)} ms per call); floor ${r.floorMs.toFixed(1)} ms per 1,000 = ` +
            `${r.floorRate.toFixed(0)} rows/s; ${(r.ratio * 100).toFixed(0)}% of the floor; CPU per purchase: Node ${perRow(r.nodeUser + r.nodeSystem)} ` +
            `(${perRow(r.nodeSystem)} system), PostgreSQL ${perRow(r.postgres)}; floor PostgreSQL ${perRow(r.floorPostgres)} per row\n`,
        );
      }
      const med = (pick: (r: Round) => number) => median(rounds.map(pick));
      const sum = (pick: (r: Round) => number) => rounds.reduce((a, r) => a + pick(r), 0);
      // Every round pooled: all purchases over all call time, against all COPYed rows over all COPY time.
      const pooled = (ROUNDS * CALLS * BATCH) / sum((r) => r.seconds) / (sum((r) => r.floorRows) / sum((r) => r.floorSeconds));
      process.stdout.write(
        `bulk purchases: ${ROUNDS} rounds of ${CALLS} calls of ${BATCH} (customers named by email, ${CONCURRENCY} calls in flight, ` +
          `${values.warmup} warm-up calls), median round: ${med((r) => r.rate).toFixed(0)} purchases/s against a COPY floor of ` +
          `${med((r) => r.floorRate).toFixed(0)} rows/s (median of ${FLOOR_RUNS} COPYs of 1,000 such rows around each round, same indexes, ` +
          `one transaction, fsync on): ${(med((r) => r.ratio) * 100).toFixed(0)}% of the floor (rounds ${rounds.map((r) => `${(r.ratio * 100).toFixed(0)}%`).join(', ')}; ` +
          `all rounds pooled ${(pooled * 100).toFixed(0)}%); ` +
          `CPU per purchase: Node ${perRow(med((r) => r.nodeUser + r.nodeSystem))}, PostgreSQL ${perRow(med((r) => r.postgres))} ` +
          `(COPY: ${perRow(med((r) => r.floorPostgres))} per row); load average ${loadBefore.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n` +
          `(a call also parses, validates, resolves each customer by email, checks keys, writes events and answers over HTTP)\n`,
      );
    } finally {
      await app.stop();
      app.server.close();
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
