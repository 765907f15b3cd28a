import type { EntityManager } from 'typeorm';
import { recordAudits } from '../../audit';
import { appendHistory, ESCALATION_COLUMNS } from '../../interactions';
import { EventType, emit, type EventSink } from '../../events';
import { addBusinessMinutes } from '../rules';
import type { OpeningHours } from '../rules';
import type { Escalation } from '../../interactions';

/** An escalation to raise on an interaction, by a person (the desk) or a rule (ingestion: churn, topic bursts). */
export interface NewEscalation {
  id: string;
  customerId: string;
  interactionId: string;
  team: string;
  reason: string;
  automatic: boolean;
  /** The token's subject, or `rule:<name>`: the escalation's author, its audit actor and its history actor. */
  createdBy: string;
  /** The interaction's status as the caller holds it (a locked row), when it knows it. */
  statusBefore?: string;
  /** The caller wrote the interaction ESCALATED itself (ingestion's churn rule, in the INSERT): no status change here. */
  writtenEscalated?: boolean;
  /** The request that wrote the interaction, when it is not the one running (a coalesced batch): its audit entry names it. */
  requestId?: string;
}

/**
 * The one writer of escalations. In the caller's transaction: the escalation rows, their
 * audit entries (the reason stays out: free text), the interactions moved to ESCALATED
 * (open or answered ones; a resolved interaction keeps its status), and one history entry
 * per escalation, and an ESCALATION_RAISED event each (to `events` when the caller collects its
 * transaction's events). A constant number of statements for any number of escalations.
 * Returns the interactions this call made ESCALATED, and the escalations as written (the desk's answer).
 * `due`: the rows' teams' DueInputs when the caller read them in this transaction (dueInputsSql).
 */
export async function raiseEscalations(
  m: EntityManager, rows: NewEscalation[], events?: EventSink, due?: DueInputs,
): Promise<{ escalated: Set<string>; written: Escalation[] }> {
  if (rows.length === 0) return { escalated: new Set(), written: [] };
  const dueAt = await dueTimes(m, [...new Set(rows.map((r) => r.team))], due);
  const written: Escalation[] = await m.query(
    `INSERT INTO escalations AS e (id, customer_id, interaction_id, team, reason, automatic, created_by, due_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::timestamptz[])
     RETURNING ${ESCALATION_COLUMNS}`,
    [rows.map((r) => r.id), rows.map((r) => r.customerId), rows.map((r) => r.interactionId), rows.map((r) => r.team),
      rows.map((r) => r.reason), rows.map((r) => r.automatic), rows.map((r) => r.createdBy), rows.map((r) => dueAt.get(r.team) ?? null)],
  );
  await recordAudits(m, rows.map((r) => ({
    actor: r.createdBy,
    action: 'ESCALATED' as const,
    subject: r.customerId,
    requestId: r.requestId,
    details: { escalationId: r.id, interactionId: r.interactionId, team: r.team, automatic: r.automatic },
  })));
  await emit(m, events, rows.map((r) => ({
    type: EventType.ESCALATION_RAISED,
    customerId: r.customerId,
    data: { escalationId: r.id, interactionId: r.interactionId, customerId: r.customerId, team: r.team, automatic: r.automatic },
  })));
  const toUpdate = [...new Set(rows.filter((r) => !r.writtenEscalated).map((r) => r.interactionId))];
  const from = new Map<string, string>();
  if (toUpdate.length > 0) {
    // TypeORM answers an UPDATE with [rows, count]. The self-join reads each row as it was
    // before this UPDATE (RETURNING old.* needs PostgreSQL 18).
    const [changed]: [{ id: string; from: string }[], number] = await m.query(
      `UPDATE interactions i SET status = 'ESCALATED' FROM unnest($1::uuid[]) AS b(id), interactions before
        WHERE i.id = b.id AND before.id = i.id AND i.status IN ('OPEN', 'RESPONDED')
        RETURNING i.id, before.status AS from`,
      [toUpdate],
    );
    for (const c of changed) from.set(c.id, c.from);
  }
  const escalated = new Set([...from.keys(), ...rows.filter((r) => r.writtenEscalated).map((r) => r.interactionId)]);
  await appendHistory(m, rows.map((r) => {
    const moved = r.writtenEscalated || from.has(r.interactionId);
    return {
      customerId: r.customerId, interactionId: r.interactionId, event: 'ESCALATED' as const,
      fromStatus: from.get(r.interactionId) ?? r.statusBefore ?? null,
      toStatus: moved ? 'ESCALATED' : r.statusBefore ?? null,
      detail: `to ${r.team}: ${r.reason}`, escalationId: r.id, actor: r.createdBy,
    };
  }));
  return { escalated, written };
}

