import type { EntityManager } from 'typeorm';

/** What happened to an interaction; the history is append-only. */
export type HistoryEvent = 'ESCALATED' | 'ESCALATION_RESOLVED' | 'RESPONDED' | 'RESOLVED' | 'REOPENED' | 'TAKEN_OFFLINE' | 'SNOOZED';

export interface HistoryEntry {
  customerId: string;
  interactionId: string;
  event: HistoryEvent;
  fromStatus: string | null;
  toStatus: string | null;
  detail: string;
  escalationId?: string | null;
  actor: string;
  at?: Date;
}

/**
 * Appends history entries in one statement.
 * Usage: `await appendHistory(m, [{ customerId, interactionId, event: 'ESCALATED', fromStatus: 'OPEN', toStatus: 'ESCALATED', detail, actor }])`
 */
export async function appendHistory(m: EntityManager, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await m.query(
    `INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, escalation_id, actor, at)
     SELECT c, i, e, f, t, d, x, a, coalesce(at, now())
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::timestamptz[])
         AS h(c, i, e, f, t, d, x, a, at)`,
    [
      entries.map((h) => h.customerId), entries.map((h) => h.interactionId), entries.map((h) => h.event),
      entries.map((h) => h.fromStatus), entries.map((h) => h.toStatus), entries.map((h) => h.detail),
      entries.map((h) => h.escalationId ?? null), entries.map((h) => h.actor), entries.map((h) => h.at ?? null),
    ],
  );
}
