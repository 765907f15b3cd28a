import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { oneByKey } from '../db';
import { survivorJoin } from './customer-survivor';
import { CUSTOMER_COLUMNS } from './customer.sql';
import type { Customer } from './customer.types';

type CustomerRow = Customer & { key: string };

/**
 * customerById: a merged customer's old id answers with the survivor, so links
 * held by other systems keep working after a merge.
 */
export function createCustomerLoaders(pool: Pool) {
  return {
    customerById: new DataLoader<string, Customer | null>(async (ids) => {
      const { rows } = await pool.query<CustomerRow>(
        `SELECT k.id AS key, ${CUSTOMER_COLUMNS}
           FROM ${survivorJoin('k', 'c')}
          WHERE k.id = ANY($1::uuid[])`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.key).map((r) => (r ? stripKey(r) : null));
    }),
  };
}

function stripKey({ key: _key, ...customer }: CustomerRow): Customer {
  return customer;
}
