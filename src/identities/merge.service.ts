import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '../auth';
import { checkId, DomainError, badInput } from '../graphql';
import { CUSTOMER_OWNED_TABLES } from './customer-owned-tables';
import { rewriteLedger } from './consent-ledger';
import type { Merge } from './identity-history.types';
import { planUndo, type ForeignKey, type PlanRow } from './undo-plan';
import { recordAudit } from '../audit';
import { checkCustomerId } from '../customers';
import { EventType, appendEvent } from '../events';

const TOUCHPOINT_TABLE = 'touchpoint_events';
const IDENTIFIER_TABLES = ['contact_points', 'social_identities'] as const;

/** Row ids per customer-owned table, as stored in a merge record. */
type RowIds = Record<string, string[]>;

interface MergeRow {
  id: string;
  survivor_id: string;
  merged_id: string;
  merged_at: Date;
  merged_by: string;
  moved: RowIds;
  survivor_rows: RowIds;
  repointed: string[];
  undone_at: Date | null;
  undone_by: string | null;
  returned_after_merge: RowIds | null;
}

/**
 * Merge and undo. A merge moves the rows of every table in CUSTOMER_OWNED_TABLES and records
 * their ids, so undo moves exactly those back (plus what the undo rule sends back).
 */
export class MergeService {
  constructor(private readonly dataSource: DataSource) {}

  async merge(survivorId: string, mergedId: string, viewer: Viewer): Promise<Merge> {
    checkCustomerId(survivorId, 'survivorId');
    checkCustomerId(mergedId, 'mergedId');
    if (survivorId === mergedId) throw badInput('mergedId', 'a customer cannot be merged into itself');
    return this.dataSource.transaction(async (m) => {
      const customers = await lockCustomers(m, [survivorId, mergedId]);
      for (const [id, field] of [[survivorId, 'survivorId'], [mergedId, 'mergedId']] as const) {
        const c = customers.get(id);
        if (!c) throw new DomainError('NOT_FOUND', `customer ${id} does not exist`, { field });
        if (c.merged_into) {
          throw new DomainError('CONFLICT', `customer ${id} was already merged into ${c.merged_into}`, { field, mergedInto: c.merged_into });
        }
        if (c.erased_at) throw new DomainError('CONFLICT', `customer ${id} was erased`, { field });
      }
      const survivorRows: RowIds = {};
      const moved: RowIds = {};
      for (const table of CUSTOMER_OWNED_TABLES) {
        const kept: { id: string }[] = await m.query(`SELECT id::text AS id FROM ${table} WHERE customer_id = $1`, [survivorId]);
        survivorRows[table] = kept.map((r) => r.id);
        const move = `UPDATE ${table} SET customer_id = $1 WHERE customer_id = $2 RETURNING id::text AS id`;
        const [rows] = (table === 'consent_events'
          ? await rewriteLedger(m, 'merge', move, [survivorId, mergedId], { actor: viewer, subject: survivorId, details: { mergedId } })
          : await m.query(move, [survivorId, mergedId])) as [{ id: string }[], number];
        moved[table] = rows.map((r) => r.id);
      }
      // Customers merged into the merged one earlier now answer with the survivor too.
      const [repointed] = (await m.query(`UPDATE customers SET merged_into = $1 WHERE merged_into = $2 RETURNING id`, [
        survivorId,
        mergedId,
      ])) as [{ id: string }[], number];
      await m.query(`UPDATE customers SET merged_into = $1 WHERE id = $2`, [survivorId, mergedId]);
      const [record]: MergeRow[] = await m.query(
        `INSERT INTO customer_merges (survivor_id, merged_id, merged_by, moved, survivor_rows, repointed)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::uuid[]) RETURNING *`,
        [survivorId, mergedId, viewer.sub, JSON.stringify(moved), JSON.stringify(survivorRows), repointed.map((r) => r.id)],
      );
      await recordAudit(m, { actor: viewer, action: 'CUSTOMERS_MERGED', subject: survivorId, details: { mergeId: record.id, mergedId } });
      await appendEvent(m, EventType.CUSTOMER_MERGED, survivorId, { mergeId: record.id, survivorId, mergedId });
      return toMerge(record);
    });
  }

