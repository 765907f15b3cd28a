// `npm run bench:live`: the live care desk under load. A server process (node dist/src/main.js)
// on a throwaway embedded PostgreSQL (or DATABASE_URL); LIVE_SUBSCRIBERS WebSocket subscribers
// (half agents on queueChanged, half viewers on customerActivity of one of LIVE_CUSTOMERS
// customers); LIVE_RATE recordInteraction calls a second for LIVE_SECONDS. Prints latency from
// commit to receipt (p50, p99), events lost, and the server's RSS. Defaults: 200, 100/s, 30 s.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { signDevToken } from '../src/auth/jwt';
import { freePort } from '../src/common/free-port';
import { startEmbeddedPostgres } from '../src/db/embedded';

const SUBSCRIBERS = Number(process.env.LIVE_SUBSCRIBERS ?? 200);
const RATE = Number(process.env.LIVE_RATE ?? 100);
const SECONDS = Number(process.env.LIVE_SECONDS ?? 30);
const CUSTOMERS = Number(process.env.LIVE_CUSTOMERS ?? 20);
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
  return out;
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
  const port = await freePort();
  // LIVE_SERVER_NODE_ARGS: node flags for the server process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = (process.env.LIVE_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '../src/main.js')], {
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
  const clients: ReturnType<typeof createClient>[] = [];
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
    const pg = new PgClient({ connectionString: url });
    await pg.connect();
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    await pg.query(`INSERT INTO customers (id, display_name, name_key) SELECT id, 'Live bench ' || n, 'live bench ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, n)`, [customers]);
    await pg.end();

    // Subscribers: receipts[subscriber] = Map(interactionId -> receipt time).
    const receipts: Map<string, number>[] = [];
    const followed: (string | null)[] = [];
    const errors: unknown[] = [];
    let closedEarly = 0;
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const agent = s % 2 === 0;
      const token = signDevToken(SECRET, { sub: `bench-${s}`, roles: [agent ? 'agent' : 'viewer'] }, JWT);
      const client = createClient({
        url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` },
        on: { closed: () => void (closedEarly += stopping ? 0 : 1) },
      });
      clients.push(client);
      const got = new Map<string, number>();
      receipts.push(got);
      const customerId = agent ? null : customers[s % CUSTOMERS];
      followed.push(customerId);
      const query = agent ? `subscription { queueChanged { kind interactionId } }` : `subscription($id: ID!) { customerActivity(customerId: $id) { id } }`;
      client.subscribe({ query, variables: customerId ? { id: customerId } : {} }, {
        next: (v) => {
          const now = performance.timeOrigin + performance.now();
          const data = v.data as any;
          if (agent && data?.queueChanged?.kind === 'ADDED') got.set(data.queueChanged.interactionId, now);
          if (!agent && data?.customerActivity) got.set(data.customerActivity.id, now);
          if (v.errors) errors.push(v.errors);
        },
        error: (e) => errors.push(e),
        complete: () => undefined,
      });
    }
    await sleep(1500 + SUBSCRIBERS * 5);

    // Writers: RATE calls a second, each answered after its transaction committed.
    const ingest = signDevToken(SECRET, { sub: 'bench-writer', roles: ['ingest'] }, JWT);
    const writes: { id: string; customerId: string; started: number; answered: number }[] = [];
    let failed = 0;
    let firstFailure: string | undefined;
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    const total = RATE * SECONDS;
    const rssSamples: number[] = [];
    const poolWaiting: number[] = [];
    const sampler = setInterval(() => {
      rssSamples.push(rssMb(server.pid!));
      liveCounters(port).then((c) => poolWaiting.push(c.poolWaiting), () => undefined);
    }, 500);
    const countersBefore = await liveCounters(port);
    const clientCpu0 = process.cpuUsage();
    const serverCpu0 = cpuSeconds(server.pid!);
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const customerId = customers[k % CUSTOMERS];
      inFlight.push((async () => {
        const started = performance.timeOrigin + performance.now();
        const body = await postJson(endpoint, { authorization: `Bearer ${ingest}` }, JSON.stringify({
          query: `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`,
          variables: { input: { idempotencyKey: `live-bench-${k}-${randomUUID()}`, customerId, channel: 'FACEBOOK', content: `My order ${k} never arrived, where is it?` } },
        })).catch((error: unknown) => ({ errors: [String(error)] }));
        const answered = performance.timeOrigin + performance.now();
        if (body.errors || !body.data) {
          failed++;
          firstFailure ??= JSON.stringify(body.errors).slice(0, 300);
        } else writes.push({ id: body.data.recordInteraction.id, customerId, started, answered });
      })());
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - t0) / 1000;
    await sleep(3000); // let the last events arrive
    clearInterval(sampler);
    const clientCpu = process.cpuUsage(clientCpu0);
    const serverCpu = cpuSeconds(server.pid!) - serverCpu0;
    const wall = (performance.now() - t0) / 1000;
    const after = await liveCounters(port);
    const delta = (k: string) => (after[k] ?? NaN) - (countersBefore[k] ?? NaN);

    // Commit times (milliseconds since the epoch, this machine's clock as the receipts) when the server tracks them.
    const commits = new Map<string, number>();
    const reader = new PgClient({ connectionString: url });
    await reader.connect();
    try {
      if ((await reader.query(`SHOW track_commit_timestamp`)).rows[0].track_commit_timestamp === 'on') {
        const { rows } = await reader.query<{ id: string; ms: number }>(
          `SELECT e.data->>'interactionId' AS id, extract(epoch FROM pg_xact_commit_timestamp(e.xmin)) * 1000 AS ms
             FROM outbox_events e WHERE e.type = 'INTERACTION_RECORDED' AND e.data->>'interactionId' = ANY($1::text[])`,
          [writes.map((w) => w.id)],
        );
        for (const r of rows) commits.set(r.id, Number(r.ms));
      }
    } finally {
      await reader.end();
    }

    let expected = 0;
    let lost = 0;
    const fromCommit: number[] = [];
    const fromAnswer: number[] = [];
    const fromStart: number[] = [];
    for (const w of writes) {
      for (let s = 0; s < SUBSCRIBERS; s++) {
        if (followed[s] !== null && followed[s] !== w.customerId) continue;
        expected++;
        const at = receipts[s].get(w.id);
        if (at === undefined) {
          lost++;
          continue;
        }
        // The commit happened between the request's start and its answer: report both bounds.
        fromAnswer.push(Math.max(0, at - w.answered));
        fromStart.push(at - w.started);
        const committed = commits.get(w.id);
        if (committed !== undefined) fromCommit.push(at - committed);
      }
    }
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`subscribers ${SUBSCRIBERS} (${Math.ceil(SUBSCRIBERS / 2)} agents on queueChanged, ${Math.floor(SUBSCRIBERS / 2)} viewers on customerActivity of ${CUSTOMERS} customers)`);
    console.log(`writes ${writes.length} ok, ${failed} failed, in ${elapsed.toFixed(1)} s (${(writes.length / elapsed).toFixed(1)}/s, target ${RATE}/s)`);
    if (firstFailure) console.log(`first failed write: ${firstFailure}`);
    console.log(`events expected ${expected}, received ${expected - lost}, lost ${lost}; subscription errors ${errors.length}; connections closed early ${closedEarly}`);
    if (errors.length > 0) console.log(`first subscription error: ${JSON.stringify(errors[0]).slice(0, 400)}`);
    const serverErrors = out.split('\n').filter((l) => /"level":(50|60)/.test(l));
    if (serverErrors.length > 0) console.log(`server errors logged: ${serverErrors.length}; first: ${serverErrors[0].slice(0, 600)}`);
    if (fromCommit.length > 0) {
      console.log(`latency commit -> receipt: p50 ${f(quantile(fromCommit, 0.5))}, p99 ${f(quantile(fromCommit, 0.99))}, max ${f(fromCommit.reduce((a, b) => Math.max(a, b), -Infinity))} ` +
        `(from each transaction's commit timestamp; ${fromCommit.length} receipts)`);
    }
    console.log(`bounds: p50 ${f(quantile(fromAnswer, 0.5))}, p99 ${f(quantile(fromAnswer, 0.99))} (from the write's answer, a lower bound); ` +
      `p50 ${f(quantile(fromStart, 0.5))}, p99 ${f(quantile(fromStart, 0.99))} (from the write's start, an upper bound)`);
    console.log(`cpu over ${wall.toFixed(1)} s: server ${serverCpu.toFixed(1)} s (${((100 * serverCpu) / wall).toFixed(0)}% of a core), ` +
      `bench client ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s (${((100 * (clientCpu.user + clientCpu.system)) / 1e6 / wall).toFixed(0)}%)`);
    console.log(`server: ${delta('notifications_total')} notifications read back in ${delta('event_reads_total')} statements (${delta('events_read_total')} events); ` +
      `${delta('payloads_total')} payloads from ${delta('executions_total')} executions and ${delta('read_statements_total')} read statements; ` +
      `requests waiting for a pool connection: max ${Math.max(0, ...poolWaiting.filter(Number.isFinite))}`);
    console.log(`server RSS: max ${Math.max(...rssSamples.filter(Number.isFinite)).toFixed(0)} MB, at end ${rssMb(server.pid!).toFixed(0)} MB`);
  } finally {
    stopping = true;
    await Promise.all(clients.map((c) => c.dispose()));
    writers.destroy();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await stopDb?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

let stopping = false;
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
