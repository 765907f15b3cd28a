// `npm run bench:writes -- [--seconds 3] [--clients 1,16] [--ops recordInteraction,...] [--think-ms 200] [--customers 1000]`
// Care tooling's single writes, one item a call: recordInteraction, respondToInteraction,
// escalateInteraction, claimNextInteraction (each agent thinks --think-ms between claims, as a
// desk works), recordTouchpoint and setConsent. Each at every --clients count (closed loops,
// each client its own token subject), and beside it its floor in the same run: the same rows
// (the row, its conversation, history, audit and outbox rows) written by one hand-written
// statement, one transaction, over pg, by as many connections. Prints req/s, p50/p99, CPU per
// call of the service (Node) and of PostgreSQL, and the ratio to the floor. The service runs
// in this process on a fresh embedded PostgreSQL (fsync on) with the demo data; the clients in
// a forked process (bench/writes-load.ts). The machine may be shared: compare ratios and CPU
// per call, not wall-clock figures across runs.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { freePort } from '../src/common/free-port';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { seedDatabase } from '../seeds/generate';
import { postgresCpuSeconds } from './proc-cpu';
import type { PhaseOutcome, WriteOp, WritesPhase, WritesSetup } from './writes-load';

const ALL_OPS: WriteOp[] = ['recordInteraction', 'respondToInteraction', 'escalateInteraction', 'claimNextInteraction', 'recordTouchpoint', 'setConsent'];
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '1,16' },
    ops: { type: 'string', default: ALL_OPS.join(',') },
    'think-ms': { type: 'string', default: '200' },
    customers: { type: 'string', default: '1000' },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = values.clients!.split(',').map(Number);
const OPS = values.ops!.split(',') as WriteOp[];
for (const op of OPS) if (!ALL_OPS.includes(op)) throw new Error(`unknown op ${op}; one of ${ALL_OPS.join(', ')}`);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const JWT = { issuer: 'social-crm', audience: 'social-crm-api', expiresIn: 3600 };
/** Open inbound items each of respond and escalate cycle through (escalate: one team per round). */
const POOL_ITEMS = 2000;
/** Open items in the queue for the claims (each claim takes one for good). */
const QUEUE_ITEMS = 3000;

