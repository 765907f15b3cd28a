import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { oneByKey } from '../db';
import { countLoader, pagedLoader, sortKeySql, type Keyed } from '../graphql';
import { customerGrantedNowSql } from '../identities';
import { PURCHASE_COLUMNS, lifetimeValueSql } from './purchase.sql';
import type { Purchase } from './purchase.types';

/** The SQL of one customer's purchase page (alias `p`), newest first; the compiled 360 reads the same. */
export const purchasePageSql = (customer: string, after: string, limit: string) =>
  `SELECT ${PURCHASE_COLUMNS}, ${sortKeySql('p.purchased_at')} AS "sortKey" FROM purchases p
    WHERE p.customer_id = ${customer} ${after} ORDER BY p.purchased_at DESC, p.id DESC LIMIT ${limit}`;

/** purchasesByCustomerId, purchaseCountByCustomerId, lifetimeValueByCustomerId. */
export function createPurchaseLoaders(pool: Pool) {
  return {
    /** Newest first: ORDER BY purchased_at DESC, id DESC, keyset on both. */
    purchasesByCustomerId: pagedLoader<Purchase & Keyed>(async (customerIds, key) => {
      const params: unknown[] = [customerIds, key.limit];
      const after = key.after ? `AND (p.purchased_at, p.id) < ($3::timestamptz, $4::uuid)` : '';
      if (key.after) params.push(key.after[0], key.after[1]);
      const { rows } = await pool.query<Purchase & Keyed & { parentId: string }>(
        `SELECT k.id AS "parentId", page.* FROM unnest($1::uuid[]) AS k(id) CROSS JOIN LATERAL (${purchasePageSql('k.id', after, '$2')}) page`,
        params,
      );
      return rows;
    }),
    purchaseCountByCustomerId: countLoader(pool, 'purchases', 'customer_id'),
    /** lifetimeValueSql per customer (null: no amount, or several currencies). */
    lifetimeValueByCustomerId: new DataLoader<string, number | null>(async (customerIds) => {
      const { rows } = await pool.query<{ id: string; value: number | null }>(
        `SELECT k.id, ${lifetimeValueSql('k.id')} AS value FROM unnest($1::uuid[]) AS k(id)`,
        [customerIds],
      );
      return oneByKey(customerIds, rows, (r) => r.id).map((r) => r?.value ?? null);
    }),
  };
}
