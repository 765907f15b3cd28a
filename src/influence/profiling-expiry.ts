import type { Pool } from 'pg';
import type { Logger } from '../logger';
import { IntervalJob } from '../common';

export interface ProfilingExpiryOptions {
  /** How often the stored queue order is brought in line with expired PROFILING grants. */
  intervalMs: number;
  /** Grants that expired this long ago at most are looked at (several runs see each: re-ranking is idempotent). */
  lookBackSeconds: number;
}

export const DEFAULT_PROFILING_EXPIRY_OPTIONS: ProfilingExpiryOptions = { intervalMs: 30_000, lookBackSeconds: 3600 };

/**
 * Re-ranks the open care items of every customer whose PROFILING grant expired in the last
 * `lookBackSeconds` (interactions_requeue rewrites only the items whose rank changes, so a
 * customer who still holds another grant, or was re-ranked already, costs a read). A withdrawal
 * re-ranks in its own transaction (a trigger on the ledger); an expiry writes nothing, and the
 * queue's reasons already follow it at every read: this keeps the stored order (queue_key) in
 * line too. Returns the customers looked at.
 * Usage: `await requeueExpiredProfiling(pool, 3600)`
 */
export async function requeueExpiredProfiling(pool: Pool, lookBackSeconds: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `WITH owners AS (
       SELECT DISTINCT coalesce(si.customer_id, cp.customer_id) AS id
         FROM consent_current cur
         LEFT JOIN social_identities si ON cur.identity_kind = 'SOCIAL' AND si.id = cur.identity_id
         LEFT JOIN contact_points cp ON cur.identity_kind = 'CONTACT' AND cp.id = cur.identity_id
        WHERE cur.purpose = 'PROFILING' AND cur.status = 'GRANTED'
          AND cur.expires_at <= now() AND cur.expires_at > now() - make_interval(secs => $1::int)),
     requeued AS (SELECT interactions_requeue(ARRAY(SELECT id FROM owners WHERE id IS NOT NULL)))
     SELECT (SELECT count(*)::int FROM owners WHERE id IS NOT NULL) AS n, (SELECT count(*) FROM requeued) AS calls`,
    [lookBackSeconds],
  );
  return rows[0].n;
}

/**
 * The periodic job around requeueExpiredProfiling; any number of processes may run it.
 * Usage: `const job = new ProfilingExpiryJob(pool, logger); job.start(); ... await job.stop()`
 */
export class ProfilingExpiryJob {
  private readonly options: ProfilingExpiryOptions;
  private readonly timer: IntervalJob;

  constructor(pool: Pool, logger: Logger, options: Partial<ProfilingExpiryOptions> = {}) {
    this.options = { ...DEFAULT_PROFILING_EXPIRY_OPTIONS, ...options };
    this.timer = new IntervalJob(this.options.intervalMs, () => requeueExpiredProfiling(pool, this.options.lookBackSeconds)
      .catch((error: unknown) => logger.error({ err: error }, 'could not re-rank after expired PROFILING grants')));
  }

  start(): void {
    this.timer.start();
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }
}