function startLoad(setup: WritesSetup) {
  const child = fork(path.join(__dirname, 'writes-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the load process exited (${code})`))));
  exited.catch(() => undefined);
  const ask = <T>(message: object) => Promise.race([new Promise<T>((resolve) => { child.once('message', (m: T) => resolve(m)); child.send(message); }), exited]);
  return { ready: ask<{ ready: true }>(setup), run: (phase: WritesPhase) => ask<PhaseOutcome>(phase), stop: () => child.disconnect() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-bench-writes-'));
  const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'social_crm_bench' });
  const maxClients = Math.max(...CLIENTS);
  const dataSource = createDataSource({ url: db.url, poolSize: 20, applicationName: 'bench-writes' });
  let load: ReturnType<typeof startLoad> | undefined;
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const seedPool = new Pool({ connectionString: db.url, max: 4 });
    const { customerIds } = await seedDatabase(seedPool, { customers: Number(values.customers), seed: 1 }).finally(() => seedPool.end());
    app = await createApp({
      config: { isProduction: true, defaultPhoneRegion: 'US' },
      dataSource,
      logger: createLogger('error'),
      verifyToken: createTokenVerifier({ secret: SECRET, issuer: JWT.issuer, audience: JWT.audience }),
      limits: { mutationsPerMinute: 1_000_000 },
    });
    await new Promise<void>((resolve) => app!.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
    const subjects = Array.from({ length: maxClients }, (_, n) => `bench-w-${n}`);
    const tokens = subjects.map((sub) => signDevToken(SECRET, { sub, roles: ['agent'] }, JWT));
    await dataSource.query(
      `INSERT INTO care_agents (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, updated_by)
       SELECT id, id, '{}', ARRAY['CUSTOMER_SERVICE','MARKETING_PR'], ARRAY['PLATINUM','GOLD','SILVER','BRONZE','NONE'], '{}', 5, 900, 'bench'
         FROM unnest($1::text[]) AS a(id)`,
      [subjects],
    );
    // Open inbound items for respond, escalate and the queue: through the bulk call, as ingestion makes them.
    const ingest = signDevToken(SECRET, { sub: 'bench-ingest', roles: ['ingest'] }, JWT);
    const made: string[] = [];
    for (let n = 0; made.length < 2 * POOL_ITEMS + QUEUE_ITEMS; n++) {
      const inputs = Array.from({ length: 1000 }, (_, k) => ({
        idempotencyKey: `pool-${n}-${k}`, customerId: customerIds[(n * 1000 + k) % customerIds.length], channel: 'TWITTER',
        content: `Still waiting for a refund on order ${n}-${k}, can someone help?`,
      }));
      const res = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest}` },
        body: JSON.stringify({ query: `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, variables: { inputs } }),
      });
      const body = (await res.json()) as { data?: { recordInteractions: { id: string }[] }; errors?: unknown };
      if (!body.data) throw new Error(`pool: ${JSON.stringify(body.errors)}`);
      made.push(...body.data.recordInteractions.map((i) => i.id));
    }
    const socialIdentities = (await dataSource.query(`SELECT id FROM social_identities ORDER BY id LIMIT 2000`)).map((r: { id: string }) => r.id);
    load = startLoad({
      url, dbUrl: db.url, tokens, subjects, customers: customerIds, socialIdentities,
      respondPool: made.slice(0, POOL_ITEMS), escalatePool: made.slice(POOL_ITEMS, 2 * POOL_ITEMS), thinkMs: Number(values['think-ms']),
    });
    await load.ready;
    const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const nodeCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

    console.log(`bench:writes — ${SECONDS} s per figure, clients ${CLIENTS.join(' and ')}, think ${values['think-ms']} ms between claims; ` +
      `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    console.log('op                     clients  path      req/s    p50 ms   p99 ms   service CPU/call  PostgreSQL CPU/call  failed  x floor');
    for (const op of OPS) {
      // Untimed: the first calls of an operation compile its code paths and fill its caches.
      await load.run({ op, floor: false, clients: maxClients, seconds: 1 });
      for (const clients of CLIENTS) {
        const figures: Record<'http' | 'floor', { rate: number; line: string }> = {} as never;
        for (const floor of [true, false]) {
          const cpu0 = { node: nodeCpu(), pg: postgresCpuSeconds(postmaster) };
          const o = await load.run({ op, floor, clients, seconds: SECONDS });
          const node = nodeCpu() - cpu0.node;
          const pg = postgresCpuSeconds(postmaster) - cpu0.pg;
          const per = (s: number) => (o.calls > 0 ? `${((s / o.calls) * 1000).toFixed(2)} ms` : '-');
          const rate = o.calls / o.seconds;
          figures[floor ? 'floor' : 'http'] = {
            rate,
            line: `${op.padEnd(22)} ${String(clients).padStart(7)}  ${(floor ? 'floor' : 'service').padEnd(8)} ${rate.toFixed(0).padStart(6)} ` +
              `${o.p50.toFixed(1).padStart(9)} ${o.p99.toFixed(1).padStart(8)}   ${per(node).padStart(16)}  ${per(pg).padStart(19)}  ${String(o.failed).padStart(6)}`,
          };
          if (o.firstFailure) figures[floor ? 'floor' : 'http'].line += `\n    first failure: ${o.firstFailure}`;
        }
        console.log(figures.floor.line);
        console.log(`${figures.http.line}  ${(figures.http.rate / figures.floor.rate).toFixed(2).padStart(6)}`);
      }
    }
    console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    load?.stop();
    if (app) {
      await app.stop();
      app.server.close();
    }
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
