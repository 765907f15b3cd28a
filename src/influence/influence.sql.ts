import { customerGrantedNowSql } from '../identities';
import { columnList, storedFields } from '../graphql';
import { InfluenceScore } from './influence.types';

const INFLUENCE_STORED = storedFields(InfluenceScore);

/** Columns of an InfluenceScore (table alias x), as declared beside its properties (@Stored). */
export const INFLUENCE_COLUMNS = columnList('x', INFLUENCE_STORED);

/** Customers ($1 uuid[]) that hold PROFILING now (consent-ledger.ts, customerGrantedNowSql): the scorer's and the flag's test. */
export const PROFILING_CONSENTED_SQL = `
  SELECT c.id AS "customerId" FROM unnest($1::uuid[]) AS c(id) WHERE ${customerGrantedNowSql('c.id', `'PROFILING'`)}`;

/** SQL column: the score's customer (`customer`, an SQL expression) holds PROFILING now. */
export const profilingNowSql = (customer: string) => `${customerGrantedNowSql(customer, `'PROFILING'`)} AS "profilingNow"`;

/**
 * THE latest scores: the newest score per (customer, topic, platform) series with its trend against
 * the one before, and whether the customer holds PROFILING at this read (`profilingNow`). Rows are
 * keyed by field name. `customers`: the condition on customer_id (`= ANY($1::uuid[])` for the
 * loader, `= c.id` inside the compiled customer 360); `partitions` (a condition on topic and
 * platform only, so no window sees fewer rows of its own partition) reads only the series it names.
 */
export function latestInfluenceSql(customers: string, partitions = 'true'): string {
  const fields = INFLUENCE_STORED.map((f) => `"${f.field}"`).join(', ');
  return `SELECT ${fields}, trend, ${profilingNowSql('ranked."customerId"')} FROM (
          SELECT ${columnList('s', INFLUENCE_STORED)},
                 round((s.score::numeric - (lag(s.score) OVER w)::numeric), 3)::float8 AS trend,
                 row_number() OVER (PARTITION BY s.customer_id, s.topic, s.platform ORDER BY s.measured_at DESC, s.id DESC) AS newest
            FROM influence_scores s WHERE s.customer_id ${customers} AND ${partitions}
          WINDOW w AS (PARTITION BY s.customer_id, s.topic, s.platform ORDER BY s.measured_at, s.id)
        ) ranked WHERE newest = 1`;
}

/**
 * `latestInfluenceSql(`= ${customerId}`, 'topic IS NULL AND platform IS NULL')`, the overall score,
 * read as the index `influence_scores_customer_idx` (customer_id, measured_at DESC, id DESC) returns
 * it: the newest row, its trend from the row after it (lead over newest first is lag over oldest
 * first). No sort and no second window: the general form's were a quarter of the customer 360
 * statement's PostgreSQL time (docs/benchmarks.md). Same columns and values as the general form.
 */
export function latestOverallInfluenceSql(customerId: string): string {
  return `SELECT ${INFLUENCE_COLUMNS},
                 round((x.score::numeric - (lead(x.score) OVER (ORDER BY x.measured_at DESC, x.id DESC))::numeric), 3)::float8 AS trend,
                 ${profilingNowSql('x.customer_id')}
            FROM influence_scores x WHERE x.customer_id = ${customerId} AND x.topic IS NULL AND x.platform IS NULL
           ORDER BY x.measured_at DESC, x.id DESC LIMIT 1`;
}
