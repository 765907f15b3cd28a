/** Columns of an InfluenceScore (table alias x). */
export const INFLUENCE_COLUMNS = `x.customer_id AS "customerId", x.score::numeric::float8 AS score, x.topic, x.platform, x.source,
  x.measured_at AS "measuredAt", x.computed, x.flagged`;

/**
 * Customers ($1 uuid[]) that hold at least one identity (social identity or contact point)
 * whose newest PROFILING event is an unexpired GRANTED.
 */
export const PROFILING_CONSENTED_SQL = `
  SELECT DISTINCT owner AS "customerId" FROM (
    SELECT DISTINCT ON (coalesce(e.social_identity_id, e.contact_point_id))
           coalesce(si.customer_id, cp.customer_id) AS owner, e.status, e.expires_at
      FROM consent_events e
      LEFT JOIN social_identities si ON si.id = e.social_identity_id
      LEFT JOIN contact_points cp ON cp.id = e.contact_point_id
     WHERE e.purpose = 'PROFILING'
       AND (si.customer_id = ANY($1::uuid[]) OR cp.customer_id = ANY($1::uuid[]))
     ORDER BY coalesce(e.social_identity_id, e.contact_point_id), e.recorded_at DESC, e.id DESC
  ) cur
  WHERE cur.status = 'GRANTED' AND (cur.expires_at IS NULL OR cur.expires_at > now())`;
