import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey, oneByKey } from '../db/batch';
import type { Keyset } from '../graphql/pagination';
import type { Merge, TouchpointEvent } from './identity-history.types';
import { toMerge, type MergeRow } from './merge.service';

export interface HistoryPageKey {
  customerId: string;
  limit: number;
  after: Keyset | null;
}

type EventRow = TouchpointEvent & { identifiers: { emails: string[]; phones: string[]; handles: TouchpointEvent['handles'] } };

const keyId = (k: HistoryPageKey) => `${k.customerId}|${k.limit}|${k.after?.join('|') ?? ''}`;

/** Per-request loaders for the identity audit: touchpoint history pages and merges. */
export function createIdentityHistoryLoaders(pool: Pool) {
  return {
    /** Newest first; keys with the same page arguments share one LATERAL statement. */
    touchpointEventsByCustomerId: new DataLoader<HistoryPageKey, TouchpointEvent[], string>(
      async (keys) => {
        const groups = new Map<string, HistoryPageKey[]>();
        for (const k of keys) {
          const args = `${k.limit}|${k.after?.join('|') ?? ''}`;
          groups.set(args, [...(groups.get(args) ?? []), k]);
        }
        const results = new Map<string, TouchpointEvent[]>();
        for (const group of groups.values()) {
          const { limit, after } = group[0];
          const ids = group.map((k) => k.customerId);
          const params: unknown[] = [ids, limit];
          let filter = '';
          if (after) {
            params.push(after[0], after[1]);
            filter = `AND (t.recorded_at, t.id) < ($3::timestamptz, $4::uuid)`;
          }
          const { rows } = await pool.query<EventRow & { parentId: string }>(
            `SELECT p.id AS "parentId", page.* FROM unnest($1::uuid[]) AS p(id)
             CROSS JOIN LATERAL (
               SELECT t.id, t.customer_id AS "customerId", t.touchpoint, t.recorded_at AS "recordedAt", t.recorded_by AS "recordedBy",
                      t.created_customer AS "createdCustomer", t.identifiers, cardinality(t.matched_ids) AS "matchedIdentifiers",
                      cardinality(t.added_ids) AS "newIdentifiers", t.consent_count AS "consentsRecorded", t.attribute_keys AS "attributeKeys"
                 FROM touchpoint_events t WHERE t.customer_id = p.id ${filter}
                ORDER BY t.recorded_at DESC, t.id DESC LIMIT $2
             ) page`,
            params,
          );
          const events = rows.map(({ identifiers, ...e }) => ({ ...e, ...identifiers }));
          groupByKey(ids, events, (e) => e.parentId).forEach((list, i) => results.set(keyId(group[i]), list));
        }
        return keys.map((k) => results.get(keyId(k)) ?? []);
      },
      { cacheKeyFn: keyId },
    ),
    touchpointEventCountByCustomerId: new DataLoader<string, number>(async (customerIds) => {
      const { rows } = await pool.query<{ customerId: string; n: number }>(
        `SELECT customer_id AS "customerId", count(*)::int AS n FROM touchpoint_events WHERE customer_id = ANY($1::uuid[]) GROUP BY customer_id`,
        [customerIds],
      );
      return oneByKey(customerIds, rows, (r) => r.customerId).map((r) => r?.n ?? 0);
    }),
    /** Merges the customer took part in, as survivor or as the merged one, newest first. */
    mergesByCustomerId: new DataLoader<string, Merge[]>(async (customerIds) => {
      const { rows } = await pool.query<MergeRow & { parentId: string }>(
        `SELECT p.id AS "parentId", m.* FROM unnest($1::uuid[]) AS p(id)
           JOIN customer_merges m ON m.survivor_id = p.id OR m.merged_id = p.id
          ORDER BY m.merged_at DESC, m.id DESC`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.parentId).map((list) => list.map(toMerge));
    }),
  };
}
