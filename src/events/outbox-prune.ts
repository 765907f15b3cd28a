import type { Pool } from 'pg';
import type { Logger } from '../logger';
import { IntervalJob } from '../common';

export interface PruneOptions {
  /** Events older than this are removed once no delivery of theirs is pending (longer than the 24 h retry window). */
  retentionHours: number;
  /** At most this many events per statement; a run repeats full batches up to `maxBatchesPerRun`. */
  batchSize: number;
  maxBatchesPerRun: number;
  intervalMs: number;
}

export const DEFAULT_PRUNE_OPTIONS: PruneOptions = { retentionHours: 24 * 7, batchSize: 5_000, maxBatchesPerRun: 20, intervalMs: 10 * 60_000 };

/**
 * Deletes one batch of the oldest outbox events older than the retention that no webhook still
 * owes (no PENDING delivery); their DELIVERED and FAILED deliveries go with them (ON DELETE
 * CASCADE). Several processes may run it: an advisory lock lets one at a time do the work.
 * Returns the number of events removed.
 * Usage: `await pruneOutbox(pool, { retentionHours: 168, batchSize: 5000 })`
 */
export async function pruneOutbox(pool: Pool, options: Pick<PruneOptions, 'retentionHours' | 'batchSize'>): Promise<number> {
  const { rowCount } = await pool.query(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('social-crm outbox prune')) AS held),
          old AS (
            SELECT e.seq FROM outbox_events e
             WHERE (SELECT held FROM lock)
               AND e.occurred_at < now() - make_interval(hours => $1::int)
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq AND d.state = 'PENDING')
             ORDER BY e.seq
             LIMIT $2)
     DELETE FROM outbox_events e USING old WHERE e.seq = old.seq`,
    [options.retentionHours, options.batchSize],
  );
  return rowCount ?? 0;
}

/**
 * The periodic job: every `intervalMs`, full batches until a short one (at most
 * `maxBatchesPerRun`, so one run stays bounded however far behind it is).
 * Usage: `const pruner = new OutboxPruner(pool, logger); pruner.start(); ... await pruner.stop()`
 */
export class OutboxPruner {
  private readonly options: PruneOptions;
  private readonly timer: IntervalJob;

  constructor(private readonly pool: Pool, private readonly logger: Logger, options: Partial<PruneOptions> = {}) {
    this.options = { ...DEFAULT_PRUNE_OPTIONS, ...options };
    this.timer = new IntervalJob(this.options.intervalMs, () => this.run());
  }

  start(): void {
    this.timer.start();
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }

  /** One run; resolves with the events removed. */
  async run(): Promise<number> {
    let removed = 0;
    try {
      for (let k = 0; k < this.options.maxBatchesPerRun && !this.timer.stopped; k++) {
        const n = await pruneOutbox(this.pool, this.options);
        removed += n;
        if (n < this.options.batchSize) break;
      }
      if (removed > 0) this.logger.info({ removed, retentionHours: this.options.retentionHours }, 'pruned old outbox events');
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox pruning failed; retrying at the next interval');
    }
    return removed;
  }
}
