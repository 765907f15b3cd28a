import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../../db';
import { NOTE_COLUMNS } from './interaction-note.service';
import type { InteractionNote } from './interaction-note.types';

/** Per-request loaders of private notes. */
export function createNoteLoaders(pool: Pool) {
  return {
    /** Oldest first. */
    notesByInteractionId: new DataLoader<string, InteractionNote[]>(async (ids) => {
      const { rows } = await pool.query<InteractionNote>(
        `SELECT ${NOTE_COLUMNS} FROM interaction_notes n WHERE n.interaction_id = ANY($1::uuid[]) ORDER BY n.created_at, n.id`, [ids]);
      return groupByKey(ids, rows, (r) => r.interactionId);
    }),
  };
}
