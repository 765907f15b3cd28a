import type { Pool } from 'pg';
import { carriesLabels, wantedLabels } from '../care';
import type { HandoffReasonCount } from './handoff-metrics.types';

/** Moves off channel by reason: an aggregate of conversation_handoffs (no customer is joined). */
export class HandoffMetricsService {
  constructor(private readonly pool: Pool) {}

  /** Usage: `await handoffMetrics.byReason(from, to, ['vip'])` -> [{ reason: 'SECURITY', count: 3 }, ...], most first. */
  async byReason(from: Date, to: Date, labels: readonly string[] | null): Promise<HandoffReasonCount[]> {
    const { rows } = await this.pool.query<HandoffReasonCount>(
      `SELECT h.reason_code AS reason, count(*)::int AS count FROM conversation_handoffs h
        WHERE h.handed_off_at >= $1 AND h.handed_off_at < $2
          AND ($3::text[] IS NULL OR ${carriesLabels('h.conversation_id', '$3')})
        GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST`,
      [from, to, wantedLabels(labels)]);
    return rows;
  }
}
