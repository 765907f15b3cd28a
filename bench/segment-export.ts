// `npm run bench:segment -- [--members 1000000]`
// Builds (once) a segment of N consented members on its own embedded PostgreSQL, then exports
// it to NDJSON the way `npm run export:segment` does and prints members/s and peak RSS.
import { createWriteStream, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource, poolOf } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { ConsentPurpose } from '../src/graphql/enums';
import { exportSegment } from '../src/segments/segment-export';
import { SegmentService } from '../src/segments/segment.service';
import { CREATED_AT_TEXT } from '../src/segments/segment.sql';
import type { Pool } from 'pg';

const DATA_DIR = path.resolve(process.env.BENCH_DATA_DIR ?? '.data-bench-segment');
const PORT = Number(process.env.BENCH_PG_PORT ?? 54391);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { members: { type: 'string' } } });
  const members = Number(values.members ?? 1_000_000);
  if (!Number.isSafeInteger(members) || members < 1) throw new Error('--members must be a positive integer');
  const db = await startEmbeddedPostgres({ dir: DATA_DIR, port: PORT, database: 'segment_bench', throwaway: true });
  const dataSource = createDataSource({ url: db.url, poolSize: 4, applicationName: 'segment-bench' });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const pool = poolOf(dataSource);
    // Each size has its own country tag, so the segment of N members is exactly N.
    const country = `B${members}`;
    await buildIfMissing(pool, country, members);
    const filter = { country };

    const countStarted = Date.now();
    const total = await new SegmentService(pool).count(filter, ConsentPurpose.MARKETING);
    const countMs = Date.now() - countStarted;

    const pages = await pageTimes(pool, filter);

    const file = path.join(os.tmpdir(), `segment-bench-${process.pid}.ndjson`);
    const out = createWriteStream(file);
    const pgCpuBefore = postgresCpuSeconds();
    const nodeCpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = await exportSegment(pool, out, { filter, purpose: ConsentPurpose.MARKETING });
    await new Promise<void>((resolve) => out.end(resolve));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const cpuSeconds = postgresCpuSeconds() - pgCpuBefore + (nodeCpu.user + nodeCpu.system) / 1e6;
    const bytes = statSync(file).size;
    unlinkSync(file);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`segment export benchmark (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`);
    console.log(`  members in segment     ${total.toLocaleString('en-US')} (totalCount in ${countMs} ms)`);
    console.log(`  members exported       ${result.members.toLocaleString('en-US')} in ${result.batches} COPY chunks`);
    console.log(`  time                   ${seconds.toFixed(2)} s`);
    console.log(`  throughput             ${Math.round(result.members / seconds).toLocaleString('en-US')} members/s (target >= 50,000)`);
    console.log(`  CPU used               ${cpuSeconds.toFixed(1)} s (PostgreSQL + this process): ${Math.round(result.members / cpuSeconds).toLocaleString('en-US')} members per CPU-second`);
    console.log(`  first member after     ${result.firstBatchMs.toFixed(0)} ms (planning, joins, the sort), slowest wait between chunks ${result.slowestBatchMs.toFixed(0)} ms`);
    console.log(`  API page (first: 100)  first page ${pages.first.toFixed(1)} ms, page at 99% depth ${pages.deep.toFixed(1)} ms (median of 5, keyset)`);
    console.log(`  NDJSON written         ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  peak RSS (this process) ${peakRssMb.toFixed(0)} MB`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.stop();
  }
}

/**
 * CPU seconds used so far by the bench's PostgreSQL: the postmaster, its live backends and its
 * reaped children (parallel workers). The machine is shared, so wall time alone says little.
 */
