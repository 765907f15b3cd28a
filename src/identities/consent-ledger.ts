import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditEntry } from '../audit';
import type { ConsentPurpose, Touchpoint } from '../graphql';
import { EventType, emit, type EventSink } from '../events';

/** A consent decision to append to the ledger; the ledger is never updated in place. */
export interface ConsentEventInput {
  customerId: string;
  socialIdentityId?: string | null;
  contactPointId?: string | null;
  purpose: ConsentPurpose;
  status: 'GRANTED' | 'DENIED' | 'REVOKED';
  source: Touchpoint;
  recordedBy: string;
  wording?: string | null;
  /** Version of the wording the customer saw (e.g. "privacy-2026-03"). */
  wordingVersion?: string | null;
  expiresAt?: Date | null;
  /**
   * When the customer gave it (a touchpoint's occurredAt); default: the write's own time. The
   * ledger's recorded_at is always the write's now(): the caller cannot date it.
   */
  effectiveAt?: Date | null;
  /** The inbound message the decision came from (an opt-out keyword); one decision per message. */
  interactionId?: string | null;
}

/**
 * Appends consent events (append-only history: the current state is the decision the customer
 * gave last, CONSENT_NEWEST_FIRST in consent.sql.ts), and one CONSENT_CHANGED outbox event per decision (to `sink`
 * when the caller collects them). Answers the time the ledger recorded them (the transaction's now()).
 * Usage: `await appendConsentEvents(manager, [{ customerId, socialIdentityId, purpose: 'MARKETING', ... }])`
 */
export async function appendConsentEvents(m: EntityManager, events: ConsentEventInput[], sink?: EventSink): Promise<Date | null> {
  if (events.length === 0) return null;
  await emit(m, sink, events.map((e) => ({
    type: EventType.CONSENT_CHANGED,
    customerId: e.customerId,
    data: {
      customerId: e.customerId, socialIdentityId: e.socialIdentityId ?? null, contactPointId: e.contactPointId ?? null,
      purpose: e.purpose, status: e.status, source: e.source, expiresAt: e.expiresAt ?? null,
    },
  })));
  // recorded_at is left to its default, now(): the service's time, never the caller's.
  const recorded: { recordedAt: Date }[] = await m.query(
    `INSERT INTO consent_events
       (customer_id, social_identity_id, contact_point_id, purpose, status, source, recorded_by, wording, expires_at, effective_at,
        wording_version, interaction_id)
     SELECT u.c, u.s, u.p, u.pu, u.st, u.so, u.rb, u.w, u.e, coalesce(u.ef, now()), u.wv, u.i
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::timestamptz[], $10::timestamptz[], $11::text[], $12::uuid[]) AS u(c, s, p, pu, st, so, rb, w, e, ef, wv, i)
     RETURNING recorded_at AS "recordedAt"`,
    [
      events.map((e) => e.customerId),
      events.map((e) => e.socialIdentityId ?? null),
      events.map((e) => e.contactPointId ?? null),
      events.map((e) => e.purpose),
      events.map((e) => e.status),
      events.map((e) => e.source),
      events.map((e) => e.recordedBy),
      events.map((e) => e.wording ?? null),
      events.map((e) => e.expiresAt ?? null),
      events.map((e) => e.effectiveAt ?? null),
      events.map((e) => e.wordingVersion ?? null),
      events.map((e) => e.interactionId ?? null),
    ],
  );
  return recorded[0].recordedAt;
}

/**
 * Why a ledger row may change at all (migration ConsentLedgerImmutable): a merge (or its undo)
 * moves rows to another customer, changing customer_id only; an erasure scrubs personal data
 * from the free text (wording, wording_version, recorded_by, source) only. Nothing else may
 * update consent_events, and nothing may delete from it.
 */
export type LedgerRewrite = 'merge' | 'erasure';

/**
 * The one path that changes consent_events rows: opens the trigger for `reason` for this one
 * statement (a transaction-local setting, closed again right after), and records the rewrite in
 * the audit log (CONSENT_LEDGER_REWRITTEN: reason, rows, and the caller's ids) when rows changed.
 * Answers what m.query answers for the statement (an UPDATE: [rows, rowCount]).
 * Usage: `await rewriteLedger(m, 'merge', 'UPDATE consent_events SET customer_id = $1 WHERE customer_id = $2', [a, b], { actor, subject: a })`
 */
export async function rewriteLedger(
  m: EntityManager, reason: LedgerRewrite, sql: string, params: unknown[],
  audit: { actor: AuditEntry['actor']; subject: string; details?: Record<string, unknown> },
): Promise<[unknown[], number]> {
  if (!/^\s*UPDATE\s+"?consent_events"?\s/i.test(sql)) throw new Error('rewriteLedger runs one UPDATE of consent_events');
  await m.query(`SELECT set_config('social_crm.ledger_rewrite', $1, true)`, [reason]);
  // No finally: after a failed statement the transaction is aborted and rolls back, setting and all.
  const result = (await m.query(sql, params)) as [unknown[], number];
  await m.query(`SELECT set_config('social_crm.ledger_rewrite', '', true)`);
  if (result[1] > 0) {
    await recordAudit(m, { actor: audit.actor, action: 'CONSENT_LEDGER_REWRITTEN', subject: audit.subject, details: { reason, rows: result[1], ...audit.details } });
  }
  return result;
}
