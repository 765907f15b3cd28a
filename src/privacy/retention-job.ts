import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { IntervalJob } from '../common';
import { runRetentionBatch } from './retention.service';

export interface RetentionJobOptions {
  /** How often the job looks whether a run is due (runs start at most daily) or one is unfinished. */
  intervalMs: number;
  /** Conversations or customers per batch (one transaction each). */
  batchSize: number;
  /** Batches per tick at most, so one tick stays bounded however far behind the run is. */
  maxBatchesPerTick: number;
}

export const DEFAULT_RETENTION_OPTIONS: RetentionJobOptions = { intervalMs: 3_600_000, batchSize: 100, maxBatchesPerTick: 500 };

/**
 * The daily retention job (as OutboxPruner and ProfilingExpiryJob: a timer per process, the
 * work serialised in the database): each tick runs batches of runRetentionBatch until the run
 * is done, logging each batch and counting on /metrics. Any number of processes may run it.
 * Usage: `const job = new RetentionJob(dataSource, logger, registry); job.start(); ... await job.stop()`
 */
export class RetentionJob {
  private readonly options: RetentionJobOptions;
  private readonly counted: Counter<'applied'>;
  private readonly timer: IntervalJob;

  constructor(private readonly dataSource: DataSource, private readonly logger: Logger, registry: Registry, options: Partial<RetentionJobOptions> = {}) {
    this.options = { ...DEFAULT_RETENTION_OPTIONS, ...options };
    this.counted = new Counter({
      name: 'social_crm_retention_applied_total',
      help: 'Retention applied by this process: conversations redacted, customers anonymised, batches committed',
      labelNames: ['applied'], registers: [registry],
    });
    this.timer = new IntervalJob(this.options.intervalMs, () => this.tick(new Date()));
  }

  start(): void {
    this.timer.start();
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }

  /** One tick: batches until the run is done, nothing is due, or the bound is reached. */
  async tick(now: Date): Promise<void> {
    try {
      for (let k = 0; k < this.options.maxBatchesPerTick && !this.timer.stopped; k++) {
        const batch = await runRetentionBatch(this.dataSource, { batchSize: this.options.batchSize, now });
        if (batch.runId !== null) {
          this.counted.inc({ applied: 'batches' });
          this.counted.inc({ applied: 'conversations' }, batch.conversationsRedacted);
          this.counted.inc({ applied: 'customers' }, batch.customersAnonymised);
          this.logger.info({ run: batch.runId, phase: batch.state, conversationsRedacted: batch.conversationsRedacted, customersAnonymised: batch.customersAnonymised, done: batch.done }, 'retention batch applied');
        }
        if (batch.done) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'retention batch failed; the run resumes at the next tick');
    }
  }
}
