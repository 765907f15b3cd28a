import { itemErrors, type ItemError } from './ingest.validate';
import { ItemsRefused, type IngestService, type RecordCall } from './ingest.service';
import type { Interaction } from '../interactions/interaction.types';
import { currentRequestScope, inRequestScope, type RequestScope } from '../common/request-scope';

interface Waiting extends RecordCall {
  /** The caller's request scope: a batch runs in its first caller's (its statements count there). */
  scope: RequestScope | undefined;
  resolve: (interaction: Interaction) => void;
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
 * Concurrent single `recordInteraction` calls share the bulk path: one transaction and one
 * batch of set-based statements for all the calls that arrived while the previous batches were
 * being written (group commit: an idle service writes a call at once; a busy one gathers calls
 * for exactly as long as it is busy). Each caller keeps every guarantee of a call alone:
 * - its own answer or its own error: an input that fails the checks without the database never
 *   joins a batch; an item the batch refuses (unknown customer, idempotency conflict, ...) is
 *   answered with its error, as a call alone, and the rest are written again without it; any
 *   other failure is retried call by call, so one caller's fault never becomes another's;
 * - idempotency: two calls with one key in a batch are one item (both answered with the same
 *   row; other content is the later one's CONFLICT); a stored key answers the stored row;
 * - its author and request: each row, history entry and linked identity names its own caller,
 *   each audit entry of what its item raised its own request id;
 * - roles and rate limits were checked for it before it got here; events are those of the call
 *   alone (the batch writes the same rows); it is answered only after the batch committed.
 * Usage: `await coalescer.record(input, ctx.viewer.sub)`
 */
export class RecordCoalescer {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly ingest: IngestService, private readonly options: CoalescerOptions = DEFAULT_COALESCER) {}

  record(input: RecordCall['input'], by: string): Promise<Interaction> {
    const invalid = this.ingest.check(input);
    if (invalid) return Promise.reject(invalid);
    return new Promise((resolve, reject) => {
      const scope = currentRequestScope();
      this.waiting.push({ input, by, requestId: scope?.requestId, scope, resolve, reject });
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

  /** Writes a batch, taking out each refused item with its own error, until the rest commits. */
  private async write(batch: Waiting[]): Promise<void> {
    let live = batch;
    while (live.length > 0) {
      try {
        const written = live.length === 1
          ? await inRequestScope(live[0].scope, () => this.ingest.record([live[0].input], live[0].by, false))
          : await this.ingest.recordBatch(live);
        live.forEach((call, n) => call.resolve(written[n]));
        return;
      } catch (error) {
        if (live.length === 1) {
          live[0].reject(error);
          return;
        }
        if (!(error instanceof ItemsRefused)) {
          // Not an item's fault (or not one we can name): each call alone, with its own outcome.
          await Promise.all(live.map((call) => inRequestScope(call.scope, () => this.ingest.record([call.input], call.by, false)).then(([i]) => call.resolve(i), call.reject)));
          return;
        }
        const refused = new Map<number, ItemError[]>();
        for (const item of error.items) refused.set(item.index, [...(refused.get(item.index) ?? []), { ...item, index: 0 }]);
        for (const [n, errors] of refused) live[n].reject(itemErrors(error.code, errors, false));
        live = live.filter((_, n) => !refused.has(n));
      }
    }
  }
}
