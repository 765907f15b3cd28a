import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { oneByKey } from '../db';

/** memberCountBySavedSegmentId: how many members each saved segment holds, as last evaluated. */
export function createSavedSegmentLoaders(pool: Pool) {
  return {
    memberCountBySavedSegmentId: new DataLoader<string, number>(async (segmentIds) => {
      const { rows } = await pool.query<{ id: string; n: number }>(
        `SELECT segment_id::text AS id, count(*)::int AS n FROM saved_segment_members WHERE segment_id = ANY($1::uuid[]) GROUP BY segment_id`,
        [segmentIds],
      );
      return oneByKey(segmentIds, rows, (r) => r.id).map((r) => r?.n ?? 0);
    }),
  };
}
