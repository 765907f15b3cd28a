import type { Pool } from 'pg';
import { recordAudit } from '../audit';
import type { Viewer, Role } from '../auth';
import { checkPurposeForRoles, purposesFor } from '../auth';
import { inTransaction } from '../db';
import { badInput, DomainError, checkId } from '../graphql';
import { evaluateInFull } from './saved-segment.evaluate';
import { encodeFilter } from './saved-segment.filter';
import type { SavedSegment, SavedSegmentInput } from './saved-segment.types';
import { checkFilter } from './segment.sql';

const COLUMNS = `id, name, purpose, filter, created_at AS "createdAt", evaluated_at AS "evaluatedAt"`;
const MAX_NAME = 200;

/**
 * Saved segments: save, read and delete them under the purpose rule of auth/purpose-roles.ts
 * (a role sees and changes the segments of the purposes it may use). Keeping them current is
 * saved-segment.worker.ts.
 */
export class SavedSegmentService {
  constructor(private readonly pool: Pool) {}

  /**
   * Saves a segment and populates it before answering (its first members raise no events).
   * A name is saved once: the same name, purpose and filter again is a retry and answers the
   * saved segment; another purpose or filter under that name is a CONFLICT.
   */
  async save(input: SavedSegmentInput, viewer: Viewer): Promise<SavedSegment> {
    checkPurposeForRoles(viewer.roles, input.purpose, 'input.purpose');
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_NAME) throw badInput('input.name', `input.name must be 1 to ${MAX_NAME} characters`);
    checkFilter(input.filter);
    const filter = encodeFilter(input.filter);
    const saved = await inTransaction(this.pool, async (client) => {
      const inserted = await client.query<SavedSegment>(
        `INSERT INTO saved_segments (name, purpose, filter, created_by) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
        [name, input.purpose, JSON.stringify(filter), viewer.sub],
      );
      if (inserted.rows[0]) {
        await recordAudit(client, {
          actor: viewer, action: 'SEGMENT_SAVED', subject: inserted.rows[0].id, details: { name, purpose: input.purpose, filter },
        });
        return inserted.rows[0];
      }
      const { rows } = await client.query<SavedSegment & { same: boolean }>(
        `SELECT ${COLUMNS}, purpose = $2 AND filter = $3::jsonb AS same FROM saved_segments WHERE name = $1`,
        [name, input.purpose, JSON.stringify(filter)],
      );
      if (!rows[0]?.same) throw new DomainError('CONFLICT', `a saved segment named "${name}" exists with another filter or purpose`, { field: 'input.name' });
      const { same: _same, ...existing } = rows[0];
      return existing;
    });
    if (saved.evaluatedAt === null) {
      await inTransaction(this.pool, async (client) => {
        // Whoever holds the lock first populates; the worker may have done it already.
        const { rowCount } = await client.query(`SELECT 1 FROM saved_segments WHERE id = $1 AND evaluated_at IS NULL FOR UPDATE`, [saved.id]);
        if (rowCount) await evaluateInFull(client, { id: saved.id, purpose: saved.purpose, filter: input.filter }, false);
      });
    }
    return saved;
  }

  /** The segments of the purposes these roles may use, oldest first. */
  async list(roles: ReadonlySet<Role>): Promise<SavedSegment[]> {
    const { rows } = await this.pool.query<SavedSegment>(
      `SELECT ${COLUMNS} FROM saved_segments WHERE purpose = ANY($1::text[]) ORDER BY created_at, id`,
      [purposesFor(roles)],
    );
    return rows;
  }

  /** One segment; null when there is none or its purpose is not the roles' to use. */
  async get(id: string, roles: ReadonlySet<Role>): Promise<SavedSegment | null> {
    checkId(id, 'id', 'a saved segment id');
    const { rows } = await this.pool.query<SavedSegment>(
      `SELECT ${COLUMNS} FROM saved_segments WHERE id = $1 AND purpose = ANY($2::text[])`,
      [id, purposesFor(roles)],
    );
    return rows[0] ?? null;
  }

  /** Deletes a segment and its members (no events); false when there is no such segment (a retry). */
  async remove(id: string, viewer: Viewer): Promise<boolean> {
    checkId(id, 'id', 'a saved segment id');
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ purpose: SavedSegment['purpose']; name: string }>(
        `SELECT purpose, name FROM saved_segments WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows[0]) return false;
      checkPurposeForRoles(viewer.roles, rows[0].purpose, 'id');
      await client.query(`DELETE FROM saved_segments WHERE id = $1`, [id]);
      await recordAudit(client, { actor: viewer, action: 'SEGMENT_DELETED', subject: id, details: { name: rows[0].name, purpose: rows[0].purpose } });
      return true;
    });
  }
}
