import type { Pool } from 'pg';
import { badInput } from '../graphql';
import type { Platform } from '../graphql';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';

export interface LookupArgs {
  email?: string | null;
  phone?: string | null;
  region?: string | null;
  platform?: Platform | null;
  handle?: string | null;
}

/** Finds customers by the identifiers they own (`lookupCustomer`). */
export class CustomerLookupService {
  constructor(
    private readonly pool: Pool,
    private readonly defaultPhoneRegion: string,
  ) {}

  /**
   * Finds the customer who owns an identifier, given in any raw form a person would type.
   * Exactly one of email, phone, or platform + handle.
   */
  async lookup(args: LookupArgs): Promise<string | null> {
    const { sql, params } = this.ownerQuery(args);
    const { rows } = await this.pool.query<{ key: string }>(sql, params);
    return rows[0]?.key ?? null;
  }

  /**
   * The lookup as a query of the owner's id (`key`, with `ord` 1), for a read that builds the
   * customer in the same statement. BAD_USER_INPUT for arguments that name no identifier.
   */
  ownerQuery(args: LookupArgs): { sql: string; params: unknown[] } {
    const given = [args.email, args.phone, args.handle].filter((v) => v !== null && v !== undefined).length;
    if (given !== 1) throw badInput('email', 'give exactly one of email, phone, or platform + handle');
    if (args.email != null) return ownerOfContact('EMAIL', normaliseEmail(args.email));
    if (args.phone != null) return ownerOfContact('PHONE', normalisePhone(args.phone, args.region ?? this.defaultPhoneRegion));
    if (!args.platform) throw badInput('platform', 'platform is required with handle');
    const { handle, externalUserId } = normaliseHandle(args.platform, args.handle!, args.region ?? this.defaultPhoneRegion);
    // Two identities can match (one by handle, another by platform user id): the answer is fixed
    // by LOOKUP_ORDER, never by the plan. Emails and phones are unique, so one row at most.
    return {
      sql: `SELECT customer_id AS key, 1 AS ord FROM social_identities
             WHERE platform = $1 AND (handle = $2 OR external_user_id = $3) ORDER BY ${LOOKUP_ORDER} LIMIT 1`,
      params: [args.platform, handle, externalUserId ?? handle],
    };
  }
}

/**
 * Which identity answers a handle lookup when several match: the one whose handle is what was
 * typed (an exact identifier beats a user id that happens to equal it), then a verified one,
 * then the most recently captured, then the lowest customer id ($2 is the normalised handle).
 */
const LOOKUP_ORDER = '(handle = $2) DESC, verified DESC, captured_at DESC, customer_id';

function ownerOfContact(kind: 'EMAIL' | 'PHONE', value: string): { sql: string; params: unknown[] } {
  return { sql: `SELECT customer_id AS key, 1 AS ord FROM contact_points WHERE kind = $1 AND value = $2 LIMIT 1`, params: [kind, value] };
}
