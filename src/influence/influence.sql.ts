import { grantedNowSql } from '../identities/consent-ledger';

/** Columns of an InfluenceScore (table alias x). */
export const INFLUENCE_COLUMNS = `x.customer_id AS "customerId", x.score::numeric::float8 AS score, x.topic, x.platform, x.source,
  x.measured_at AS "measuredAt", x.computed, x.flagged`;

/**
 * Customers ($1 uuid[]) that hold at least one identity (social identity or contact point)
 * whose current PROFILING decision allows use now. Written as nested LATERAL probes so the
 * only plan is: per customer, its identities by the customer index, then per identity one
 * consent_current primary-key probe. As joins, the planner guessed wrong both ways: on a big
 * database it hashed all of consent_current (59 ms instead of 7 for 1,000 customers of
 * 100,000), on a young table without statistics it scanned it per customer (1 s per call).
 */
export const PROFILING_CONSENTED_SQL = `
  SELECT c.id AS "customerId" FROM unnest($1::uuid[]) AS c(id)
   CROSS JOIN LATERAL (
     SELECT 1 FROM (
       SELECT id FROM social_identities WHERE customer_id = c.id
       UNION ALL
       SELECT id FROM contact_points WHERE customer_id = c.id
     ) i
     CROSS JOIN LATERAL (
       SELECT 1 FROM consent_current cur WHERE cur.identity_id = i.id AND cur.purpose = 'PROFILING' AND ${grantedNowSql('cur')} LIMIT 1
     ) granted
     LIMIT 1
   ) consented`;
