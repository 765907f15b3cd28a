// The load side of `npm run bench:purchases`, forked by bench/purchases.ts into its own process,
// as a shop system's ingestion job is: building, posting and reading 1,000-item calls must not
// share the service's event loop (nor count in its CPU). Protocol: receives one PurchasePlan,
// makes the warm-up calls and builds the bodies of every round, answers 'ready'; then, for each
// round number it receives, makes that round's calls and answers a PurchaseLoadResult; exits
// when the channel closes.
import { randomUUID } from 'node:crypto';

export interface PurchasePlan {
  url: string;
  token: string;
  /** Calls per round. */
  calls: number;
  rounds: number;
  /** Calls made before the first round, unmeasured (JIT, plans, pools on both sides). */
  warmup: number;
  concurrency: number;
  batch: number;
  customers: number;
}

export interface PurchaseLoadResult {
  seconds: number;
  /** Call latencies in ms, sorted. */
  latencies: number[];
}

const PRODUCTS = ['Annual service', 'Tyre set', 'Extended warranty', 'Roof rack', 'Charging wallbox', 'Detailing'];

/** One call's items: customers by email, a product, an amount in EUR, a time in the last 90 days. */
function items(plan: PurchasePlan, call: number, tag: string): Record<string, unknown>[] {
  return Array.from({ length: plan.batch }, (_, n) => ({
    idempotencyKey: `${tag}-${call}-${n}-${randomUUID()}`,
    email: `buyer${(call * plan.batch + n * 7) % plan.customers}@bench.example`,
    product: PRODUCTS[n % PRODUCTS.length],
    category: n % 2 ? 'service' : 'accessory',
    amount: 100 + (n % 900) + 0.5,
    currency: 'EUR',
    purchasedAt: new Date(Date.now() - (n % 90) * 86_400_000).toISOString(),
    channel: n % 3 ? 'IN_STORE' : 'OTHER',
  }));
}

/** Warms up and builds the bodies; answers the measured round, to start when the parent says so. */
async function prepare(plan: PurchasePlan): Promise<(round: number) => Promise<PurchaseLoadResult>> {
  const bodyOf = (call: number, tag = 'bench') =>
    JSON.stringify({ query: 'mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }', variables: { inputs: items(plan, call, tag) } });
  const post = async (call: number, body: string): Promise<number> => {
    const started = performance.now();
    const res = await fetch(plan.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` }, body });
    const answer = (await res.json()) as { errors?: unknown[]; data?: { recordPurchases: unknown[] } };
    if (answer.errors || answer.data?.recordPurchases.length !== plan.batch) throw new Error(`call ${call} failed: ${JSON.stringify(answer.errors)}`);
    return performance.now() - started;
  };
  // Warm-up calls (keys of their own, the same customers), as many in flight as measured.
  let warm = 0;
  await Promise.all(Array.from({ length: plan.concurrency }, async () => {
    while (warm < plan.warmup) {
      const call = warm++;
      await post(call, bodyOf(call, 'warm'));
    }
  }));
  const bodies = Array.from({ length: plan.calls * plan.rounds }, (_, call) => bodyOf(call));
  return async (round) => {
    const latencies: number[] = [];
    let next = round * plan.calls;
    const end = next + plan.calls;
    const started = performance.now();
    await Promise.all(Array.from({ length: plan.concurrency }, async () => {
      while (next < end) {
        const call = next++;
        latencies.push(await post(call, bodies[call]));
      }
    }));
    return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
  };
}

const fail = (error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
};

process.once('message', (plan: PurchasePlan) => {
  prepare(plan).then((measured) => {
    process.on('message', (round: number) => measured(round).then((result) => process.send!(result), fail));
    process.send!('ready');
  }, fail);
});
