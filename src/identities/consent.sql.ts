// The consent rules as SQL text, apart from the ledger's writers: migration
// 1795890000000-ConsentAtTheRead builds a function from customerGrantedNowSql, and a migration may
// only load files that load no other folder (db/data-source.ts loads the migrations: a cycle otherwise).

/**
 * SQL ORDER BY of one identity's decisions for one purpose, the one that counts first: the one
 * the customer gave last (effective_at), then the one written last. consent_current's trigger
 * (migration 1795891000000-ConsentEffectiveAt) ranks by the same.
 */
export const CONSENT_NEWEST_FIRST = 'effective_at DESC, recorded_at DESC, id DESC';

/**
 * SQL condition on consent_events: the decision was known at `asOf` (an SQL timestamptz
 * expression): recorded by then. The state as of an instant reads only these, so nothing written
 * later, however it is dated, changes what was allowed then.
 */
export const knownAtSql = (asOf: string) => `recorded_at <= ${asOf}`;

/**
 * THE consent state at an instant, as rows: the newest decision per (identity, purpose) known at
 * `asOf` (an SQL timestamptz expression; null: now), a grant whose expiry has passed by then
 * reading EXPIRED. `identities`: the condition on `column` (`= ANY($1::uuid[])` for the loaders,
 * `= cp.id` for the compiled customer 360), so both read one definition.
 */
export function consentStatesSql(column: 'social_identity_id' | 'contact_point_id', identities: string, asOf: string | null): string {
  return `SELECT DISTINCT ON (${column}, purpose) ${column} AS "identityId", purpose,
         CASE WHEN status = 'GRANTED' AND expires_at <= ${asOf ?? 'now()'} THEN 'EXPIRED' ELSE status END AS status,
         recorded_at AS "recordedAt", source, recorded_by AS "recordedBy", expires_at AS "expiresAt"
    FROM consent_events
   WHERE ${column} ${identities}${asOf ? ` AND ${knownAtSql(asOf)}` : ''}
   ORDER BY ${column}, purpose, ${CONSENT_NEWEST_FIRST}`;
}

/**
 * SQL: the consent_current row `alias` (the newest decision per identity and purpose, kept by
 * a trigger on the ledger) allows use now: GRANTED and not expired. Segments, the influence
 * scorer and anything else that asks "may we?" use this one rule.
 */
export function grantedNowSql(alias: string): string {
  return `${alias}.status = 'GRANTED' AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > now())`;
}

/**
 * SQL condition: the customer `customer` (an SQL expression, e.g. `c.id`) holds `purpose` (an
 * SQL expression, e.g. `'PROFILING'`) now, i.e. at least one of its identities (handle, email or
 * phone) has a current decision for it that grantedNowSql allows. The one customer-level test
 * of "may we use this customer's data for this purpose at this instant": segment filters, the
 * influence reads, the care queue's rank (interaction_influence, migration
 * 1795890000000-ConsentAtTheRead) and the scorer all use it, so a withdrawal or an expiry
 * counts from the next statement on.
 * Written as nested probes with LIMIT (never pulled up into a join): per customer, its
 * identities by the customer index, then one consent_current primary-key probe each. As joins,
 * the planner guessed wrong both ways (hashing all of consent_current for 1,000 customers, or
 * scanning it per customer on a young table without statistics).
 * Usage: `WHERE ${customerGrantedNowSql('c.id', `'PROFILING'`)}`
 */
export function customerGrantedNowSql(customer: string, purpose: string): string {
  return `EXISTS (
     SELECT 1 FROM (
       SELECT id FROM social_identities WHERE customer_id = ${customer}
       UNION ALL
       SELECT id FROM contact_points WHERE customer_id = ${customer}
     ) granted_ids
     CROSS JOIN LATERAL (
       SELECT 1 FROM consent_current cur WHERE cur.identity_id = granted_ids.id AND cur.purpose = ${purpose} AND ${grantedNowSql('cur')} LIMIT 1
     ) granted_now
     LIMIT 1)`;
}
