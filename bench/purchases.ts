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
import { from as copyFrom } from 'pg-copy-streams';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { freePort } from '../src/common/free-port';
import { createDataSource, poolOf } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { postgresCpuSeconds } from './proc-cpu';

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
const PRODUCTS = ['Annual service', 'Tyre set', 'Extended warranty', 'Roof rack', 'Charging wallbox', 'Detailing'];

/** One call's items: customers by email, a product, an amount in EUR, a time in the last 90 days. */
function items(call: number): Record<string, unknown>[] {
  return Array.from({ length: BATCH }, (_, n) => ({
    idempotencyKey: `bench-${call}-${n}-${randomUUID()}`,
    email: `buyer${(call * BATCH + n * 7) % CUSTOMERS}@bench.example`,
    product: PRODUCTS[n % PRODUCTS.length],
    category: n % 2 ? 'service' : 'accessory',
    amount: 100 + (n % 900) + 0.5,
    currency: 'EUR',
    purchasedAt: new Date(Date.now() - (n % 90) * 86_400_000).toISOString(),
    channel: n % 3 ? 'IN_STORE' : 'OTHER',
  }));
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
    // Bodies are built before the clock starts: the load shares this process with the service.
    const bodyOf = (call: number) => JSON.stringify({ query: 'mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }', variables: { inputs: items(call) } });
    const bodies = Array.from({ length: CALLS }, (_, call) => bodyOf(call));
    const post = async (call: number): Promise<number> => {
      const body = call < 0 ? bodyOf(call) : bodies[call];
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const answer = (await res.json()) as { errors?: unknown[]; data?: { recordPurchases: unknown[] } };
      if (answer.errors || answer.data?.recordPurchases.length !== BATCH) throw new Error(`call ${call} failed: ${JSON.stringify(answer.errors)}`);
      return performance.now() - started;
    };
    try {
      await post(-1); // warm-up: plans, pools, JIT
      const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      // CPU seconds of this process (service and load) and of PostgreSQL: on a busy machine wall time moves, CPU per row much less.
      const cpu = () => ({ node: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, postgres: postgresCpuSeconds(postmaster) });
      const latencies: number[] = [];
      let next = 0;
      const cpuBefore = cpu();
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < CALLS) latencies.push(await post(next++));
      }));
      const seconds = (performance.now() - started) / 1000;
      const rate = (CALLS * BATCH) / seconds;
      const cpuAfter = cpu();
      const perRow = (s: number) => `${((s / (CALLS * BATCH)) * 1e6).toFixed(0)} µs`;
      latencies.sort((a, b) => a - b);
      process.stdout.write(
        `bulk purchases: ${CALLS * BATCH} purchases in ${CALLS} calls of ${BATCH} (customers named by email, ${CONCURRENCY} calls in flight): ` +
          `${seconds.toFixed(1)} s = ${rate.toFixed(0)} purchases/s; call latency p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(0)} ms, ` +
          `max ${latencies[latencies.length - 1].toFixed(0)} ms; CPU per purchase ${perRow(cpuAfter.node - cpuBefore.node)} in Node (service and load), ` +
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
