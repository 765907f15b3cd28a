import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db';
import { profilingNowSql, latestInfluenceSql } from './influence.sql';
import type { FollowerCountPoint, InfluenceScore } from './influence.types';
import { FOLLOWER_HISTORY_SQL, NETWORK_TREND_SQL } from './follower-history.sql';

/** A followerHistory read: the customer, the platform (null: every platform) and the page size. */
export interface FollowerHistoryKey {
  customerId: string;
  platform: string | null;
  first: number;
}

/**
 * latestInfluenceByCustomerId: the newest score of each (topic, platform) series with its
 * trend against the one before, and whether the customer holds PROFILING at this read
 * (`profilingNow`), in one statement. `influence`, `influenceByTopic` and `priority` read from it.
 */
export function createInfluenceLoaders(pool: Pool) {
  return {
    latestInfluenceByCustomerId: new DataLoader<string, InfluenceScore[]>(async (customerIds) => {
      const { rows } = await pool.query<InfluenceScore>(
        `${latestInfluenceSql('= ANY($1::uuid[])')} ORDER BY topic NULLS FIRST, platform NULLS FIRST`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
    /** followerHistory(platform, first): one statement for every customer and argument set of the request. */
    followerHistoryByKey: new DataLoader<FollowerHistoryKey, FollowerCountPoint[], string>(async (keys) => {
      const { rows } = await pool.query<FollowerCountPoint & { ord: number }>(FOLLOWER_HISTORY_SQL, [
        keys.map((k) => k.customerId), keys.map((k) => k.platform), keys.map((k) => k.first),
      ]);
      return groupByKey(keys.map((_, i) => i + 1), rows, (r) => r.ord).map((points) => points.map(({ ord: _, ...p }) => p));
    }, { cacheKeyFn: (k) => `${k.customerId}|${k.platform ?? ''}|${k.first}` }),
    /** networkTrend, read at this request's instant (follower-history.sql.ts holds the definition). */
    networkTrendByCustomerId: new DataLoader<string, number | null>(async (customerIds) => {
      const { rows } = await pool.query<{ customerId: string; trend: number | null }>(NETWORK_TREND_SQL, [customerIds, new Date()]);
      const trends = new Map(rows.map((r) => [r.customerId, r.trend]));
      return customerIds.map((id) => trends.get(id) ?? null);
    }),
  };
}
