// The load side of `npm run bench:purchases`, forked by bench/purchases.ts into its own process,
// as a shop system's ingestion job is: building, posting and reading 1,000-item calls must not
// share the service's event loop (nor count in its CPU). Protocol: receives one PurchasePlan,
// makes a warm-up call and builds the bodies, answers 'ready'; then receives 'go', makes the
// measured calls and answers a PurchaseLoadResult; exits when the channel closes.
import { randomUUID } from 'node:crypto';

export interface PurchasePlan {
  url: string;
  token: string;
  calls: number;
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
function items(plan: PurchasePlan, call: number): Record<string, unknown>[] {
  return Array.from({ length: plan.batch }, (_, n) => ({
    idempotencyKey: `bench-${call}-${n}-${randomUUID()}`,
    email: `buyer${(call * plan.batch + n * 7) % plan.customers}@bench.example`,
    product: PRODUCTS[n % PRODUCTS.length],
    category: n % 2 ? 'service' : 'accessory',
    amount: 100 + (n % 900) + 0.5,
    currency: 'EUR',
    purchasedAt: new Date(Date.now() - (n % 90) * 86_400_000).toISOString(),
    channel: n % 3 ? 'IN_STORE' : 'OTHER',
  }));
}

/** Warms up and builds the bodies; answers the measured run, to start when the parent says so. */
async function prepare(plan: PurchasePlan): Promise<() => Promise<PurchaseLoadResult>> {
  const bodyOf = (call: number) => JSON.stringify({ query: 'mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }', variables: { inputs: items(plan, call) } });
  const post = async (call: number, body: string): Promise<number> => {
    const started = performance.now();
    const res = await fetch(plan.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` }, body });
    const answer = (await res.json()) as { errors?: unknown[]; data?: { recordPurchases: unknown[] } };
    if (answer.errors || answer.data?.recordPurchases.length !== plan.batch) throw new Error(`call ${call} failed: ${JSON.stringify(answer.errors)}`);
    return performance.now() - started;
  };
  await post(-1, bodyOf(-1)); // warm-up: plans, pools, JIT
  const bodies = Array.from({ length: plan.calls }, (_, call) => bodyOf(call));
  return async () => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.calls) {
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
    process.once('message', () => measured().then((result) => process.send!(result), fail));
    process.send!('ready');
  }, fail);
});
