// The load side of `npm run bench:ingest`, forked by bench/ingest.ts into its own process, as an
// ingestion job is: building and posting 1,000-item calls must not share the service's event loop.
// Protocol: receives one IngestPlan, then a phase name per message ('warm-up' | 'measured'),
// answers each with a PhaseResult, and exits when the channel closes.
import { POST_TEMPLATES } from './post-templates';

export interface IngestPlan {
  url: string;
  token: string;
  calls: number;
  concurrency: number;
  batch: number;
  customers: number;
  newShare: number;
  /** Existing identities to post as (`--handles`); default: `customers` new handles. */
  handles?: Handle[];
}

export interface Handle {
  platform: string;
  handle: string;
}

export type PhaseName = 'warm-up' | 'measured';

export interface PhaseResult {
  phase: PhaseName;
  interactions: number;
  seconds: number;
  /** Call latencies in ms, sorted. */
  latencies: number[];
  /** CPU seconds this load process used during the phase. */
  cpuSeconds: number;
}


const PLATFORMS = ['TWITTER', 'FACEBOOK', 'INSTAGRAM'];
const RUN = Date.now().toString(36);
const MUTATION = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`;

let serial = 0;

/** A handle made up by this run, on one of the public platforms. */
function newHandle(handle: string): Handle {
  return { platform: PLATFORMS[handle.length % PLATFORMS.length], handle };
}

function item({ platform, handle }: Handle) {
  const n = serial++;
  return {
    idempotencyKey: `bench-${RUN}-${n}`,
    platform,
    handle,
    channel: platform,
    content: `${POST_TEMPLATES[n % POST_TEMPLATES.length]} (${n})`,
    occurredAt: new Date(Date.now() - Math.floor(Math.random() * 3_600_000)).toISOString(),
  };
}

async function post(plan: IngestPlan, inputs: unknown[]): Promise<number> {
  const started = performance.now();
  const res = await fetch(plan.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` },
    body: JSON.stringify({ query: MUTATION, variables: { inputs } }),
  });
  const body = (await res.json()) as { data?: { recordInteractions: unknown[] }; errors?: unknown[] };
  if (body.errors || body.data?.recordInteractions.length !== inputs.length) {
    throw new Error(`call failed (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return performance.now() - started;
}

/** Posts the batches with at most `concurrency` calls in flight. */
async function run(plan: IngestPlan, phase: PhaseName, batches: unknown[][]): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: plan.concurrency }, async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      latencies.push(await post(plan, batch));
    }
  }));
  const used = process.cpuUsage(cpu);
  return {
    phase,
    interactions: batches.reduce((n, b) => n + b.length, 0),
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

/** Warm-up: one post per handle (for made-up handles, each links an identity and creates a customer). */
function warmUpBatches(plan: IngestPlan, handles: Handle[]): unknown[][] {
  const batches: unknown[][] = [];
  for (let i = 0; i < handles.length; i += plan.batch) batches.push(handles.slice(i, i + plan.batch).map(item));
  return batches;
}

/** Measured: known customers, plus a share of first-time handles. Built before the clock starts. */
function measuredBatches(plan: IngestPlan, handles: Handle[]): unknown[][] {
  return Array.from({ length: plan.calls }, (_, c) =>
    Array.from({ length: plan.batch }, (_, k) =>
      item(Math.random() < plan.newShare ? newHandle(`n${RUN}_${c}_${k}`) : handles[Math.floor(Math.random() * handles.length)]),
    ),
  );
}

let plan: IngestPlan | null = null;
let handles: Handle[] = [];

process.on('message', (message: IngestPlan | PhaseName) => {
  void (async () => {
    if (typeof message === 'object') {
      plan = message;
      handles = plan.handles ?? Array.from({ length: plan.customers }, (_, n) => newHandle(`b${RUN}_${n}`));
      return;
    }
    if (!plan) throw new Error('no plan received');
    const batches = message === 'warm-up' ? warmUpBatches(plan, handles) : measuredBatches(plan, handles);
    process.send!(await run(plan, message, batches));
  })().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
