import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey, oneByKey } from '../db';
import type { ContactPoint, SocialIdentity } from './identity.types';

/** Per-request loaders for a customer's identifiers, one SQL statement per batch. */
export const SOCIAL_IDENTITY_COLUMNS = `id, customer_id AS "customerId", platform, handle, external_user_id AS "externalUserId",
  profile_url AS "profileUrl", follower_count AS "followerCount", verified,
  captured_via AS "capturedVia", captured_at AS "capturedAt"`;

export function createIdentityLoaders(pool: Pool) {
  return {
    socialIdentityById: new DataLoader<string, SocialIdentity | null>(async (ids) => {
      const { rows } = await pool.query<SocialIdentity>(
        `SELECT ${SOCIAL_IDENTITY_COLUMNS} FROM social_identities WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.id);
    }),
    socialIdentitiesByCustomerId: new DataLoader<string, SocialIdentity[]>(async (customerIds) => {
      const { rows } = await pool.query<SocialIdentity>(
        `SELECT ${SOCIAL_IDENTITY_COLUMNS} FROM social_identities WHERE customer_id = ANY($1::uuid[])
          ORDER BY captured_at, id`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
    contactPointsByCustomerId: new DataLoader<string, ContactPoint[]>(async (customerIds) => {
      const { rows } = await pool.query<ContactPoint>(
        `SELECT id, customer_id AS "customerId", kind, value, verified,
                captured_via AS "capturedVia", captured_at AS "capturedAt"
           FROM contact_points WHERE customer_id = ANY($1::uuid[])
          ORDER BY captured_at, id`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
  };
}
