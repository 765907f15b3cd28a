import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db';
import { ConsentPurpose, ConsentStatus } from '../graphql';
import { CONSENT_NEWEST_FIRST, knownAtSql, consentStatesSql, customerGrantedNowSql } from './consent.sql';
import type { Consent, ConsentEvent } from './identity.types';

type IdentityColumn = 'social_identity_id' | 'contact_point_id';
type EventRow = ConsentEvent & { identityId: string };

const PURPOSES = Object.values(ConsentPurpose);

/** One identity's state at one instant; `asOf` null means "now". */
export interface ConsentKey {
  identityId: string;
  asOf: Date | null;
}

const asOfId = (k: ConsentKey) => (k.asOf ? k.asOf.toISOString() : 'now');
const keyId = (k: ConsentKey) => `${k.identityId}|${asOfId(k)}`;

/**
 * The decision that counts per purpose at `asOf` (or now), among those recorded by then, one
 * Consent per purpose: UNKNOWN when
 * never asked, EXPIRED when the newest decision is a grant whose expiry has passed at that
 * instant. Keys with the same instant share one statement.
 */
function consentStateLoader(pool: Pool, column: IdentityColumn) {
  return new DataLoader<ConsentKey, Consent[], string>(
    async (keys) => {
      const byInstant = new Map<string, ConsentKey[]>();
      for (const key of keys) byInstant.set(asOfId(key), [...(byInstant.get(asOfId(key)) ?? []), key]);
      const results = new Map<string, Consent[]>();
      await Promise.all(
        [...byInstant.values()].map(async (group) => {
          const ids = group.map((k) => k.identityId);
          const asOf = group[0].asOf;
          const { rows } = await pool.query<EventRow>(
            consentStatesSql(column, '= ANY($1::uuid[])', asOf ? '$2::timestamptz' : null),
            asOf ? [ids, asOf] : [ids],
          );
          groupByKey(ids, rows, (r) => r.identityId).forEach((events, i) => results.set(keyId(group[i]), toStates(events)));
        }),
      );
      return keys.map((k) => results.get(keyId(k)) ?? toStates([]));
    },
    { cacheKeyFn: keyId },
  );
}

/** One Consent per purpose from the newest event of each (as the loaders answer). */
export function toStates(events: readonly Pick<ConsentEvent, 'purpose' | 'status' | 'recordedAt' | 'source' | 'expiresAt'>[]): Consent[] {
  return PURPOSES.map((purpose) => {
    const latest = events.find((e) => e.purpose === purpose);
    return latest
      ? { purpose, status: latest.status, recordedAt: latest.recordedAt, source: latest.source, expiresAt: latest.expiresAt }
      : { purpose, status: ConsentStatus.UNKNOWN, recordedAt: null, source: null, expiresAt: null };
  });
}

function historyLoader(pool: Pool, column: IdentityColumn) {
  return new DataLoader<string, ConsentEvent[]>(async (identityIds) => {
    const { rows } = await pool.query<EventRow>(
      `SELECT ${column} AS "identityId", purpose, status, recorded_at AS "recordedAt", effective_at AS "effectiveAt", source,
              recorded_by AS "recordedBy", wording, wording_version AS "wordingVersion", expires_at AS "expiresAt",
              interaction_id AS "interactionId"
         FROM consent_events WHERE ${column} = ANY($1::uuid[])
        ORDER BY recorded_at, id`,
      [identityIds],
    );
    return groupByKey(identityIds, rows, (r) => r.identityId);
  });
}

/** Does the customer hold `purpose` now, on some identity: the check of a field's declared purpose (auth/field-guard.ts). */
export interface GrantedKey {
  customerId: string;
  purpose: ConsentPurpose;
}

/** Every (customer, purpose) of a request in one statement. */
function grantedNowLoader(pool: Pool) {
  return new DataLoader<GrantedKey, boolean, string>(
    async (keys) => {
      const { rows } = await pool.query<{ ord: string; granted: boolean }>(
        `SELECT k.ord, ${customerGrantedNowSql('k.id', 'k.purpose')} AS granted
           FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS k(id, purpose, ord)`,
        [keys.map((k) => k.customerId), keys.map((k) => k.purpose)],
      );
      const granted = new Map(rows.map((r) => [Number(r.ord), r.granted]));
      return keys.map((_, i) => granted.get(i + 1) ?? false);
    },
    { cacheKeyFn: (k) => `${k.customerId}|${k.purpose}` },
  );
}

/** Per-request loaders for the consent ledger. */
export function createConsentLoaders(pool: Pool) {
  return {
    consentsBySocialIdentityId: consentStateLoader(pool, 'social_identity_id'),
    consentsByContactPointId: consentStateLoader(pool, 'contact_point_id'),
    consentHistoryBySocialIdentityId: historyLoader(pool, 'social_identity_id'),
    consentHistoryByContactPointId: historyLoader(pool, 'contact_point_id'),
    grantedNowByCustomerId: grantedNowLoader(pool),
  };
}
