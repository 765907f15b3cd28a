import { customerGrantedNowSql } from '../identities';

/** Columns of an InfluenceScore (table alias x). */
export const INFLUENCE_COLUMNS = `x.customer_id AS "customerId", x.score::numeric::float8 AS score, x.topic, x.platform, x.source,
  x.measured_at AS "measuredAt", x.computed, x.flagged`;

/** Customers ($1 uuid[]) that hold PROFILING now (consent-ledger.ts, customerGrantedNowSql): the scorer's and the flag's test. */
export const PROFILING_CONSENTED_SQL = `
  SELECT c.id AS "customerId" FROM unnest($1::uuid[]) AS c(id) WHERE ${customerGrantedNowSql('c.id', `'PROFILING'`)}`;

/** SQL column: the score's customer (`customer`, an SQL expression) holds PROFILING now. */
export const profilingNowSql = (customer: string) => `${customerGrantedNowSql(customer, `'PROFILING'`)} AS "profilingNow"`;
