import type { EntityManager } from 'typeorm';
import { recordAudits } from '../audit/audit-log';
import { EventType } from '../events/event-types';
import { emit, type EventSink } from '../events/outbox';

export interface NewEscalation {
  id: string;
  customerId: string;
  interactionId: string;
  team: string;
  reason: string;
  automatic: boolean;
  createdBy: string;
}

/**
 * Writes escalations in one statement, and their audit entries in one more (the reason stays out: free text),
 * with an ESCALATION_RAISED event each (to `events` when the caller collects its transaction's events).
 */
export async function insertEscalations(m: EntityManager, rows: NewEscalation[], events?: EventSink): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO escalations (id, customer_id, interaction_id, team, reason, automatic, created_by)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::boolean[], $7::text[])`,
    [rows.map((r) => r.id), rows.map((r) => r.customerId), rows.map((r) => r.interactionId), rows.map((r) => r.team),
      rows.map((r) => r.reason), rows.map((r) => r.automatic), rows.map((r) => r.createdBy)],
  );
  await recordAudits(m, rows.map((r) => ({
    actor: r.createdBy,
    action: 'ESCALATED' as const,
    subject: r.customerId,
    details: { escalationId: r.id, interactionId: r.interactionId, team: r.team, automatic: r.automatic },
  })));
  await emit(m, events, rows.map((r) => ({
    type: EventType.ESCALATION_RAISED,
    customerId: r.customerId,
    data: { escalationId: r.id, interactionId: r.interactionId, customerId: r.customerId, team: r.team, automatic: r.automatic },
  })));
}
