// `npm run bench:queue`: builds a large interactions table on its own embedded PostgreSQL,
// then measures the top-50 careQueue request through the real HTTP service, and
// claimNextInteraction under BENCH_AGENTS (default 50) agents beside its floor (care-claims.ts): a desk
// (claim, respond, BENCH_THINK_MS think) and a closed loop (capacity), through the desk fast path and through Apollo.
// BENCH_ROWS (default 2,000,000) interactions; rerun with a larger BENCH_ROWS to grow the table.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { freePort } from '../src/common/free-port';
import os from 'node:os';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { careQueueSql } from '../src/care/desk/care-queue.service';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { createDataSource, poolOf } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { measureClaims } from './care-claims';

const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? Math.max(1000, Math.round(ROWS / 50)));
/** Share of interactions still open and inbound: most items get answered. */
const OPEN_SHARE = Number(process.env.BENCH_OPEN_SHARE ?? 0.03);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DIR = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'social-crm-bench-queue');
/** The app's pool: the production default (DB_POOL_SIZE). */
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 20);
const CHUNK = 500_000;
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

const id = (expr: string) => `lpad(to_hex(${expr}), 32, '0')::uuid`;

async function build(pool: Pool): Promise<void> {
  const have = Number((await pool.query(`SELECT count(*) AS n FROM customers`)).rows[0].n);
  if (have < CUSTOMERS) {
    await pool.query(
      `INSERT INTO customers (id, display_name, tier)
       SELECT ${id('k')}, 'Customer ' || k,
              (ARRAY['PLATINUM','GOLD','GOLD','SILVER','SILVER','SILVER','BRONZE','BRONZE','BRONZE','BRONZE'])[1 + k % 10]
         FROM generate_series($1::bigint + 1, $2::bigint) k`,
      [have, CUSTOMERS],
    );
    // A tenth of the customers carry an influence score, some on a topic.
    await pool.query(
      `INSERT INTO influence_scores (customer_id, score, topic, source, measured_at)
       SELECT ${id('k')}, 1 + (k % 90) / 10.0, CASE WHEN k % 20 = 0 THEN 'mileage' END, 'bench', now()
         FROM generate_series($1::bigint + 1, $2::bigint) k WHERE k % 10 = 0`,
      [have, CUSTOMERS],
    );
  }
  let rows = Number((await pool.query(`SELECT count(*) AS n FROM interactions`)).rows[0].n);
  if (rows >= ROWS) return;
  // Bulk load without the per-row triggers, then let the real triggers rank the open rows (and give them their tier).
  await pool.query(`ALTER TABLE interactions DISABLE TRIGGER interactions_queue_priority, DISABLE TRIGGER interactions_queue_tier`);
  try {
    while (rows < ROWS) {
      const upto = Math.min(ROWS, rows + CHUNK);
      const started = performance.now();
      await pool.query(
        `INSERT INTO conversations (id, customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
         SELECT ${id('g / 10')}, ${id('1 + (g / 10) % $3')}, 'TWITTER', 'TWITTER', ARRAY['TWITTER'], now(), now()
           FROM generate_series($1::bigint + 1, $2::bigint) g WHERE g % 10 = 0`,
        [rows, upto, CUSTOMERS],
      );
      await pool.query(
        `INSERT INTO interactions (id, customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
                                   sentiment, topics, lane, skill_group, status, responded_at, sla_due_at)
         SELECT ${id('g')}, ${id('1 + ((g + 9) / 10) % $3')}, ${id('(g + 9) / 10')},
                ch, dir, occurred, 'message ' || g, ch IN ('TWITTER','FACEBOOK','INSTAGRAM'),
                (ARRAY['COMPLAINT','QUESTION','QUESTION','COMPLIMENT','PROACTIVE','SALES_LEAD','OTHER'])[1 + g % 7],
                ((g % 21) - 10) / 10.0,
                CASE g % 5 WHEN 0 THEN ARRAY['mileage'] WHEN 1 THEN ARRAY['warranty','price'] ELSE '{}' END,
                CASE WHEN (g / 5) % 6 = 0 THEN 'MARKETING_PR' ELSE 'CUSTOMER_SERVICE' END,
                (ARRAY['billing','technical','retention','general'])[1 + g % 4],
                CASE WHEN is_open THEN 'OPEN' ELSE 'RESPONDED' END,
                CASE WHEN is_open OR dir = 'OUTBOUND' THEN NULL ELSE occurred + interval '40 minutes' END,
                occurred + CASE WHEN ch IN ('EMAIL','LETTER') THEN interval '24 hours' ELSE interval '1 hour' END
           FROM (
             SELECT g, (ARRAY['TWITTER','FACEBOOK','INSTAGRAM','EMAIL','PHONE','CHAT','FORUM'])[1 + (g / 7) % 7] AS ch,
                    CASE WHEN g % 3 = 0 THEN 'OUTBOUND' ELSE 'INBOUND' END AS dir,
                    now() - make_interval(secs => (hashint8(g) & 2147483647) % (86400 * 60)) AS occurred,
                    g % 3 <> 0 AND (hashint8(g * 7) & 2147483647) % 10000 < $4::float8 * 10000 * 1.5 AS is_open
               FROM generate_series($1::bigint + 1, $2::bigint) g
           ) s`,
        [rows, upto, CUSTOMERS, OPEN_SHARE],
      );
      rows = upto;
      console.log(`  loaded ${rows.toLocaleString('en-US')} interactions (${((performance.now() - started) / 1000).toFixed(1)} s for this chunk)`);
    }
  } finally {
    await pool.query(`ALTER TABLE interactions ENABLE TRIGGER interactions_queue_priority, ENABLE TRIGGER interactions_queue_tier`);
  }
  const started = performance.now();
  const ranked = await pool.query(`UPDATE interactions SET status = status WHERE status = 'OPEN' AND direction = 'INBOUND' AND queue_key IS NULL`);
  console.log(`  ranked ${ranked.rowCount?.toLocaleString('en-US')} open rows through the trigger in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await pool.query(`VACUUM ANALYZE interactions`);
  await pool.query(`ANALYZE customers`);
}

const QUERY = `query Q($first: Int, $after: String, $lane: SwimLane, $skillGroup: String, $channel: Channel) {
  careQueue(first: $first, after: $after, lane: $lane, skillGroup: $skillGroup, channel: $channel) {
    edges { cursor node { interaction { id channel content slaDueAt topics } priority { score reasons { factor contribution detail } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(url: string, token: string, name: string, variables: Record<string, unknown>) {
  const call = async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: QUERY, variables: { first: 50, ...variables } }),
    });
    const body = (await res.json()) as { data?: { careQueue: { edges: unknown[]; pageInfo: { endCursor: string } } }; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
    return body.data.careQueue;
  };
  for (let n = 0; n < 20; n++) await call();
  const times: number[] = [];
  let items = 0;
  for (let n = 0; n < REQUESTS; n++) {
    const started = performance.now();
    items = (await call()).edges.length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(34)} items ${String(items).padStart(3)}  p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms  max ${times[times.length - 1].toFixed(1).padStart(6)} ms`);
}

/** A free local port, unless BENCH_PG_PORT names one (other agents run their own servers here). */
function pgPort(): Promise<number> {
  if (process.env.BENCH_PG_PORT) return Promise.resolve(Number(process.env.BENCH_PG_PORT));
  return freePort();
}

async function main(): Promise<void> {
  const PORT = await pgPort();
  console.log(`care queue benchmark: ${ROWS.toLocaleString('en-US')} interactions, ${CUSTOMERS.toLocaleString('en-US')} customers, cluster in ${DIR} on port ${PORT}`);
  const db = await startEmbeddedPostgres({ dir: DIR, port: PORT, database: 'social_crm_bench', throwaway: true });
  const dataSource = createDataSource({ url: db.url, poolSize: POOL_SIZE });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const pool = poolOf(dataSource);
    const started = performance.now();
    await build(pool);
    console.log(`data ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM interactions)::bigint AS total,
              (SELECT count(*) FROM interactions WHERE status = 'OPEN' AND direction = 'INBOUND')::bigint AS open,
              pg_size_pretty(pg_total_relation_size('interactions')) AS size`,
    );
    console.log(`interactions: ${Number(rows[0].total).toLocaleString('en-US')} rows (${rows[0].size}), open inbound: ${Number(rows[0].open).toLocaleString('en-US')}`);

    const plan = careQueueSql({ first: 50 });
    const { rows: explained } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${plan.sql}`, plan.params);
    console.log('plan of the top-50 statement:\n' + explained.map((r) => '  ' + r['QUERY PLAN']).join('\n'));

    const sqlTimes: number[] = [];
    for (let n = 0; n < 20 + REQUESTS; n++) {
      const started = performance.now();
      await pool.query(plan.sql, plan.params);
      if (n >= 20) sqlTimes.push(performance.now() - started);
    }
    sqlTimes.sort((a, b) => a - b);
    console.log(`the top-50 statement alone (pg round trip): p50 ${percentile(sqlTimes, 50).toFixed(1)} ms  p99 ${percentile(sqlTimes, 99).toFixed(1)} ms`);

    const serve = async (deskFastPath: boolean) => {
      const app = await createApp({
        config: { isProduction: true, defaultPhoneRegion: 'US' },
        dataSource,
        logger: createLogger(process.env.BENCH_LOG_LEVEL === 'error' ? 'error' : 'silent'),
        verifyToken: createTokenVerifier({ secret: SECRET, issuer: 'bench', audience: 'bench' }),
        deskFastPath,
        ...(deskFastPath ? {} : { webhooks: { worker: false as const } }),
      });
      await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
      const address = app.server.address();
      return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql` };
    };
    // The app, and the same app with every claim through Apollo (for the comparison; idle otherwise).
    const { app, url } = await serve(true);
    const { app: apolloApp, url: apolloUrl } = await serve(false);
    const token = signDevToken(SECRET, { sub: 'bench', roles: ['agent'] }, { issuer: 'bench', audience: 'bench', expiresIn: 3600 });
    try {
      if (process.env.BENCH_DESK_PAIRS) return await measureClaims({ pool, url, apolloUrl, dbUrl: db.url, secret: SECRET, issuer: 'bench' });
      console.log(`${REQUESTS} sequential requests each (after 20 warm-up), top 50 with reasons:`);
      await measure(url, token, 'careQueue(first: 50)', {});
      await measure(url, token, 'careQueue(lane: MARKETING_PR)', { lane: 'MARKETING_PR' });
      await measure(url, token, 'careQueue(channel: EMAIL)', { channel: 'EMAIL' });
      await measure(url, token, 'careQueue(skillGroup: "retention")', { skillGroup: 'retention' });
      const { rows: page } = await pool.query(
        `SELECT queue_key, id FROM interactions WHERE status = 'OPEN' AND direction = 'INBOUND' ORDER BY queue_key, id OFFSET 5000 LIMIT 1`,
      );
      if (page[0]) {
        const after = Buffer.from(JSON.stringify([String(page[0].queue_key), page[0].id])).toString('base64url');
        await measure(url, token, 'careQueue(after: item 5000)', { after });
      }
      await measureClaims({ pool, url, apolloUrl, dbUrl: db.url, secret: SECRET, issuer: 'bench' });
    } finally {
      for (const each of [app, apolloApp]) {
        await each.stop();
        await new Promise<void>((resolve) => each.server.close(() => resolve()));
      }
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
