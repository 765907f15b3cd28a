import type { Writable } from 'node:stream';
import type { Pool } from 'pg';
import type { ConsentPurpose } from '../graphql/enums';
import type { Keyset } from '../graphql/pagination';
import type { SegmentFilter } from './segment.inputs';
import { segmentPageSql } from './segment.sql';

export interface SegmentExportOptions {
  filter: SegmentFilter;
  purpose: ConsentPurpose;
  /** Members per keyset page; memory holds one page at a time. */
  pageSize?: number;
  onPage?: (membersSoFar: number) => void;
}

export interface SegmentExportResult {
  members: number;
  pages: number;
  firstPageMs: number;
  lastPageMs: number;
  slowestPageMs: number;
}

/**
 * Streams a whole segment as NDJSON (one member per line) with keyset pages, the same SQL and
 * consent rule as the `segment` query; JSON is built by PostgreSQL so lines pass through as text.
 * Usage: `await exportSegment(pool, out, { filter: { tiers: ['GOLD'] }, purpose: ConsentPurpose.MARKETING })`
 */
export async function exportSegment(pool: Pool, out: Writable, options: SegmentExportOptions): Promise<SegmentExportResult> {
  const size = options.pageSize ?? 5000;
  const result: SegmentExportResult = { members: 0, pages: 0, firstPageMs: 0, lastPageMs: 0, slowestPageMs: 0 };
  let after: Keyset | null = null;
  for (;;) {
    const started = process.hrtime.bigint();
    const { sql, params } = segmentPageSql(options.filter, options.purpose, size, after, 'ndjson');
    const { rows } = await pool.query<{ id: string; line: string; createdAtKey: string }>(sql, params);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (rows.length === 0) break;
    result.pages += 1;
    if (result.pages === 1) result.firstPageMs = ms;
    result.lastPageMs = ms;
    result.slowestPageMs = Math.max(result.slowestPageMs, ms);
    result.members += rows.length;
    let chunk = '';
    for (const row of rows) chunk += row.line + '\n';
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    options.onPage?.(result.members);
    if (rows.length < size) break;
    const last = rows[rows.length - 1];
    after = [last.createdAtKey, last.id];
  }
  return result;
}
