import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db/batch';
import { ConsentPurpose, ConsentStatus } from '../graphql/enums';
import type { Consent, ConsentEvent } from './identity.types';

type IdentityColumn = 'social_identity_id' | 'contact_point_id';
type EventRow = ConsentEvent & { identityId: string };

const PURPOSES = Object.values(ConsentPurpose);

/** The newest event per purpose, one Consent per purpose (UNKNOWN when never asked). */
function currentConsentLoader(pool: Pool, column: IdentityColumn) {
  return new DataLoader<string, Consent[]>(async (identityIds) => {
    const { rows } = await pool.query<EventRow>(
      `SELECT DISTINCT ON (${column}, purpose) ${column} AS "identityId", purpose, status,
              recorded_at AS "recordedAt", source, recorded_by AS "recordedBy", expires_at AS "expiresAt"
         FROM consent_events WHERE ${column} = ANY($1::uuid[])
        ORDER BY ${column}, purpose, recorded_at DESC, id DESC`,
      [identityIds],
    );
    return groupByKey(identityIds, rows, (r) => r.identityId).map((events) =>
      PURPOSES.map((purpose) => {
        const latest = events.find((e) => e.purpose === purpose);
        return latest
          ? { purpose, status: latest.status, recordedAt: latest.recordedAt, source: latest.source, expiresAt: latest.expiresAt }
          : { purpose, status: ConsentStatus.UNKNOWN, recordedAt: null, source: null, expiresAt: null };
      }),
    );
  });
}

/** Per-request loaders for the consent ledger. */
export function createConsentLoaders(pool: Pool) {
  return {
    consentsBySocialIdentityId: currentConsentLoader(pool, 'social_identity_id'),
    consentsByContactPointId: currentConsentLoader(pool, 'contact_point_id'),
    consentHistoryBySocialIdentityId: new DataLoader<string, ConsentEvent[]>(async (identityIds) => {
      const { rows } = await pool.query<EventRow>(
        `SELECT social_identity_id AS "identityId", purpose, status, recorded_at AS "recordedAt", source,
                recorded_by AS "recordedBy", expires_at AS "expiresAt"
           FROM consent_events WHERE social_identity_id = ANY($1::uuid[])
          ORDER BY recorded_at, id`,
        [identityIds],
      );
      return groupByKey(identityIds, rows, (r) => r.identityId);
    }),
  };
}
