import { grantedNowSql } from '../identities/consent-ledger';

/** Columns of an InfluenceScore (table alias x). */
export const INFLUENCE_COLUMNS = `x.customer_id AS "customerId", x.score::numeric::float8 AS score, x.topic, x.platform, x.source,
  x.measured_at AS "measuredAt", x.computed, x.flagged`;

/**
 * Customers ($1 uuid[]) that hold at least one identity (social identity or contact point)
 * whose current PROFILING decision allows use now. One probe per customer through the
 * customer and consent indexes: as a join, the planner guessed a few identities too many
 * per customer and hashed all of consent_current instead (59 ms instead of 6 for 1,000
 * customers in a 100,000-customer database).
 */
export const PROFILING_CONSENTED_SQL = `
  SELECT c.id AS "customerId" FROM unnest($1::uuid[]) AS c(id)
   CROSS JOIN LATERAL (
     SELECT 1 FROM social_identities i JOIN consent_current cur ON cur.identity_id = i.id
      WHERE i.customer_id = c.id AND cur.purpose = 'PROFILING' AND ${grantedNowSql('cur')}
     UNION ALL
     SELECT 1 FROM contact_points i JOIN consent_current cur ON cur.identity_id = i.id
      WHERE i.customer_id = c.id AND cur.purpose = 'PROFILING' AND ${grantedNowSql('cur')}
     LIMIT 1
   ) granted`;
