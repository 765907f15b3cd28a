import { currentRequestId } from '../common';

/**
 * What the audit log records. Other features add their action here when they start
 * writing one (upper snake case; the table's CHECK enforces the form).
 */
export const AUDIT_ACTIONS = [
  'ACCESS_DENIED',
  'CONSENT_CHANGED',
  'CUSTOMERS_MERGED',
  'MERGE_UNDONE',
  'CUSTOMER_ERASED',
  'CUSTOMER_EXPORTED',
  'ESCALATED',
  'ESCALATION_RESOLVED',
  'CONSENT_LEDGER_REWRITTEN',
  'AGENT_SET',
  'INCIDENT_OPENED',
  'INCIDENT_NOTICE_SENT',
  'INCIDENT_RESOLVED',
  'SEGMENT_EXPORTED',
  'WEBHOOK_REGISTERED',
  'WEBHOOK_DELETED',
  'WEBHOOK_EVENTS_REDELIVERED',
  'DO_NOT_ENGAGE_RULE_SET',
  'RETENTION_POLICY_SET',
  'RETENTION_CONVERSATIONS_REDACTED',
  'IDENTIFIER_BLOCKED',
  'IDENTIFIER_UNBLOCKED',
  'IDENTIFIER_DETACHED',
  'OPT_OUT_KEYWORDS_SET',
  'ESCALATION_ACKNOWLEDGED',
  'INCIDENT_BROADCAST',
  'SEGMENT_SAVED',
  'SEGMENT_DELETED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** Who: the viewer (its sub and roles are kept), or a system name such as `rule:churn`. */
  actor: { readonly sub: string; readonly roles?: Iterable<string> } | string;
  action: AuditAction;
  /** What it was done to: a customer id for changes to a customer, or a schema coordinate (`Query.auditLog`) for refusals. */
  subject?: string | null;
  /** Ids, codes and counts only, never personal data: erasure does not rewrite this table. */
  details?: Record<string, unknown>;
  /** Defaults to the id of the request being answered. */
  requestId?: string | null;
}

/** Anything with `query(sql, params)`: a TypeORM EntityManager inside a transaction, a pg Pool or client. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Appends one audit entry. Call it with the transaction's manager so the entry commits or
 * rolls back with the change it describes.
 * Usage: `await dataSource.transaction(async (m) => { ...; await recordAudit(m, { actor: viewer, action: 'CUSTOMERS_MERGED', subject: survivorId, details: { mergedId } }); })`
 */
export async function recordAudit(m: Queryable, entry: AuditEntry): Promise<void> {
  await recordAudits(m, [entry]);
}

/** Several entries in one statement (bulk paths, e.g. the escalations of one ingestion call). */
export async function recordAudits(m: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const requestId = currentRequestId() ?? null;
  const actors = entries.map((e) => (typeof e.actor === 'string' ? { sub: e.actor, roles: [] as string[] } : e.actor));
  await m.query(
    `INSERT INTO audit_log (actor, actor_roles, action, subject, request_id, details)
     SELECT a, coalesce(string_to_array(r, ','), '{}'), ac, s, q, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(a, r, ac, s, q, d)`,
    [
      actors.map((a) => a.sub),
      // Role names are [a-z]+, so a comma-joined list round-trips; an empty one becomes '{}'.
      actors.map((a) => [...(a.roles ?? [])].sort().join(',') || null),
      entries.map((e) => e.action),
      entries.map((e) => e.subject ?? null),
      entries.map((e) => e.requestId ?? requestId),
      entries.map((e) => JSON.stringify(e.details ?? {})),
    ],
  );
}

/** How many ACCESS_DENIED entries one token subject writes per window; the rest are counted only. */
export interface DenialBound {
  perWindow: number;
  windowSeconds: number;
}

export const DEFAULT_DENIAL_BOUND: DenialBound = Object.freeze({ perWindow: 20, windowSeconds: 60 });

/**
 * One ACCESS_DENIED entry, bounded per subject and window: the attempt is always counted in
 * audit_denial_windows, and becomes an audit_log entry only while the subject's count in the
 * window is within `bound.perWindow`. One statement, so concurrent requests and every
 * instance share the bound. Returns whether the entry was written (false: counted only).
 * Usage: `await recordBoundedDenial(pool, { actor: viewer, subject: 'Query.auditLog' }, DEFAULT_DENIAL_BOUND)`
 */
export async function recordBoundedDenial(m: Queryable, entry: Omit<AuditEntry, 'action'>, bound: DenialBound): Promise<boolean> {
  const actor = typeof entry.actor === 'string' ? { sub: entry.actor, roles: [] as string[] } : entry.actor;
  const result = (await m.query(
    `WITH counted AS (
       INSERT INTO audit_denial_windows AS w (actor, window_start, attempts)
       VALUES ($1, date_bin(make_interval(secs => $7), now(), timestamptz 'epoch'), 1)
       ON CONFLICT (actor, window_start) DO UPDATE SET attempts = w.attempts + 1
       RETURNING attempts
     )
     INSERT INTO audit_log (actor, actor_roles, action, subject, request_id, details)
     SELECT $1, coalesce(string_to_array($2, ','), '{}'), 'ACCESS_DENIED', $3, $4, $5::jsonb
       FROM counted WHERE attempts <= $6
     RETURNING id`,
    [
      actor.sub,
      [...(actor.roles ?? [])].sort().join(',') || null,
      entry.subject ?? null,
      entry.requestId ?? currentRequestId() ?? null,
      JSON.stringify(entry.details ?? {}),
      bound.perWindow,
      bound.windowSeconds,
    ],
  )) as unknown[] | { rows: unknown[] };
  // A pg Pool answers { rows }, a TypeORM manager the rows themselves.
  return (Array.isArray(result) ? result : result.rows).length > 0;
}
