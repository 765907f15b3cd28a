import type { Pool } from 'pg';
import { inTransaction } from '../db';
import type { ConsentPurpose } from '../graphql';
import type { Logger } from '../logger';
import { candidatesFor, evaluateInFull, evaluateSegment, type SegmentToEvaluate } from './saved-segment.evaluate';
import type { SegmentFilter } from './segment.inputs';

export interface SegmentWorkerOptions {
  /**
   * The pause between rounds (unless a round took a full batch). Changes gather meanwhile, and a
   * customer written many times (a burst of ingestion) is evaluated once per round, not per write.
   */
  pollMs: number;
  /** Changed-customer rows taken per transaction (deduplicated before evaluation). */
  batchSize: number;
  /** How often grants that expired (a change no write makes) mark their customers as changed. */
  expirySweepMs: number;
  /** Each saved segment is evaluated in full, with events, once it is this old (the safety net). */
  fullEvaluationMs: number;
}

export const DEFAULT_SEGMENT_WORKER_OPTIONS: SegmentWorkerOptions = {
  pollMs: 5_000,
  batchSize: 20_000,
  expirySweepMs: 30_000,
  fullEvaluationMs: 3600_000,
};

interface SegmentRow {
  id: string;
  purpose: ConsentPurpose;
  filter: Record<string, unknown>;
}

/** A stored filter back to a SegmentFilter (saved-segment.filter.ts decodeFilter, bound to the app's schema). */
export type FilterDecoder = (json: Record<string, unknown>) => SegmentFilter;

/**
 * Keeps saved segments current (docs/consent-and-segments.md, "Saved segments"). Writes mark the
 * customers they touch in segment_dirty_customers (triggers, migration SavedSegments); each
 * round takes a batch of them (SKIP LOCKED: processes take different rows), locks every saved
 * segment (in id order: evaluations of one segment never overlap, so the later reads the earlier's
 * result; a membership row's primary key already makes each change told once), evaluates each for
 * those customers only and appends the events, in one transaction. Beside that: customers
 * whose grants expired are marked every `expirySweepMs`, segments never populated are populated,
 * and a segment evaluated in full longer than `fullEvaluationMs` ago is evaluated again.
 * Any number of processes may run it.
 * Usage: `const worker = new SegmentWorker(pool, decode, logger); worker.start(); ... await worker.stop()`
 */
export class SegmentWorker {
  private readonly options: SegmentWorkerOptions;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private waker: (() => void) | null = null;
  private lastSweep = 0;

