import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db/batch';
import { profilingNowSql } from './influence.sql';
import type { InfluenceScore } from './influence.types';

/**
 * latestInfluenceByCustomerId: the newest score of each (topic, platform) series with its
 * trend against the one before, and whether the customer holds PROFILING at this read
 * (`profilingNow`), in one statement. `influence`, `influenceByTopic` and `priority` read from it.
 */
export function createInfluenceLoaders(pool: Pool) {
  return {
    latestInfluenceByCustomerId: new DataLoader<string, InfluenceScore[]>(async (customerIds) => {
      const { rows } = await pool.query<InfluenceScore>(
        `SELECT "customerId", score, topic, platform, source, "measuredAt", trend, computed, flagged, ${profilingNowSql('s."customerId"')} FROM (
           SELECT customer_id AS "customerId", score::numeric::float8 AS score, topic, platform, source,
                  measured_at AS "measuredAt", computed, flagged,
                  round((score::numeric - (lag(score) OVER w)::numeric), 3)::float8 AS trend,
                  row_number() OVER (PARTITION BY customer_id, topic, platform ORDER BY measured_at DESC, id DESC) AS newest
             FROM influence_scores
            WHERE customer_id = ANY($1::uuid[])
           WINDOW w AS (PARTITION BY customer_id, topic, platform ORDER BY measured_at, id)
         ) s WHERE newest = 1
         ORDER BY topic NULLS FIRST, platform NULLS FIRST`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
  };
}
