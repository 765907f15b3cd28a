// `npm run bench:identity`: recordTouchpoint latency and throughput, duplicateCandidates over a
// population of namesakes, and merge + undo of a customer with many rows. Prints numbers only.
// Uses DATABASE_URL when set, otherwise a throwaway embedded PostgreSQL. Scale: BENCH_SCALE (default 1).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { createDataSource, poolOf } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const JWT = { issuer: 'social-crm', audience: 'social-crm-api' };
const scale = Number(process.env.BENCH_SCALE ?? 1);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  let url = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!url) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-identity-'));
    const db = await startEmbeddedPostgres({ dir, port: 20000 + Math.floor(Math.random() * 20000), database: 'bench', throwaway: true });
    url = db.url;
    stop = db.stop;
  }
  const dataSource = createDataSource({ url, poolSize: 10 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const pool = poolOf(dataSource);
  const app = await createApp({
    config: { isProduction: false, defaultPhoneRegion: 'US' },
    dataSource,
    logger: createLogger('silent'),
    verifyToken: createTokenVerifier({ secret: SECRET, ...JWT }),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  const token = signDevToken(SECRET, { sub: 'bench', roles: ['admin'] }, JWT);
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const RECORD = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
  const run = Date.now().toString(36);
  try {
    // 1. recordTouchpoint, one at a time: new customers, then a second touchpoint linking a handle.
    const n = 200 * scale;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await gql(RECORD, {
        input: {
          touchpoint: 'LOYALTY_SIGNUP', name: `Bench Person ${i % 50}`, city: 'Sioux Falls', region: 'SD',
          emails: [`p${i}.${run}@example.com`], handles: i % 2 ? [{ platform: 'TWITTER', handle: `b${run}${i}`.slice(0, 15) }] : [],
          consents: [{ purpose: 'SERVICE', status: 'GRANTED' }],
        },
      });
      times.push(performance.now() - t0);
    }
    console.log(`recordTouchpoint sequential (${n}): p50 ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))}`);

    // 2. Throughput with 8 in flight.
    const m = 400 * scale;
    let next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < m) {
          const i = next++;
          await gql(RECORD, { input: { touchpoint: 'CHAT', emails: [`c${i}.${run}@example.com`] } });
        }
      }),
    );
    const seconds = (performance.now() - t1) / 1000;
    console.log(`recordTouchpoint 8 concurrent (${m}): ${(m / seconds).toFixed(0)} per second`);

    // 3. duplicateCandidates among ~4 namesakes per name in the same city.
    const someone = (await pool.query(`SELECT id FROM customers WHERE display_name = 'Bench Person 7' LIMIT 1`)).rows[0].id;
    const dupTimes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await gql(`query($id: ID!) { duplicateCandidates(customerId: $id) { customer { id } evidence } }`, { id: someone });
      dupTimes.push(performance.now() - t0);
    }
    console.log(`duplicateCandidates (${n + m} customers in the run): p50 ${ms(quantile(dupTimes, 0.5))}, p95 ${ms(quantile(dupTimes, 0.95))}`);

    // 4. merge + undo of a customer with many interactions.
    const k = 5000 * scale;
    const [a, b] = (await pool.query(`SELECT id FROM customers WHERE display_name LIKE 'Bench Person%' ORDER BY created_at LIMIT 2`)).rows.map((r) => r.id);
    await pool.query(
      `WITH conv AS (INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
                     SELECT $1, 'EMAIL', 'EMAIL', '{EMAIL}', now(), now() FROM generate_series(1, $2 / 10) RETURNING id)
       INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content)
       SELECT $1, c.id, 'EMAIL', 'INBOUND', now(), 'bench' FROM conv c CROSS JOIN generate_series(1, 10)`,
      [b, k],
    );
    let t0 = performance.now();
    const merge = await gql(`mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }`, { s: a, m: b });
    const mergeMs = performance.now() - t0;
    t0 = performance.now();
    await gql(`mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`, { id: merge.mergeCustomers.id });
    console.log(`merge of a customer with ${k} interactions + ${k / 10} conversations: ${ms(mergeMs)}; undo: ${ms(performance.now() - t0)}`);
  } finally {
    await app.stop();
    app.server.close();
    await dataSource.destroy();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
