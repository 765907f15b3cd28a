import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db';
import { countLoader, pagedLoader, sortKeySql, type Keyed } from '../graphql';
import type { Merge, TouchpointEvent } from './identity-history.types';
import { toMerge, type MergeRow } from './merge.service';

type EventRow = TouchpointEvent & Keyed & { identifiers: { emails: string[]; phones: string[]; handles: TouchpointEvent['handles'] } };

/** Per-request loaders for the identity audit: touchpoint history pages and merges. */
export function createIdentityHistoryLoaders(pool: Pool) {
  return {
    /** Newest first: ORDER BY recorded_at DESC, id DESC, keyset on both. */
    touchpointEventsByCustomerId: pagedLoader<TouchpointEvent & Keyed>(async (customerIds, key) => {
      const params: unknown[] = [customerIds, key.limit];
      let filter = '';
      if (key.after) {
        params.push(key.after[0], key.after[1]);
        filter = `AND (t.recorded_at, t.id) < ($3::timestamptz, $4::uuid)`;
      }
      const { rows } = await pool.query<EventRow & { parentId: string }>(
        `SELECT p.id AS "parentId", page.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT t.id, t.customer_id AS "customerId", t.touchpoint, t.recorded_at AS "recordedAt", t.occurred_at AS "occurredAt",
                  ${sortKeySql('t.recorded_at')} AS "sortKey", t.recorded_by AS "recordedBy",
                  t.created_customer AS "createdCustomer", t.identifiers, cardinality(t.matched_ids) AS "matchedIdentifiers",
                  cardinality(t.added_ids) AS "newIdentifiers", t.consent_count AS "consentsRecorded", t.attribute_keys AS "attributeKeys"
             FROM touchpoint_events t WHERE t.customer_id = p.id ${filter}
            ORDER BY t.recorded_at DESC, t.id DESC LIMIT $2
         ) page`,
        params,
      );
      return rows.map(({ identifiers, ...e }) => ({ ...e, ...identifiers }));
    }),
    touchpointEventCountByCustomerId: countLoader(pool, 'touchpoint_events', 'customer_id'),
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
