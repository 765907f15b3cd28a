import type { Pool } from 'pg';
import { isUuid } from '../db/batch';
import { badInput } from '../graphql/errors';
import type { Platform, Tier } from '../graphql/enums';
import { decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection, type Keyed } from '../graphql/pagination';
import { normaliseEmail, normaliseHandle, normalisePhone } from '../identities/normalise';
import { CUSTOMER_COLUMNS } from './customer.sql';
import type { Customer } from './customer.types';

export interface CustomerListArgs {
  first: number;
  after?: string | null;
  tier?: Tier | null;
  search?: string | null;
}

export interface LookupArgs {
  email?: string | null;
  phone?: string | null;
  region?: string | null;
  platform?: Platform | null;
  handle?: string | null;
}

/** Reads of customers that are not per-field batches: listing and lookup by identifier. */
export class CustomerService {
  constructor(
    private readonly pool: Pool,
    private readonly defaultPhoneRegion: string,
  ) {}

  /** Validates an id argument; an unknown id is then simply "not found". */
  static checkId(id: string, field = 'id'): string {
    if (!isUuid(id)) throw badInput(field, `${field} "${id}" is not a customer id`);
    return id;
  }

  /** Customers, oldest first, keyset-paginated on (created_at, id); merged customers are hidden. */
  async list(args: CustomerListArgs): Promise<Connection<Customer>> {
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
    const filterParams = [...params];
    const filterSql = where.join(' AND ');
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(c.created_at, c.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(args.first + 1);
    const { rows } = await this.pool.query<Customer & Keyed>(
      `SELECT ${CUSTOMER_COLUMNS}, ${sortKeySql('c.created_at')} AS "sortKey" FROM customers c WHERE ${where.join(' AND ')}
        ORDER BY c.created_at, c.id LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, args.first, (c) => encodeCursor(c.sortKey, c.id), async () => {
      const { rows: counted } = await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers c WHERE ${filterSql}`,
        filterParams,
      );
      return counted[0].n;
    });
  }

  /**
   * Finds the customer who owns an identifier, given in any raw form a person would type.
   * Exactly one of email, phone, or platform + handle.
   */
  async lookup(args: LookupArgs): Promise<string | null> {
    const given = [args.email, args.phone, args.handle].filter((v) => v !== null && v !== undefined).length;
    if (given !== 1) throw badInput('email', 'give exactly one of email, phone, or platform + handle');
    if (args.email != null) {
      return this.ownerOfContact('EMAIL', normaliseEmail(args.email));
    }
    if (args.phone != null) {
      return this.ownerOfContact('PHONE', normalisePhone(args.phone, args.region ?? this.defaultPhoneRegion));
    }
    if (!args.platform) throw badInput('platform', 'platform is required with handle');
    const { handle, externalUserId } = normaliseHandle(args.platform, args.handle!, args.region ?? this.defaultPhoneRegion);
    const { rows } = await this.pool.query<{ customerId: string }>(
      `SELECT customer_id AS "customerId" FROM social_identities
        WHERE platform = $1 AND (handle = $2 OR external_user_id = $3) LIMIT 1`,
      [args.platform, handle, externalUserId ?? handle],
    );
    return rows[0]?.customerId ?? null;
  }

  private async ownerOfContact(kind: 'EMAIL' | 'PHONE', value: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ customerId: string }>(
      `SELECT customer_id AS "customerId" FROM contact_points WHERE kind = $1 AND value = $2`,
      [kind, value],
    );
    return rows[0]?.customerId ?? null;
  }
}
