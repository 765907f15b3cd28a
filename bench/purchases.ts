// `npm run bench:purchases -- [--calls 10] [--concurrency 2] [--customers 5000] [--floor-runs 5]`
// Bulk purchases (issue 27) beside a COPY floor, in the same run: the real service on a fresh
// embedded PostgreSQL (fsync on, temp folder removed afterwards) receives recordPurchases calls of
// 1,000 items over HTTP, each item naming its customer by email (the identifier lookup ingestion
// jobs use), and prints purchases per second; then PostgreSQL COPY writes the same 1,000 rows into
// the same purchases table (indexes, constraints, one transaction), the floor. Goal: 40% of it.
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
    calls: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '2' },
    customers: { type: 'string', default: '5000' },
    'floor-runs': { type: 'string', default: '5' },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const CUSTOMERS = Number(values.customers);
const BATCH = 1000;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** The load process (bench/purchases-load.ts): warms up and builds its bodies, then posts the measured calls on go(). */
async function startLoad(plan: PurchasePlan): Promise<{ go: () => Promise<PurchaseLoadResult> }> {
  const child = fork(path.join(__dirname, 'purchases-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the load process exited (${code})`))));
  exited.catch(() => undefined); // also ends after the run: only a pending step cares
  const next = <T>() => Promise.race([new Promise<T>((resolve) => child.once('message', (m: T) => resolve(m))), exited]);
  const ready = next<'ready'>();
  child.send(plan);
  await ready;
  return {
    go: async () => {
      const result = next<PurchaseLoadResult>();
      child.send('go');
      const answered = await result;
      child.disconnect();
      return answered;
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
      // CPU seconds of this process (the service alone: the load runs in its own process, warmed
      // up before the window) and of PostgreSQL: on a busy machine wall time moves, CPU per row much less.
      const cpu = () => ({ node: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, postgres: postgresCpuSeconds(postmaster) });
      const load = await startLoad({ url, token, calls: CALLS, concurrency: CONCURRENCY, batch: BATCH, customers: CUSTOMERS });
      const cpuBefore = cpu();
      const { seconds, latencies } = await load.go();
      const rate = (CALLS * BATCH) / seconds;
      const cpuAfter = cpu();
      const perRow = (s: number) => `${((s / (CALLS * BATCH)) * 1e6).toFixed(0)} µs`;
      process.stdout.write(
        `bulk purchases: ${CALLS * BATCH} purchases in ${CALLS} calls of ${BATCH} (customers named by email, ${CONCURRENCY} calls in flight): ` +
          `${seconds.toFixed(1)} s = ${rate.toFixed(0)} purchases/s; call latency p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(0)} ms, ` +
          `max ${latencies[latencies.length - 1].toFixed(0)} ms; CPU per purchase ${perRow(cpuAfter.node - cpuBefore.node)} in the service's Node process, ` +
          `${perRow(cpuAfter.postgres - cpuBefore.postgres)} in PostgreSQL (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)\n`,
      );

      // The floor: the rows of the last call, as stored, copied again with new ids and keys.
      const { rows } = await pool.query<{ line: string }>(
        `SELECT concat_ws(E'\\t', customer_id, product, category, amount, currency, purchased_at, channel, content_hash, created_by) AS line
           FROM purchases WHERE idempotency_key LIKE $1`,
        [`bench-${CALLS - 1}-%`],
      );
      const runs = Math.max(1, Number(values['floor-runs']));
      const floor: number[] = [];
      const floorCpu = postgresCpuSeconds(postmaster);
      for (let run = 0; run < runs; run++) {
        const text = rows.map((r) => `${randomUUID()}\t${r.line}\tfloor-${run}-${randomUUID()}\n`).join('');
        const client = await pool.connect();
        try {
          const t0 = performance.now();
          await client.query('BEGIN');
          await pipeline(Readable.from([text]), client.query(copyFrom(
            `COPY purchases (id, customer_id, product, category, amount, currency, purchased_at, channel, content_hash, created_by, idempotency_key) FROM STDIN`,
          )));
          await client.query('COMMIT');
          floor.push(performance.now() - t0);
        } finally {
          client.release();
        }
      }
      const floorCpuPerRow = ((postgresCpuSeconds(postmaster) - floorCpu) / (runs * rows.length)) * 1e6;
      floor.sort((a, b) => a - b);
      const median = floor[Math.floor(floor.length / 2)];
      const floorRate = (rows.length / median) * 1000;
      process.stdout.write(
        `floor: COPY of the same ${rows.length} rows into purchases (same indexes, one transaction, fsync on), median of ${runs}: ` +
          `${median.toFixed(0)} ms = ${floorRate.toFixed(0)} rows/s, ${floorCpuPerRow.toFixed(0)} µs of PostgreSQL CPU per row; ` +
          `bulk purchases run at ${((rate / floorRate) * 100).toFixed(0)}% of the floor ` +
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
