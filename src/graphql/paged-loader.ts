import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../db';
import type { Keyset } from './pagination';

/** One page request for one parent: the page arguments are part of the key. */
export interface PageKey {
  parentId: string;
  /** Rows to fetch (page size + 1, to know whether there is a next page). */
  limit: number;
  after: Keyset | null;
  /** A value of the loader's one filter column (interactionsByCustomerId: the channel); absent: no filter. */
  filter?: string | null;
}

const pageKeyId = (k: PageKey) => `${k.parentId}|${k.limit}|${k.after?.join('|') ?? ''}|${k.filter ?? ''}`;
const pageArgsId = (k: PageKey) => `${k.limit}|${k.after?.join('|') ?? ''}|${k.filter ?? ''}`;

/**
 * Batches page requests: keys with the same page arguments (the usual case: one list of
 * customers asking for `interactions(first: 20)`) run as one LATERAL statement.
 */
export function pagedLoader<R extends { id: string }>(
  run: (parentIds: string[], sample: PageKey) => Promise<(R & { parentId: string })[]>,
): DataLoader<PageKey, R[], string> {
  return new DataLoader<PageKey, R[], string>(
    async (keys) => {
      const byArgs = new Map<string, PageKey[]>();
      for (const key of keys) {
        const group = byArgs.get(pageArgsId(key)) ?? [];
        group.push(key);
        byArgs.set(pageArgsId(key), group);
      }
      const results = new Map<string, R[]>();
      await Promise.all(
        [...byArgs.values()].map(async (group) => {
          const parentIds = group.map((k) => k.parentId);
          const rows = await run(parentIds, group[0]);
          const grouped = groupByKey(parentIds, rows, (r) => r.parentId);
          group.forEach((k, i) => results.set(pageKeyId(k), grouped[i]));
        }),
      );
      return keys.map((k) => results.get(pageKeyId(k)) ?? []);
    },
    { cacheKeyFn: pageKeyId },
  );
}

/** A count for one parent, optionally restricted to one value of the loader's filter column. */
export interface CountKey {
  parentId: string;
  filter?: string | null;
}

/** Counts per parent in one GROUP BY statement per filter value (`filterColumn`: the column a key's filter names). */
export function countLoader(pool: Pool, table: string, parentColumn: string, filterColumn?: string): DataLoader<CountKey, number, string> {
  const id = (k: CountKey) => `${k.parentId}|${k.filter ?? ''}`;
  return new DataLoader<CountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      const byFilter = new Map<string | null, string[]>();
      for (const k of keys) byFilter.set(k.filter ?? null, [...(byFilter.get(k.filter ?? null) ?? []), k.parentId]);
      await Promise.all(
        [...byFilter].map(async ([filter, parentIds]) => {
          if (filter && !filterColumn) throw new Error(`${table} counts take no filter`);
          const { rows } = await pool.query<{ parentId: string; n: number }>(
            `SELECT ${parentColumn} AS "parentId", count(*)::int AS n FROM ${table}
              WHERE ${parentColumn} = ANY($1::uuid[]) ${filter ? `AND ${filterColumn} = $2` : ''} GROUP BY 1`,
            filter ? [parentIds, filter] : [parentIds],
          );
          for (const r of rows) counts.set(id({ parentId: r.parentId, filter }), r.n);
        }),
      );
      return keys.map((k) => counts.get(id(k)) ?? 0);
    },
    { cacheKeyFn: id },
  );
}
