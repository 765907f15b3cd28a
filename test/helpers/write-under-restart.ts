/**
 * Drives `count` idempotent writes through the API with client retries while the database
 * is restarted once, the way an ingestion job behaves. The caller checks afterwards that every
 * acknowledged write is in the database exactly once.
 * Usage: see test/integration/faults.test.ts ("PostgreSQL restart under write load"); to run it on
 * a real mutation, give `send` a call of that mutation with a stable idempotency key per item.
 */
export interface WriteLoadOptions {
  count: number;
  concurrency: number;
  /** Sends item `i` once; resolves true when the server acknowledged it (HTTP 200, no errors). */
  send(i: number): Promise<boolean>;
  /** Restarted once, after `restartAfter` acknowledgements. */
  restart(): Promise<void>;
  restartAfter: number;
  /** How long one item is retried before the run gives up on it. */
  retryForMs: number;
}

export interface WriteLoadResult {
  acknowledged: number[];
  gaveUp: number[];
  attempts: number;
  failedAttempts: number;
}

export async function writeUnderRestart(options: WriteLoadOptions): Promise<WriteLoadResult> {
  const acknowledged: number[] = [];
  const gaveUp: number[] = [];
  let attempts = 0;
  let failedAttempts = 0;
  let restarting: Promise<void> | null = null;
  let next = 0;

  const sendWithRetries = async (i: number) => {
    const deadline = Date.now() + options.retryForMs;
    for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1000)) {
      attempts += 1;
      const ok = await options.send(i).catch(() => false);
      if (ok) return true;
      failedAttempts += 1;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  };
  const worker = async () => {
    while (next < options.count) {
      const i = next++;
      if ((await sendWithRetries(i)) === true) acknowledged.push(i);
      else gaveUp.push(i);
      if (!restarting && acknowledged.length >= options.restartAfter) restarting = options.restart();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await restarting;
  return { acknowledged: acknowledged.sort((a, b) => a - b), gaveUp, attempts, failedAttempts };
}
