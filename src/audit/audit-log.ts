import { currentRequestId } from '../http/metrics';

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
  const actor = typeof entry.actor === 'string' ? { sub: entry.actor, roles: [] as string[] } : entry.actor;
  await m.query(
    `INSERT INTO audit_log (actor, actor_roles, action, subject, request_id, details) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      actor.sub,
      [...(actor.roles ?? [])].sort(),
      entry.action,
      entry.subject ?? null,
      entry.requestId ?? currentRequestId() ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