  constructor(private readonly pool: Pool, private readonly decode: FilterDecoder, private readonly logger: Logger, options: Partial<SegmentWorkerOptions> = {}) {
    this.options = { ...DEFAULT_SEGMENT_WORKER_OPTIONS, ...options };
  }

  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.waker?.();
    await this.loopDone;
    this.loopDone = null;
  }

  /**
   * Works until nothing is left: every changed customer evaluated, every segment populated, every
   * segment due for a full evaluation evaluated. Returns the rounds that did something.
   * Usage (tests): `await app.app.segments.drain()`
   */
  async drain(): Promise<number> {
    let rounds = 0;
    while ((await this.round()) && !this.stopping) rounds += 1;
    return rounds;
  }

  /** One step of work; false when there was none. */
  private async round(): Promise<boolean> {
    return (await this.step()) !== 'idle';
  }

  /** One step: 'full' when it took a whole batch of changed customers (more may be waiting). */
  private async step(): Promise<'idle' | 'some' | 'full'> {
    if (Date.now() - this.lastSweep >= this.options.expirySweepMs) {
      this.lastSweep = Date.now();
      await this.markExpired();
    }
    const taken = await this.evaluateChanged();
    if (taken >= this.options.batchSize) return 'full';
    return taken > 0 || (await this.evaluateOneInFull()) ? 'some' : 'idle';
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let step: 'idle' | 'some' | 'full' = 'idle';
      try {
        step = await this.step();
      } catch (error) {
        if (!this.stopping) this.logger.warn({ err: error }, 'segment worker: round failed; retrying');
      }
      if (step !== 'full' && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.waker = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.waker = null;
      }
    }
  }

  /** One batch of changed customers through every saved segment; returns the rows taken. */
  async evaluateChanged(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ customer_id: string }>(
        `WITH taken AS (SELECT seq FROM segment_dirty_customers ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
         DELETE FROM segment_dirty_customers d USING taken WHERE d.seq = taken.seq RETURNING d.customer_id::text`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;
      const ids = [...new Set(rows.map((r) => r.customer_id))];
      const segments = await client.query<SegmentRow>(`SELECT id, purpose, filter FROM saved_segments ORDER BY id FOR UPDATE`);
      // A segment is evaluated when some changed customer may be in it now or was in it.
      const candidates = new Map<ConsentPurpose, string[]>();
      for (const purpose of new Set(segments.rows.map((s) => s.purpose))) candidates.set(purpose, await candidatesFor(client, purpose, ids));
      const { rows: holding } = await client.query<{ id: string }>(
        `SELECT DISTINCT segment_id::text AS id FROM saved_segment_members WHERE customer_id = ANY($1::uuid[])`,
        [ids],
      );
      const held = new Set(holding.map((r) => r.id));
      let entered = 0;
      let left = 0;
      for (const segment of segments.rows) {
        const mayEnter = candidates.get(segment.purpose)!;
        if (mayEnter.length === 0 && !held.has(segment.id)) continue;
        const diff = await evaluateSegment(client, this.toEvaluate(segment), { changed: ids, candidates: mayEnter }, true);
        entered += diff.entered.length;
        left += diff.left.length;
      }
      if (entered + left > 0) this.logger.debug({ customers: ids.length, segments: segments.rowCount, entered, left }, 'saved segments updated');
      return rows.length;
    });
  }

  /**
   * The oldest segment that was never populated (populated without events: its first members are
   * the segment as saved) or evaluated in full too long ago (with events); false when none is due.
   */
  async evaluateOneInFull(): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<SegmentRow & { populated: boolean }>(
        `SELECT id, purpose, filter, evaluated_at IS NOT NULL AS populated FROM saved_segments
          WHERE evaluated_at IS NULL OR evaluated_at < now() - make_interval(secs => $1::float8 / 1000)
          ORDER BY evaluated_at NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [this.options.fullEvaluationMs],
      );
      if (rows.length === 0) return false;
      await evaluateInFull(client, this.toEvaluate(rows[0]), rows[0].populated);
      return true;
    });
  }

  /**
   * Grants expire without a write: the owners of grants that expired since the last sweeps (a
   * window of two sweeps, so one late sweep misses nothing) are marked as changed. A process that
   * was down longer is caught up by the full evaluations. Returns the customers marked.
   */
  async markExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO segment_dirty_customers (customer_id)
       SELECT DISTINCT coalesce(si.customer_id, cp.customer_id)
         FROM consent_current cur
         LEFT JOIN social_identities si ON cur.identity_kind = 'SOCIAL' AND si.id = cur.identity_id
         LEFT JOIN contact_points cp ON cur.identity_kind = 'CONTACT' AND cp.id = cur.identity_id
        WHERE EXISTS (SELECT 1 FROM saved_segments) AND cur.status = 'GRANTED'
          AND cur.expires_at <= now() AND cur.expires_at > now() - make_interval(secs => $1::float8 / 1000)
          AND coalesce(si.customer_id, cp.customer_id) IS NOT NULL`,
      [2 * this.options.expirySweepMs],
    );
    return rowCount ?? 0;
  }

  private toEvaluate(row: SegmentRow): SegmentToEvaluate {
    return { id: row.id, purpose: row.purpose, filter: this.decode(row.filter) };
  }
}
