import type { Pool } from 'pg';
import { EventType, appendEvents, type NewEvent } from '../../events';
import type { Logger } from '../../logger';
import { IntervalJob } from '../../common';
import { queued } from './queue-membership';

export interface SlaSweepOptions {
  /** How often the sweep looks for items that passed their due time. */
  intervalMs: number;
  /** At most this many escalations and this many interactions per transaction; a run repeats full batches. */
  batchSize: number;
}

const DEFAULT_SLA_SWEEP_OPTIONS: SlaSweepOptions = { intervalMs: 30_000, batchSize: 1_000 };

/**
 * A breach is "due time passed, nobody answered": the predicate of `isSlaBreached` (sla.ts) and
 * Escalation.breached. An interaction raises it only while it is in the care queue (`queued`, the
 * one membership rule): one kept out by a filter rule is nobody's to answer, and an escalated one
 * is its escalation's to breach.
 */
const BREACHED_ESCALATIONS = `
  UPDATE escalations e SET breach_notified_at = now()
   WHERE e.id IN (SELECT x.id FROM escalations x
                   WHERE x.breach_notified_at IS NULL AND x.acknowledged_at IS NULL AND x.resolved_at IS NULL AND x.due_at <= now()
                   ORDER BY x.due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     AND e.breach_notified_at IS NULL
  RETURNING e.id, e.customer_id AS "customerId", e.interaction_id AS "interactionId", e.team, e.due_at AS "dueAt"`;

const BREACHED_INTERACTIONS = `
  UPDATE interactions i SET breach_notified_at = now()
   WHERE i.id IN (SELECT x.id FROM interactions x
                   WHERE x.breach_notified_at IS NULL AND x.responded_at IS NULL AND x.resolved_at IS NULL
                     AND x.sla_due_at IS NOT NULL AND x.sla_due_at <= now() AND ${queued('x')}
                   ORDER BY x.sla_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     AND i.breach_notified_at IS NULL
  RETURNING i.id, i.customer_id AS "customerId", i.sla_due_at AS "dueAt"`;

/**
 * One pass: marks escalations and inbound interactions that passed their due time unanswered
 * (`breach_notified_at`) and appends one SLA_BREACHED each, in the same transaction. The mark is
 * a conditional UPDATE: rows another sweep holds are skipped, rows it marked are no longer
 * selected, so any number of processes emit each breach once. Returns what it marked.
 * Usage: `await sweepSlaBreaches(pool, 1000)`
 */
export async function sweepSlaBreaches(pool: Pool, batchSize = DEFAULT_SLA_SWEEP_OPTIONS.batchSize): Promise<{ escalations: number; interactions: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: escalations } = await client.query<{ id: string; customerId: string; interactionId: string; team: string; dueAt: Date }>(
      BREACHED_ESCALATIONS, [batchSize]);
    const { rows: interactions } = await client.query<{ id: string; customerId: string; dueAt: Date }>(BREACHED_INTERACTIONS, [batchSize]);
    const events: NewEvent[] = [
      ...escalations.map((e): NewEvent => ({
        type: EventType.SLA_BREACHED, customerId: e.customerId,
        data: { kind: 'ESCALATION', escalationId: e.id, interactionId: e.interactionId, customerId: e.customerId, team: e.team, dueAt: e.dueAt.toISOString() },
      })),
      ...interactions.map((i): NewEvent => ({
        type: EventType.SLA_BREACHED, customerId: i.customerId,
        data: { kind: 'INTERACTION', interactionId: i.id, customerId: i.customerId, dueAt: i.dueAt.toISOString() },
      })),
    ];
    await appendEvents(client, events);
    await client.query('COMMIT');
    return { escalations: escalations.length, interactions: interactions.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The periodic job around sweepSlaBreaches; any number of processes may run it.
 * Usage: `const sweep = new SlaBreachSweep(pool, logger); sweep.start(); ... await sweep.stop()`
 */
export class SlaBreachSweep {
  private readonly batchSize: number;
  private readonly job: IntervalJob;

  constructor(private readonly pool: Pool, private readonly logger: Logger, options: Partial<SlaSweepOptions> = {}) {
    const { intervalMs, batchSize } = { ...DEFAULT_SLA_SWEEP_OPTIONS, ...options };
    this.batchSize = batchSize;
    this.job = new IntervalJob(intervalMs, () => this.run());
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** Full batches until a short one: a backlog (after an outage) drains in one run. */
  private async run(): Promise<void> {
    try {
      while (!this.job.stopped) {
        const marked = await sweepSlaBreaches(this.pool, this.batchSize);
        if (marked.escalations > 0 || marked.interactions > 0) this.logger.info(marked, 'SLA breaches notified');
        if (marked.escalations < this.batchSize && marked.interactions < this.batchSize) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'SLA sweep failed; retrying at the next interval');
    }
  }
}
