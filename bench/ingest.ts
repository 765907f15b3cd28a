// `npm run bench:ingest -- [--url http://host:4000/graphql --token <JWT>] [--calls 20] [--concurrency 2] [--new-share 0.05] [--profiling]`
// Posts recordInteractions calls of 1,000 over HTTP and prints interactions per second.
// --profiling (local service only): the warm-up customers grant PROFILING, so every public
// post of the measured calls re-scores its customer with the default influence scorer.
// Without --url it starts the real service in this process on a fresh embedded PostgreSQL
// (fsync on) in a temp folder, and removes it afterwards.
import 'reflect-metadata';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { freePort } from '../src/common/free-port';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app';
import { createTokenVerifier, signDevToken } from '../src/auth/jwt';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/logger';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    calls: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '5000' },
    'new-share': { type: 'string', default: '0.05' },
    profiling: { type: 'boolean', default: false },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values.batch);
const CUSTOMERS = Number(values.customers);
const NEW_SHARE = Number(values['new-share']);
const RUN = Date.now().toString(36);

const TEMPLATES = [
  'My #warranty claim was refused at the dealer, terrible',
  'How do I pair bluetooth with the new app?',
  'Getting 34 mpg on the highway this week #fuelmileage',
  'Thanks for the quick oil change, great service!',
  'should I buy the CTS or the MKZ?',
  'Still waiting for my rebate, third email now',
  'Loved the new ad during the game #campaign',
  'Is the roadside assistance included with the lease?',
  'I am thinking of leaving, the infotainment screen froze again',
  'lol nice car',
];

const PLATFORMS = ['TWITTER', 'FACEBOOK', 'INSTAGRAM'];

function item(n: number, handle: string) {
  const platform = PLATFORMS[handle.length % PLATFORMS.length];
  return {
    idempotencyKey: `bench-${RUN}-${n}`,
    platform,
    handle,
    channel: platform,
    content: `${TEMPLATES[n % TEMPLATES.length]} (${n})`,
    occurredAt: new Date(Date.now() - Math.floor(Math.random() * 3_600_000)).toISOString(),
  };
}

const MUTATION = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`;

async function post(url: string, token: string, inputs: unknown[]): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: MUTATION, variables: { inputs } }),
  });
  const body = (await res.json()) as { data?: { recordInteractions: unknown[] }; errors?: unknown[] };
  if (body.errors || body.data?.recordInteractions.length !== inputs.length) {
    throw new Error(`call failed (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return performance.now() - started;
}

/** Runs `calls` batches with at most `concurrency` in flight; returns the wall time and each call's latency. */
async function phase(url: string, token: string, batches: unknown[][], concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      latencies.push(await post(url, token, batch));
    }
  }));
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(0);


/** CPU seconds used so far by the PostgreSQL server whose postmaster has this pid, and its backends (Linux /proc). */
function postgresCpuSeconds(postmaster: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [ppid, utime, stime] = [Number(fields[1]), Number(fields[11]), Number(fields[12])];
      if (Number(entry) === postmaster || ppid === postmaster) total += (utime + stime) / ticks;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** The real service on a fresh embedded PostgreSQL, listening on a free port. */
async function startLocalService() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-bench-'));
  const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'social_crm_bench' });
  const dataSource = createDataSource({ url: db.url, poolSize: 10, applicationName: 'bench-ingest' });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const secret = 'bench-secret-bench-secret-bench-secret-0123456789';
  const app = await createApp({
    config: { isProduction: true, defaultPhoneRegion: 'US' },
    dataSource,
    logger: createLogger('error'),
    verifyToken: createTokenVerifier({ secret, issuer: 'social-crm', audience: 'social-crm-api' }),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  const token = signDevToken(secret, { sub: 'bench', roles: ['ingest'] }, { issuer: 'social-crm', audience: 'social-crm-api', expiresIn: 3600 });
  const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    token,
    grantProfiling: () => dataSource.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
       SELECT customer_id, id, 'PROFILING', 'GRANTED', now(), 'SOCIAL_MESSAGE', 'bench' FROM social_identities`,
    ),
    cpuSeconds: () => ({ node: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, postgres: postgresCpuSeconds(postmaster) }),
    async stop() {
      await app.stop();
      app.server.close();
      await dataSource.destroy();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const local = values.url ? null : await startLocalService();
  const url = values.url ?? local!.url;
  const token = values.token ?? local?.token;
  if (!token) throw new Error('--token is required with --url (npm run token -- --role ingest)');
  try {
    const handles = Array.from({ length: CUSTOMERS }, (_, n) => `b${RUN}_${n}`);
    let n = 0;
    // Warm-up: every handle is new, so each item links an identity and creates a customer.
    const warm: unknown[][] = [];
    for (let i = 0; i < handles.length; i += BATCH) warm.push(handles.slice(i, i + BATCH).map((h) => item(n++, h)));
    const w = await phase(url, token, warm, CONCURRENCY);
    process.stdout.write(`warm-up (every handle new, one customer created per item): ${handles.length} interactions in ${w.seconds.toFixed(1)} s = ${(handles.length / w.seconds).toFixed(0)} interactions/s\n`);

    if (values.profiling) {
      if (!local) throw new Error('--profiling needs the local service (no --url)');
      await local.grantProfiling();
      process.stdout.write('every warm-up customer granted PROFILING: measured posts re-score their customers\n');
    }

    // Measured: known customers, plus a share of first-time handles.
    const batches: unknown[][] = [];
    for (let c = 0; c < CALLS; c++) {
      batches.push(Array.from({ length: BATCH }, (_, k) => {
        const fresh = Math.random() < NEW_SHARE;
        return item(n++, fresh ? `n${RUN}_${c}_${k}` : handles[Math.floor(Math.random() * handles.length)]);
      }));
    }
    const cpuBefore = local?.cpuSeconds();
    const m = await phase(url, token, batches, CONCURRENCY);
    const total = CALLS * BATCH;
    process.stdout.write(
      `bulk ingestion: ${total} interactions in ${CALLS} calls of ${BATCH} (${(NEW_SHARE * 100).toFixed(0)}% first-time handles, ` +
        `${CONCURRENCY} calls in flight): ${m.seconds.toFixed(1)} s = ${(total / m.seconds).toFixed(0)} interactions/s; ` +
        `call latency p50 ${pct(m.latencies, 0.5)} ms, p95 ${pct(m.latencies, 0.95)} ms\n`,
    );
    if (local && cpuBefore !== undefined) {
      // Wall time depends on what else the machine runs; CPU time per interaction does not.
      const after = local.cpuSeconds();
      const [node, postgres] = [after.node - cpuBefore.node, after.postgres - cpuBefore.postgres];
      const cpu = node + postgres;
      process.stdout.write(
        `CPU per interaction: ${((node / total) * 1e6).toFixed(0)} µs in Node (service and this client), ` +
          `${((postgres / total) * 1e6).toFixed(0)} µs in PostgreSQL; ` +
          `= ${(total / cpu).toFixed(0)} interactions per CPU-second (load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)\n`,
      );
    }
  } finally {
    await local?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
