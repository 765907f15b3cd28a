// `npm run bench:live -- [--subscribers 0,200] [--rate 100] [--seconds 5] [--customers 20] [--rounds 1]`
// The live care desk under load. One server process (node dist/src/main.js) on a throwaway
// embedded PostgreSQL (or DATABASE_URL); for each subscriber count in turn (the same server, the
// same run): that many WebSocket subscribers (half agents on queueChanged, half viewers on
// customerActivity of one of --customers customers), then --rate recordInteraction calls a second
// for --seconds, and beside them the floor: the same rows by one hand-written statement over pg
// (bench/write-floors.ts) at the same rate. Prints each write's own latency (request start to
// answer, p50/p99) beside the floor's, requests waiting for a main-pool connection, CPU per write
// of the service and of PostgreSQL, and the events: lost, p50/p99 from commit to receipt, RSS.
// --rounds repeats the list (alternating runs on a shared machine). The LIVE_* variables of
// earlier versions still set the defaults.
import { fork, spawn } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client as PgClient, Pool } from 'pg';
import { signDevToken } from '../src/auth/jwt';
import { freePort } from '../src/common/free-port';
import { startEmbeddedPostgres } from '../src/db/embedded';
import type { Receipts, SubscribersSetup } from './live-subscribers';
import { postgresCpuSeconds } from './proc-cpu';
import { FLOOR } from './write-floors';

const { values: flags } = parseArgs({
  options: {
    subscribers: { type: 'string', default: process.env.LIVE_SUBSCRIBERS ?? '0,200' },
    rate: { type: 'string', default: process.env.LIVE_RATE ?? '100' },
    seconds: { type: 'string', default: process.env.LIVE_SECONDS ?? '5' },
    customers: { type: 'string', default: process.env.LIVE_CUSTOMERS ?? '20' },
    rounds: { type: 'string', default: '1' },
  },
});
const COUNTS = flags.subscribers!.split(',').map(Number);
const RATE = Number(flags.rate);
const SECONDS = Number(flags.seconds);
const CUSTOMERS = Number(flags.customers);
const ROUNDS = Number(flags.rounds);
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const JWT = { issuer: 'social-crm', audience: 'social-crm-api' };

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Writes go through a bounded keep-alive agent: when the server is slow they queue here instead
 * of opening hundreds of connections (which overflow the listen backlog and time out).
 */
