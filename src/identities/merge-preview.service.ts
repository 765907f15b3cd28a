import type { Pool } from 'pg';
import { checkCustomerId } from '../customers';
import { DomainError } from '../graphql';
import { CUSTOMER_OWNED_TABLES } from './customer-owned-tables';
import type { MergePreview } from './identity-safeguards.types';

interface CustomerState {
  id: string;
  tier: string;
  merged_into: string | null;
  erased_at: Date | null;
}

/**
 * mergePreview: what mergeCustomers would move, table by table, and what stands in its way,
 * read without writing. The tables are the merge's own list (CUSTOMER_OWNED_TABLES) and the
 * rows are those the merge's UPDATE would take (customer_id = the merged customer).
 */
export class MergePreviewService {
  constructor(private readonly pool: Pool) {}

  async preview(survivorId: string, mergedId: string): Promise<MergePreview> {
    checkCustomerId(survivorId, 'survivorId');
    checkCustomerId(mergedId, 'mergedId');
    const { rows: customers } = await this.pool.query<CustomerState>(
      `SELECT id, tier, merged_into, erased_at FROM customers WHERE id = ANY($1::uuid[])`, [[survivorId, mergedId]]);
    const byId = new Map(customers.map((c) => [c.id, c]));
    for (const [id, field] of [[survivorId, 'survivorId'], [mergedId, 'mergedId']] as const) {
      if (!byId.has(id)) throw new DomainError('NOT_FOUND', `customer ${id} does not exist`, { field });
    }
    const conflicts: string[] = [];
    if (survivorId === mergedId) conflicts.push('survivorId and mergedId are the same customer: a customer cannot be merged into itself');
    for (const [id, role] of [[survivorId, 'the survivor'], [mergedId, 'the merged customer']] as const) {
      const c = byId.get(id)!;
      if (c.merged_into) conflicts.push(`${role} (${id}) was already merged into ${c.merged_into}`);
      if (c.erased_at) conflicts.push(`${role} (${id}) was erased`);
    }
    const survivor = byId.get(survivorId)!;
    const merged = byId.get(mergedId)!;
    if (survivorId !== mergedId && survivor.tier !== merged.tier) {
      conflicts.push(`tiers differ: ${survivor.tier} (survivor) and ${merged.tier} (merged customer); the survivor keeps ${survivor.tier}`);
    }
    if (survivorId !== mergedId) conflicts.push(...(await this.consentConflicts(survivorId, mergedId)));
    const counts = await this.pool.query<{ table: string; rows: number }>(
      CUSTOMER_OWNED_TABLES.map((t, n) => `SELECT ${n} AS n, '${t}' AS "table", count(*)::int AS rows FROM ${t} WHERE customer_id = $1`).join('\nUNION ALL\n')
        + '\nORDER BY n',
      [mergedId],
    );
    const moves = survivorId === mergedId ? [] : counts.rows.map((r) => ({ table: r.table, rows: r.rows }));
    return { survivorId, mergedId, moves, conflicts };
  }

  /** Purposes where the two customers' identities hold different current decisions (each identity keeps its own after a merge). */
  private async consentConflicts(survivorId: string, mergedId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ purpose: string; survivor: string[]; merged: string[] }>(
      `WITH states AS (
         SELECT ids.customer_id, cur.purpose,
                CASE WHEN cur.status = 'GRANTED' AND cur.expires_at <= now() THEN 'EXPIRED' ELSE cur.status END AS status
           FROM (SELECT id, customer_id FROM contact_points WHERE customer_id = ANY($1::uuid[])
                 UNION ALL SELECT id, customer_id FROM social_identities WHERE customer_id = ANY($1::uuid[])) ids
           JOIN consent_current cur ON cur.identity_id = ids.id)
       SELECT purpose,
              array_agg(DISTINCT status ORDER BY status) FILTER (WHERE customer_id = $2) AS survivor,
              array_agg(DISTINCT status ORDER BY status) FILTER (WHERE customer_id = $3) AS merged
         FROM states GROUP BY purpose ORDER BY purpose`,
      [[survivorId, mergedId], survivorId, mergedId],
    );
    return rows
      .filter((r) => r.survivor && r.merged && r.survivor.join() !== r.merged.join())
      .map((r) => `${r.purpose} consent differs: ${r.survivor.join('/')} on the survivor, ${r.merged.join('/')} on the merged customer; each identity keeps its own decisions`);
  }
}
