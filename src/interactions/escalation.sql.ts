import type { EntityManager } from 'typeorm';

export interface NewEscalation {
  id: string;
  customerId: string;
  interactionId: string;
  team: string;
  reason: string;
  automatic: boolean;
  createdBy: string;
}

/** Writes escalations in one statement. */
export async function insertEscalations(m: EntityManager, rows: NewEscalation[]): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO escalations (id, customer_id, interaction_id, team, reason, automatic, created_by)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::boolean[], $7::text[])`,
    [rows.map((r) => r.id), rows.map((r) => r.customerId), rows.map((r) => r.interactionId), rows.map((r) => r.team),
      rows.map((r) => r.reason), rows.map((r) => r.automatic), rows.map((r) => r.createdBy)],
  );
}
