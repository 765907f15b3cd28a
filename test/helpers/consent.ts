import type { Pool } from 'pg';

export interface EventSpec {
  identityId: string;
  kind?: 'SOCIAL' | 'CONTACT';
  purpose?: 'SERVICE' | 'MARKETING' | 'PROFILING';
  status: 'GRANTED' | 'DENIED' | 'REVOKED';
  recordedAt?: Date;
  expiresAt?: Date | null;
  wording?: string | null;
}

/**
 * Writes consent events straight into the ledger in one statement (the trigger keeps
 * consent_current), for tests that need past or expired decisions the API refuses to write.
 */
export async function insertConsentEvents(pool: Pool, events: EventSpec[]): Promise<void> {
  if (events.length === 0) return;
  await pool.query(
    `INSERT INTO consent_events (customer_id, social_identity_id, contact_point_id, purpose, status, source, recorded_by, recorded_at, expires_at, wording)
     SELECT coalesce(s.customer_id, cp.customer_id), s.id, cp.id, e.purpose, e.status, 'IMPORT', 'test', e.recorded_at, e.expires_at, e.wording
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
            WITH ORDINALITY AS e(identity_id, kind, purpose, status, recorded_at, expires_at, wording, n)
       LEFT JOIN social_identities s ON e.kind = 'SOCIAL' AND s.id = e.identity_id
       LEFT JOIN contact_points cp ON e.kind = 'CONTACT' AND cp.id = e.identity_id
      ORDER BY e.n`,
    [
      events.map((e) => e.identityId),
      events.map((e) => e.kind ?? 'SOCIAL'),
      events.map((e) => e.purpose ?? 'MARKETING'),
      events.map((e) => e.status),
      events.map((e) => e.recordedAt ?? new Date()),
      events.map((e) => e.expiresAt ?? null),
      events.map((e) => e.wording ?? null),
    ],
  );
}

/** Ids of a customer's contact points by value. */
export async function contactPointIds(pool: Pool, customerId: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ id: string; value: string }>(`SELECT id, value FROM contact_points WHERE customer_id = $1`, [customerId]);
  return Object.fromEntries(rows.map((r) => [r.value, r.id]));
}
