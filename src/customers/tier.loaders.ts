import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db';
import type { TierChange } from './tier.types';

/** tierHistoryByCustomerId: every tier change of a customer, newest first. */
export function createTierLoaders(pool: Pool) {
  return {
    /** Newest change first. */
    tierHistoryByCustomerId: new DataLoader<string, TierChange[]>(async (customerIds) => {
      const { rows } = await pool.query<TierChange>(
        `SELECT customer_id AS "customerId", tier, previous_tier AS "previousTier", reason, changed_by AS "changedBy",
                changed_at AS "changedAt"
           FROM tier_changes WHERE customer_id = ANY($1::uuid[]) ORDER BY changed_at DESC, id DESC`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
  };
}