  /** Returns [survivor id, merged id]. */
  async undo(mergeId: string, viewer: Viewer): Promise<[string, string]> {
    checkId(mergeId, 'mergeId', 'a merge id');
    return this.dataSource.transaction(async (m) => {
      const [record]: MergeRow[] = await m.query(`SELECT * FROM customer_merges WHERE id = $1 FOR UPDATE`, [mergeId]);
      if (!record) throw new DomainError('NOT_FOUND', `merge ${mergeId} does not exist`, { field: 'mergeId' });
      if (record.undone_at) throw new DomainError('CONFLICT', `merge ${mergeId} was already undone`, { field: 'mergeId' });
      const { survivor_id: survivorId, merged_id: mergedId } = record;
      const customers = await lockCustomers(m, [survivorId, mergedId]);
      const later = customers.get(survivorId)!.merged_into;
      if (later) {
        const [next]: { id: string }[] = await m.query(`SELECT id FROM customer_merges WHERE merged_id = $1 AND undone_at IS NULL`, [survivorId]);
        throw new DomainError('CONFLICT', `the survivor was later merged into ${later}: undo merge ${next?.id} first`, {
          field: 'mergeId',
          laterMergeId: next?.id ?? null,
        });
      }
      const plan = await this.plan(m, record);
      for (const [table, ids] of plan.back) {
        if (ids.length === 0) continue;
        const back = `UPDATE ${table} SET customer_id = $1 WHERE customer_id = $2 AND id::text = ANY($3::text[])`;
        if (table === 'consent_events') {
          await rewriteLedger(m, 'merge', back, [mergedId, survivorId, ids], { actor: viewer, subject: mergedId, details: { mergeId, undo: true } });
        } else {
          await m.query(back, [mergedId, survivorId, ids]);
        }
      }
      await m.query(`UPDATE customers SET merged_into = $1 WHERE id = ANY($2::uuid[]) AND merged_into = $3`, [mergedId, record.repointed, survivorId]);
      await m.query(`UPDATE customers SET merged_into = NULL WHERE id = $1`, [mergedId]);
      await m.query(`UPDATE customer_merges SET undone_at = now(), undone_by = $2, returned_after_merge = $3::jsonb WHERE id = $1`, [
        mergeId,
        viewer.sub,
        JSON.stringify(Object.fromEntries(plan.addedAfterMerge)),
      ]);
      await recordAudit(m, { actor: viewer, action: 'MERGE_UNDONE', subject: survivorId, details: { mergeId, mergedId } });
      await appendEvent(m, EventType.MERGE_UNDONE, survivorId, { mergeId, survivorId, mergedId });
      return [survivorId, mergedId];
    });
  }

  private async plan(m: EntityManager, record: MergeRow) {
    const tables = [...CUSTOMER_OWNED_TABLES];
    const fks: ForeignKey[] = await m.query(
      `SELECT c.conrelid::regclass::text AS "table", a.attname AS "column", c.confrelid::regclass::text AS "refTable"
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
          AND c.conrelid::regclass::text = ANY($1) AND c.confrelid::regclass::text = ANY($1)`,
      [tables],
    );
    const rows = new Map<string, PlanRow[]>();
    for (const table of tables) {
      const columns = fks.filter((fk) => fk.table === table).map((fk) => fk.column);
      const select = ['id::text AS id', ...columns.map((c) => `${c}::text AS "${c}"`)].join(', ');
      const found: Record<string, string | null>[] = await m.query(`SELECT ${select} FROM ${table} WHERE customer_id = $1`, [record.survivor_id]);
      rows.set(table, found.map((r) => ({ id: r.id!, refs: r })));
    }
    const touchpoints: { id: string; matched: string[]; added: string[] }[] = await m.query(
      `SELECT id::text AS id, matched_ids::text[] AS matched, added_ids::text[] AS added FROM ${TOUCHPOINT_TABLE}
        WHERE customer_id = $1 AND recorded_at >= $2`,
      [record.survivor_id, record.merged_at],
    );
    // Rows that reached the survivor through a later merge are that merge's business.
    const later: { moved: RowIds }[] = await m.query(
      `SELECT moved FROM customer_merges WHERE survivor_id = $1 AND merged_at > $2 AND undone_at IS NULL`,
      [record.survivor_id, record.merged_at],
    );
    const notAddedAfterMerge = new Map(
      tables.map((t) => [t, new Set([...(record.survivor_rows[t] ?? []), ...later.flatMap((l) => l.moved[t] ?? [])])]),
    );
    return planUndo({
      rows,
      fks,
      moved: new Map(tables.map((t) => [t, new Set(record.moved[t] ?? [])])),
      notAddedAfterMerge,
      touchpointTable: TOUCHPOINT_TABLE,
      touchpoints,
      identifierTables: IDENTIFIER_TABLES,
    });
  }
}

async function lockCustomers(m: EntityManager, ids: string[]) {
  const rows: { id: string; merged_into: string | null; erased_at: Date | null }[] = await m.query(
    `SELECT id, merged_into, erased_at FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

const counts = (ids: RowIds | null) => Object.entries(ids ?? {}).map(([table, list]) => ({ table, count: list.length }));

export function toMerge(r: MergeRow): Merge {
  return {
    id: r.id,
    survivorId: r.survivor_id,
    mergedCustomerId: r.merged_id,
    mergedAt: r.merged_at,
    mergedBy: r.merged_by,
    undoneAt: r.undone_at,
    undoneBy: r.undone_by,
    moved: counts(r.moved),
    returnedAfterMerge: counts(r.returned_after_merge),
  };
}

export type { MergeRow };