/** What the due times of escalations raised now are computed from: the transaction's now() and the teams' targets. */
export interface DueInputs {
  now: Date | string;
  targets: { team: string; minutes: number; timeZone: string; weekly: OpeningHours[] | null }[];
}

/**
 * DueInputs for the teams in the text[] parameter `param`, as SQL columns "now" and "targets",
 * for a caller to read in a statement it sends anyway and hand to raiseEscalations.
 * Usage: `` m.query(`SELECT ${dueInputsSql('$1')}`, [teams]) ``
 */
export const dueInputsSql = (param: string) =>
  `now() AS now, coalesce((SELECT json_agg(json_build_object('team', t.team, 'minutes', t.response_minutes, 'timeZone', h.time_zone, 'weekly', h.weekly))
                             FROM care_escalation_targets t JOIN care_business_hours h ON h.name = t.business_hours
                            WHERE t.team = ANY(${param}::text[])), '[]') AS targets`;

/**
 * The due time of an escalation raised now, per team: the transaction's now() (the rows'
 * created_at) plus the team's target in care_escalation_targets, counted in the target's
 * business hours. A team without a target row has no due time (never breached).
 */
async function dueTimes(m: EntityManager, teams: string[], read?: DueInputs): Promise<Map<string, Date>> {
  const [{ now, targets }]: DueInputs[] = read ? [read] : await m.query(`SELECT ${dueInputsSql('$1')}`, [teams]);
  return new Map(targets.map((t) => [t.team, addBusinessMinutes(new Date(now), t.minutes, t)]));
}

/**
 * An escalation ends with its interaction: when a desk path resolves interactions, their open
 * escalations are resolved in the same transaction (audited, ESCALATION_RESOLVED, history), so
 * no worklist keeps work that is done. One statement per step for any number of interactions.
 */
export async function resolveEscalationsWithInteractions(m: EntityManager, interactionIds: string[], by: string): Promise<void> {
  if (interactionIds.length === 0) return;
  const [resolved]: [{ id: string; customerId: string; interactionId: string; team: string }[], number] = await m.query(
    `UPDATE escalations e SET resolved_at = now(), resolution = 'resolved with the interaction', resolved_by = $2
      WHERE e.interaction_id = ANY($1::uuid[]) AND e.resolved_at IS NULL
     RETURNING e.id, e.customer_id AS "customerId", e.interaction_id AS "interactionId", e.team`,
    [interactionIds, by],
  );
  if (resolved.length === 0) return;
  await recordAudits(m, resolved.map((e) => ({
    actor: by, action: 'ESCALATION_RESOLVED' as const, subject: e.customerId,
    details: { escalationId: e.id, interactionId: e.interactionId, team: e.team, withInteraction: true },
  })));
  await emit(m, undefined, resolved.map((e) => ({
    type: EventType.ESCALATION_RESOLVED,
    customerId: e.customerId,
    data: { escalationId: e.id, interactionId: e.interactionId, customerId: e.customerId, team: e.team },
  })));
  await appendHistory(m, resolved.map((e) => ({
    customerId: e.customerId, interactionId: e.interactionId, event: 'ESCALATION_RESOLVED' as const, fromStatus: 'RESOLVED', toStatus: 'RESOLVED',
    detail: `${e.team}: resolved with the interaction`, escalationId: e.id, actor: by,
  })));
}
