import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey, oneByKey } from '../db';
import { columnList, storedFields } from '../graphql';
import { ContactPoint, SocialIdentity } from './identity.types';

/** Columns of a SocialIdentity (table alias si) and a ContactPoint (alias cp), as declared beside their properties (@Stored). */
export const SOCIAL_IDENTITY_COLUMNS = columnList('si', storedFields(SocialIdentity));
export const CONTACT_POINT_COLUMNS = columnList('cp', storedFields(ContactPoint));

/** Per-request loaders for a customer's identifiers, one SQL statement per batch. */
export function createIdentityLoaders(pool: Pool) {
  return {
    socialIdentityById: new DataLoader<string, SocialIdentity | null>(async (ids) => {
      const { rows } = await pool.query<SocialIdentity>(
        `SELECT ${SOCIAL_IDENTITY_COLUMNS} FROM social_identities si WHERE si.id = ANY($1::uuid[])`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.id);
    }),
    socialIdentitiesByCustomerId: new DataLoader<string, SocialIdentity[]>(async (customerIds) => {
      const { rows } = await pool.query<SocialIdentity>(
        `SELECT ${SOCIAL_IDENTITY_COLUMNS} FROM social_identities si WHERE si.customer_id = ANY($1::uuid[])
          ORDER BY si.captured_at, si.id`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
    contactPointsByCustomerId: new DataLoader<string, ContactPoint[]>(async (customerIds) => {
      const { rows } = await pool.query<ContactPoint>(
        `SELECT ${CONTACT_POINT_COLUMNS} FROM contact_points cp WHERE cp.customer_id = ANY($1::uuid[])
          ORDER BY cp.captured_at, cp.id`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
  };
}
