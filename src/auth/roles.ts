/** The roles a token may carry in its `roles` claim. */
export const ROLES = ['viewer', 'agent', 'supervisor', 'marketing', 'ingest', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role includes besides itself. Marketing and ingest stand apart on purpose:
 * marketing never reads raw customers, ingest only writes.
 */
const IMPLIES: Record<Role, readonly Role[]> = {
  viewer: [],
  agent: ['viewer'],
  supervisor: ['agent', 'viewer'],
  marketing: [],
  ingest: [],
  admin: ['viewer', 'agent', 'supervisor', 'marketing', 'ingest'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The claimed roles plus every role they imply; unknown role names are ignored. */
export function effectiveRoles(claimed: readonly unknown[]): ReadonlySet<Role> {
  const roles = new Set<Role>();
  for (const r of claimed) {
    if (!isRole(r)) continue;
    roles.add(r);
    for (const implied of IMPLIES[r]) roles.add(implied);
  }
  return roles;
}

/** Role sets used by @Authorized, named by who may call. */
export const CAN = {
  readCustomers: ['viewer'] as Role[],
  writeCare: ['agent', 'ingest'] as Role[],
  supervise: ['supervisor'] as Role[],
  /** Consented segments: marketing (MARKETING) and supervisors (SERVICE); the purpose each may use is auth/purpose-roles.ts. */
  readSegments: ['marketing', 'supervisor'] as Role[],
  readMetrics: ['supervisor', 'marketing'] as Role[],
  ingestScores: ['ingest', 'supervisor'] as Role[],
  administer: ['admin'] as Role[],
  recordTouchpoints: ['agent', 'ingest'] as Role[],
  mergeCustomers: ['supervisor'] as Role[],
  /** Consent is recorded where the customer gives it: by agents, ingestion jobs and above. */
  recordConsent: ['agent', 'ingest'] as Role[],
  /** Care desk: respond, escalate, take offline (supervisor and admin by implication). */
  workCare: ['agent'] as Role[],
  readCareRules: ['agent'] as Role[],
  workQueue: ['agent'] as Role[],
  /** A channel connector confirms that a reply was posted (recordReplyDelivery). */
  confirmDelivery: ['ingest'] as Role[],
  /** Purchases come from shop systems through ingestion jobs (admin by implication). */
  recordPurchases: ['ingest'] as Role[],
};
