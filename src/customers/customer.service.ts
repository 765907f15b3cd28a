import type { Pool } from 'pg';
import { checkId, decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection, type Keyed } from '../graphql';
import type { Tier } from '../graphql';
import { CUSTOMER_COLUMNS } from './customer.sql';
import type { Customer } from './customer.types';

export interface CustomerListArgs {
  first: number;
  after?: string | null;
  tier?: Tier | null;
  search?: string | null;
}


/** Validates a customer id argument; an unknown id is then simply "not found" (or its survivor, see customer-survivor.ts). */
export function checkCustomerId(id: string, field = 'id'): string {
  return checkId(id, field, 'a customer id');
}

/** Reads of customers that are not per-field batches: listing and lookup by identifier. */
export class CustomerService {
  constructor(private readonly pool: Pool) {}

  /** Customers, oldest first, keyset-paginated on (created_at, id); merged customers are hidden. */
  async list(args: CustomerListArgs): Promise<Connection<Customer>> {
    const { sql, params, countSql, countParams } = customerListSql(args);
    const { rows: customers } = await this.pool.query<Customer & Keyed>(
      `SELECT ${CUSTOMER_COLUMNS}, k."sortKey" FROM (${sql}) k JOIN customers c ON c.id = k.key ORDER BY k.ord`,
      params,
    );
    return toConnection(customers, args.first, (c) => encodeCursor(c.sortKey, c.id), async () => {
      const { rows: counted } = await this.pool.query<{ n: number }>(countSql, countParams);
      return counted[0].n;
    });
  }
}

/**
 * The page of `customers(...)` as keys (`key`, `ord`, `"sortKey"`): oldest first on (created_at, id),
 * merged customers hidden; and the count of every match (for totalCount).
 */
export function customerListSql(args: CustomerListArgs) {
  const after = decodeCursor(args.after);
  const where: string[] = ['c.merged_into IS NULL'];
  const params: unknown[] = [];
  if (args.tier) {
    params.push(args.tier);
    where.push(`c.tier = $${params.length}`);
  }
  const search = args.search?.trim();
  if (search) {
    params.push(`%${search.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`);
    where.push(`c.display_name ILIKE $${params.length}`);
  }
  const countParams = [...params];
  const countSql = `SELECT count(*)::int AS n FROM customers c WHERE ${where.join(' AND ')}`;
  if (after) {
    params.push(after[0], after[1]);
    where.push(`(c.created_at, c.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(args.first + 1);
  const sql = `SELECT c.id AS key, ${sortKeySql('c.created_at')} AS "sortKey", row_number() OVER (ORDER BY c.created_at, c.id) AS ord
    FROM customers c WHERE ${where.join(' AND ')} ORDER BY c.created_at, c.id LIMIT $${params.length}`;
  return { sql, params, countSql, countParams };
}
