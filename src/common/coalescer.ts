import { currentRequestScope, inRequestScope, type RequestScope } from './request-scope';

/** Calls of a batch that cannot be written, each with the error its caller gets (a call alone's); nothing was written. */
export class ItemsRefused extends Error {
  constructor(readonly errors: ReadonlyMap<number, Error>) {
    super(`${errors.size} items refused`);
  }
}

/** How a kind of single call is written: checked alone, written alone, or many in one transaction. */
export interface BatchWriter<Call, Result> {
  /** The call's error from the checks that need no database, or null: a refused call never joins a batch. */
  check(call: Call): Error | null;
  one(call: Call): Promise<Result>;
  /** One result per call, in order; a bad call: ItemsRefused naming it (by index), nothing written. */
  many(calls: Call[]): Promise<Result[]>;
}

interface Waiting<Call, Result> {
  call: Call;
  /** The caller's request scope: a batch runs in its first caller's (its statements count there). */
  scope: RequestScope | undefined;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface CoalescerOptions {
  /** Batches written at once; calls arriving while all are busy wait and leave together in the next. */
  maxInFlight: number;
  /** Calls per batch at most. */
  maxBatch: number;
}

export const DEFAULT_COALESCER: CoalescerOptions = { maxInFlight: 2, maxBatch: 200 };

/**
 * Concurrent single calls share one transaction and one batch of set-based statements (group
 * commit: an idle service writes a call at once; a busy one gathers calls for exactly as long as
 * it is busy, no timer). Each caller keeps its own answer or its own error: a call the checks
 * refuse never joins a batch; a call the batch refuses (ItemsRefused) gets its own error and the
 * rest are written again without it; any other failure sends each call through `one`, so one
 * caller's fault never becomes another's. Every caller is answered after its batch committed.
 * One per app and kind of call (it holds the waiting calls). docs/care.md, "Coalesced single writes".
 * Usage: `const c = new Coalescer(writer); await c.record(call)`
 */
export class Coalescer<Call, Result> {
  private waiting: Waiting<Call, Result>[] = [];
  private inFlight = 0;

  constructor(private readonly writer: BatchWriter<Call, Result>, private readonly options: CoalescerOptions = DEFAULT_COALESCER) {}

  record(call: Call): Promise<Result> {
    const invalid = this.writer.check(call);
    if (invalid) return Promise.reject(invalid);
    return new Promise((resolve, reject) => {
      this.waiting.push({ call, scope: currentRequestScope(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void inRequestScope(batch[0].scope, () => this.write(batch)).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** Writes a batch, taking out each refused call with its own error, until the rest commits. */
  private async write(batch: Waiting<Call, Result>[]): Promise<void> {
    let live = batch;
    while (live.length > 0) {
      try {
        const written = live.length === 1 ? [await this.writer.one(live[0].call)] : await this.writer.many(live.map((w) => w.call));
        live.forEach((w, n) => w.resolve(written[n]));
        return;
      } catch (error) {
        if (live.length === 1) {
          live[0].reject(error);
          return;
        }
        if (!(error instanceof ItemsRefused)) {
          await Promise.all(live.map((w) => inRequestScope(w.scope, () => this.writer.one(w.call)).then(w.resolve, w.reject)));
          return;
        }
        for (const [n, refused] of error.errors) live[n].reject(refused);
        live = live.filter((_, n) => !error.errors.has(n));
      }
    }
  }
}
