import { grantedNowSql } from '../identities/consent-ledger';

/** Columns of an InfluenceScore (table alias x). */
export const INFLUENCE_COLUMNS = `x.customer_id AS "customerId", x.score::numeric::float8 AS score, x.topic, x.platform, x.source,
  x.measured_at AS "measuredAt", x.computed, x.flagged`;

/**
 * Customers ($1 uuid[]) that hold at least one identity (social identity or contact point)
 * whose current PROFILING decision allows use now.
 */
export const PROFILING_CONSENTED_SQL = `
  SELECT DISTINCT i.customer_id AS "customerId" FROM (
    SELECT id, customer_id FROM social_identities WHERE customer_id = ANY($1::uuid[])
    UNION ALL
    SELECT id, customer_id FROM contact_points WHERE customer_id = ANY($1::uuid[])
  ) i
  JOIN consent_current cur ON cur.identity_id = i.id AND cur.purpose = 'PROFILING' AND ${grantedNowSql('cur')}`;