function postgresCpuSeconds(): number {
  const ticks = 100; // USER_HZ on Linux
  const postmaster = Number(readFileSync(path.join(DATA_DIR, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const stat = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const own = stat(postmaster);
  // Fields after "(comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14 (man 5 proc, minus 3).
  let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = stat(pid);
      if (Number(fields[1]) === postmaster) total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended between listing and reading
    }
  }
  return total / ticks;
}

/** Median time of `segment(first: 100)` at the start and near the end of the segment. */
async function pageTimes(pool: Pool, filter: { country: string }): Promise<{ first: number; deep: number }> {
  const service = new SegmentService(pool);
  const { rows } = await pool.query<{ key: string; id: string }>(
    `SELECT ${CREATED_AT_TEXT} AS key, c.id FROM customers c WHERE c.country = $1 ORDER BY c.created_at DESC, c.id DESC
      OFFSET (SELECT count(*) / 100 FROM customers WHERE country = $1) LIMIT 1`,
    [filter.country],
  );
  const median = async (after: [string, string] | null) => {
    const times: number[] = [];
    for (let n = 0; n < 5; n++) {
      const started = process.hrtime.bigint();
      const page = await service.page({ filter, purpose: ConsentPurpose.MARKETING, first: 100, after, roles: new Set(['marketing'] as const) });
      if (page.edges.length === 0) throw new Error('empty page');
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return times.sort((a, b) => a - b)[2];
  };
  return { first: await median(null), deep: await median([rows[0].key, rows[0].id]) };
}

/**
 * N members (a consented handle each, a consented email for half) plus N/10 customers whose
 * consent was revoked or denied, so the query has to skip non-members. Set-based SQL only.
 */
async function buildIfMissing(pool: Pool, country: string, members: number): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE country = $1`, [country]);
  const wanted = members + Math.floor(members / 10);
  if (rows[0].n === wanted) return;
  if (rows[0].n !== 0) throw new Error(`bench data for ${country} is incomplete (${rows[0].n} customers): delete ${DATA_DIR} and run again`);
  const started = Date.now();
  process.stderr.write(`building ${members.toLocaleString('en-US')} members in ${DATA_DIR} ...\n`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO customers (display_name, name_key, country, tier, created_at)
       SELECT 'Bench Member ' || g, 'bench member ' || g, $1, (ARRAY['PLATINUM','GOLD','SILVER','BRONZE','NONE'])[1 + g % 5],
              now() - make_interval(secs => g)
         FROM generate_series(1, $2::int) g`,
      [country, wanted],
    );
    await client.query(
      `INSERT INTO social_identities (customer_id, platform, handle, follower_count, captured_via, captured_by)
       SELECT id, 'TWITTER', lower($1) || '_' || row_number() OVER (), (random() * 10000)::int, 'IMPORT', 'bench'
         FROM customers WHERE country = $1`,
      [country],
    );
    await client.query(
      `INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by)
       SELECT id, 'EMAIL', 'm' || row_number() OVER () || '@' || lower($1) || '.example', 'IMPORT', 'bench'
         FROM customers WHERE country = $1`,
      [country],
    );
    // `members` customers picked at random are members; the rest revoked or denied.
    await client.query(
      `WITH ranked AS (
         SELECT id, row_number() OVER (ORDER BY random()) AS n FROM customers WHERE country = $1
       )
       INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by, recorded_at)
       SELECT r.id, s.id, 'MARKETING', CASE WHEN r.n <= $2 THEN 'GRANTED' WHEN r.n % 2 = 0 THEN 'REVOKED' ELSE 'DENIED' END,
              'IMPORT', 'bench', now() - interval '1 day'
         FROM ranked r JOIN social_identities s ON s.customer_id = r.id`,
      [country, members],
    );
    await client.query(
      `INSERT INTO consent_events (customer_id, contact_point_id, purpose, status, source, recorded_by, recorded_at, expires_at)
       SELECT cp.customer_id, cp.id, 'MARKETING', 'GRANTED', 'IMPORT', 'bench', now() - interval '1 day', now() + interval '1 year'
         FROM contact_points cp JOIN social_identities s ON s.customer_id = cp.customer_id
         JOIN consent_current cc ON cc.identity_id = s.id AND cc.purpose = 'MARKETING' AND cc.status = 'GRANTED'
        WHERE cp.kind = 'EMAIL' AND cp.value LIKE '%@' || lower($1) || '.example' AND right(cp.customer_id::text, 1) < '8'`,
      [country],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await pool.query('ANALYZE');
  process.stderr.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