const writers = new http.Agent({ keepAlive: true, maxSockets: 64 });
function postJson(url: string, headers: Record<string, string>, body: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: writers, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (the server is another process). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** The live counters of the server's /metrics (src/events/live-metrics.ts) and its pool's waiting requests. */
async function liveCounters(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^social_crm_live_(\w+) (\S+)$/gm)) out[m[1]] = Number(m[2]);
  out.poolWaiting = Number(/^social_crm_db_pool_connections\{state="waiting"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
  // prom-client's event-loop delay since the previous scrape (its histogram is reset at each collect).
  out.loopMax = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
  out.loopP99 = Number(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
  return out;
}

/** Figures of one subscriber count: the writes through the service, their floor, and the events. */
interface PhaseFigures {
  subscribers: number;
  load: number;
  service: WriteFigures;
  floor: WriteFigures;
  poolWaitingMax: number;
  poolWaitingMean: number;
  /** The server's event-loop delay over the writes (ms): the largest, and the median of the per-scrape p99s. */
  loopMax: number;
  loopP99: number;
  expected: number;
  lost: number;
  fromCommit: number[];
}

interface WriteFigures {
  ok: number;
  failed: number;
  firstFailure?: string;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU seconds per write: the service's process (its fan-out of the events included) and PostgreSQL's. */
  serviceCpu: number;
  pgCpu: number;
}

/**
 * Calls `write(k)` RATE times a second for SECONDS (open loop: a slow answer does not delay the
 * next call, as desks and listening tools do not wait for each other). Returns each call's own
 * latency (its start to its answer) with the CPU the server and PostgreSQL spent meanwhile and
 * for `drainMs` after (while the events of the last writes are still being sent).
 */
async function openLoop(serverPid: number, postmaster: number, drainMs: number, write: (k: number) => Promise<void>): Promise<WriteFigures> {
  const times: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const inFlight: Promise<void>[] = [];
  const cpu0 = { server: cpuSeconds(serverPid), pg: postgresCpuSeconds(postmaster) };
  const t0 = performance.now();
  for (let k = 0; k < RATE * SECONDS; k++) {
    const wait = t0 + (k * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push((async () => {
      const started = performance.now();
      try {
        await write(k);
        times.push(performance.now() - started);
      } catch (error) {
        failed++;
        firstFailure ??= (error instanceof Error ? error.message : String(error)).slice(0, 300);
      }
    })());
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  // The fan-out of the last writes' events runs after their answers: it is part of their cost.
  await sleep(drainMs);
  const ok = times.length;
  return {
    ok, failed, firstFailure, perSecond: ok / elapsed,
    p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: Math.max(...times),
    serviceCpu: (cpuSeconds(serverPid) - cpu0.server) / Math.max(1, ok), pgCpu: (postgresCpuSeconds(postmaster) - cpu0.pg) / Math.max(1, ok),
  };
}

/**
 * Subscribers of one phase, in a forked process (bench/live-subscribers.ts): half agents on
 * queueChanged, half viewers on customerActivity of one of the customers. `collect()` closes them
 * and answers receipts[s] = Map(interactionId -> receipt time, ms since the epoch).
 */
async function subscribe(port: number, count: number, customers: string[], phase: number) {
  const tokens: string[] = [];
  const followed: (string | null)[] = [];
  for (let s = 0; s < count; s++) {
    const agent = s % 2 === 0;
    tokens.push(signDevToken(SECRET, { sub: `bench-${phase}-${s}`, roles: [agent ? 'agent' : 'viewer'] }, JWT));
    followed.push(agent ? null : customers[s % customers.length]);
  }
  const child = fork(path.join(__dirname, 'live-subscribers.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: object | string) => new Promise<T>((resolve, reject) => {
    child.once('message', (m: T) => resolve(m));
    child.once('exit', (code) => reject(new Error(`the subscriber process exited (${code})`)));
    child.send(message);
  });
  if (count > 0) await ask<{ ready: true }>({ port, tokens, followed } satisfies SubscribersSetup);
  return {
    followed,
    collect: async () => {
      const r = count > 0 ? await ask<Receipts>('collect') : { ids: [], at: [], errors: 0, closedEarly: 0 } as Receipts;
      child.disconnect();
      return { ...r, receipts: r.ids.map((ids, s) => new Map(ids.map((id, k) => [id, r.at[s][k]]))) };
    },
  };
}

/** Each receipt's latency from its transaction's commit (when the server tracks commit timestamps). */
async function commitTimes(url: string, ids: string[]): Promise<Map<string, number>> {
  const commits = new Map<string, number>();
  const reader = new PgClient({ connectionString: url });
  await reader.connect();
  try {
    if ((await reader.query(`SHOW track_commit_timestamp`)).rows[0].track_commit_timestamp === 'on') {
      const { rows } = await reader.query<{ id: string; ms: number }>(
        `SELECT e.data->>'interactionId' AS id, extract(epoch FROM pg_xact_commit_timestamp(e.xmin)) * 1000 AS ms
           FROM outbox_events e WHERE e.type = 'INTERACTION_RECORDED' AND e.data->>'interactionId' = ANY($1::text[])`,
        [ids],
      );
      for (const r of rows) commits.set(r.id, Number(r.ms));
    }
  } finally {
    await reader.end();
  }
  return commits;
}

async function main() {
  let url = process.env.DATABASE_URL;
  let stopDb: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!url) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-live-'));
    // Commit timestamps: each event's latency is measured from its transaction's commit itself.
    const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'bench', throwaway: true, serverFlags: ['-c', 'track_commit_timestamp=on'] });
    url = db.url;
    stopDb = db.stop;
  }
  // PostgreSQL's CPU is read from /proc for the embedded server only (NaN with DATABASE_URL).
  const postmaster = dir ? Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]) : NaN;
  const port = await freePort();
  // LIVE_SERVER_NODE_ARGS: node flags for the server process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = (process.env.LIVE_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // LIVE_SERVER_MAIN: another build's dist/src/main.js (a before/after pair on the same bench).
  const main = process.env.LIVE_SERVER_MAIN ?? path.join(__dirname, '../src/main.js');
  const server = spawn(process.execPath, [...nodeArgs, main], {
    env: {
      ...process.env, DATABASE_URL: url, PORT: String(port), JWT_SECRET: SECRET, NODE_ENV: 'development', SEED_DEMO: 'false',
      LOG_LEVEL: 'warn', MUTATIONS_PER_MINUTE: '1000000', LIVE_CONNECTIONS_PER_SUBJECT: '100000', WEBHOOK_WORKER: 'false',
      DB_POOL_SIZE: '20', DATA_DIR: dir ?? os.tmpdir(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout!.on('data', (c) => (out += c));
  server.stderr!.on('data', (c) => (out += c));
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  const floorPool = new Pool({ connectionString: url, max: 20, idleTimeoutMillis: 0, application_name: 'bench-live-floor' });
  const phases: PhaseFigures[] = [];
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error(`server did not start:\n${out}`);
      if (server.exitCode !== null) throw new Error(`server exited:\n${out}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    await floorPool.query(`INSERT INTO customers (id, display_name, name_key) SELECT id, 'Live bench ' || n, 'live bench ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, n)`, [customers]);
    const ingest = signDevToken(SECRET, { sub: 'bench-writer', roles: ['ingest'] }, JWT);
    const writeOnce = async (k: number, tag: string) => {
      const body = await postJson(endpoint, { authorization: `Bearer ${ingest}` }, JSON.stringify({
        query: `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`,
        variables: { input: { idempotencyKey: `live-bench-${tag}-${k}-${randomUUID()}`, customerId: customers[k % CUSTOMERS], channel: 'FACEBOOK', content: `My order ${k} never arrived, where is it?` } },
      }));
      if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
      return body.data.recordInteraction.id as string;
    };
    // Untimed: the first calls compile the write's code paths and fill its caches.
    for (let k = 0; k < 50; k++) await Promise.all([writeOnce(k, 'warm'), floorPool.query(FLOOR.recordInteraction, [customers[k % CUSTOMERS], `warm ${k}`, `live-warm-${randomUUID()}`, 'bench'])]);
    console.log(`bench:live — ${RATE} recordInteraction/s for ${SECONDS} s per figure, subscribers ${COUNTS.join(' then ')}, ${ROUNDS} round(s); ` +
      `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);

    let phase = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const count of COUNTS) {
        phase++;
        const subs = await subscribe(port, count, customers, phase);
        const load = os.loadavg()[0];
        let collected: Awaited<ReturnType<typeof subs.collect>> | undefined;
        try {
          // The floor: the same rows at the same rate by one statement over pg (the server still fans its events out).
          const drainMs = count > 0 ? 2500 : 300;
          const floor = await openLoop(server.pid!, postmaster, drainMs, async (k) => {
            await floorPool.query(FLOOR.recordInteraction, [customers[k % CUSTOMERS], `My order ${k} never arrived, where is it?`, `live-floor-${randomUUID()}`, 'bench-writer']);
          });
          const writes: { id: string; customerId: string }[] = [];
          const poolWaiting: number[] = [];
          const loop: { max: number; p99: number }[] = [];
          const sampler = setInterval(() => void liveCounters(port).then((c) => {
            poolWaiting.push(c.poolWaiting);
            loop.push({ max: c.loopMax, p99: c.loopP99 });
          }, () => undefined), 250);
          const countersBefore = await liveCounters(port);
          const service = await openLoop(server.pid!, postmaster, drainMs, async (k) => {
            writes.push({ id: await writeOnce(k, String(phase)), customerId: customers[k % CUSTOMERS] });
          }).finally(() => clearInterval(sampler));
          const after = await liveCounters(port);
          const delta = (k: string) => (after[k] ?? NaN) - (countersBefore[k] ?? NaN);
          const got = (collected = await subs.collect());
          const commits = count > 0 ? await commitTimes(url, writes.map((w) => w.id)) : new Map<string, number>();
          let expected = 0;
          let lost = 0;
          const fromCommit: number[] = [];
          for (const w of writes) {
            for (let s = 0; s < count; s++) {
              if (subs.followed[s] !== null && subs.followed[s] !== w.customerId) continue;
              expected++;
              const at = got.receipts[s].get(w.id);
              if (at === undefined) lost++;
              else if (commits.has(w.id)) fromCommit.push(at - commits.get(w.id)!);
            }
          }
          const sampled = poolWaiting.filter(Number.isFinite);
          const figures: PhaseFigures = {
            subscribers: count, load, service, floor, expected, lost, fromCommit,
            poolWaitingMax: Math.max(0, ...sampled), poolWaitingMean: sampled.reduce((a, b) => a + b, 0) / Math.max(1, sampled.length),
            loopMax: Math.max(...loop.map((l) => l.max).filter(Number.isFinite)), loopP99: quantile(loop.map((l) => l.p99).filter(Number.isFinite), 0.5),
          };
          phases.push(figures);
          report(figures, got, delta, rssMb(server.pid!));
        } finally {
          if (!collected) await subs.collect().catch(() => undefined);
        }
      }
    }
    summary(phases);
    const serverErrors = out.split('\n').filter((l) => /"level":(50|60)/.test(l));
    if (serverErrors.length > 0) console.log(`server errors logged: ${serverErrors.length}; first: ${serverErrors[0].slice(0, 600)}`);
  } finally {
    writers.destroy();
    await floorPool.end();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await stopDb?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x: number) => x.toFixed(1).padStart(8);
const cpuMs = (s: number) => (Number.isFinite(s) ? `${(s * 1000).toFixed(2)} ms` : '-').padStart(10);

function writeLine(label: string, w: WriteFigures): string {
  return `  ${label.padEnd(8)} ${w.perSecond.toFixed(1).padStart(8)} ${ms(w.p50)} ${ms(w.p99)} ${ms(w.max)} ${cpuMs(w.serviceCpu)} ${cpuMs(w.pgCpu)} ${String(w.failed).padStart(7)}` +
    (w.firstFailure ? `\n    first failure: ${w.firstFailure}` : '');
}

function report(p: PhaseFigures, subs: Receipts, delta: (k: string) => number, rss: number): void {
  console.log(`\nsubscribers ${p.subscribers} (${Math.ceil(p.subscribers / 2)} agents on queueChanged, ${Math.floor(p.subscribers / 2)} viewers on customerActivity), load ${p.load.toFixed(1)}`);
  console.log(`  path     writes/s   p50 ms   p99 ms   max ms  service CPU/write  PG CPU/write  failed   (a write's own latency: its request's start to its answer)`);
  console.log(writeLine('floor', p.floor));
  console.log(`${writeLine('service', p.service)}   p99 ${(p.service.p99 / p.floor.p99).toFixed(1)}x the floor's`);
  console.log(`  main pool: requests waiting for a connection max ${p.poolWaitingMax}, mean ${p.poolWaitingMean.toFixed(1)} ` +
    `(about ${((p.poolWaitingMean / RATE) * 1000).toFixed(1)} ms of each write, Little's law); ` +
    `server event-loop delay: max ${p.loopMax.toFixed(1)} ms, p99 ${p.loopP99.toFixed(1)} ms (median of 250 ms windows)`);
  if (p.subscribers === 0) return;
  const f = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`  events expected ${p.expected}, received ${p.expected - p.lost}, lost ${p.lost}; subscription errors ${subs.errors}; connections closed early ${subs.closedEarly}`);
  if (subs.firstError) console.log(`  first subscription error: ${subs.firstError}`);
  if (p.fromCommit.length > 0) {
    console.log(`  commit -> receipt: p50 ${f(quantile(p.fromCommit, 0.5))}, p99 ${f(quantile(p.fromCommit, 0.99))}, max ${f(Math.max(...p.fromCommit))} (${p.fromCommit.length} receipts)`);
  }
  console.log(`  server: ${delta('notifications_total')} notifications read back in ${delta('event_reads_total')} statements (${delta('events_read_total')} events); ` +
    `${delta('payloads_total')} payloads from ${delta('executions_total')} executions and ${delta('read_statements_total')} read statements; RSS ${rss.toFixed(0)} MB`);
}

function summary(phases: PhaseFigures[]): void {
  console.log(`\nsummary (service / floor; CPU per write: service, PostgreSQL)`);
  console.log(`  subscribers  load   write p50 ms     write p99 ms     CPU/write ms     loop delay max/p99 ms  events lost  commit->receipt p99`);
  for (const p of phases) {
    console.log(`  ${String(p.subscribers).padStart(11)} ${p.load.toFixed(1).padStart(5)}  ${p.service.p50.toFixed(1).padStart(6)} / ${p.floor.p50.toFixed(1).padStart(5)}  ` +
      `${p.service.p99.toFixed(1).padStart(6)} / ${p.floor.p99.toFixed(1).padStart(5)}  ${(p.service.serviceCpu * 1000).toFixed(2).padStart(5)}, ${(p.service.pgCpu * 1000).toFixed(2).padStart(5)}  ` +
      `${p.loopMax.toFixed(1).padStart(8)} / ${p.loopP99.toFixed(1).padStart(6)}      ` +
      `${(p.subscribers ? String(p.lost) : '-').padStart(11)}  ${p.fromCommit.length ? `${quantile(p.fromCommit, 0.99).toFixed(1)} ms` : '-'}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
