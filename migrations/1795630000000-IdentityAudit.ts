import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity audit: what each touchpoint linked (touchpoint_events, customer-owned, so it
 * moves with a merge) and the merge records that make a merge undoable (customer_merges:
 * the exact row ids that moved, per table). Also the wording version of a consent, and an
 * index on the local part of emails for duplicate suggestions ("handle equals local part").
 */
export class IdentityAudit1795630000000 implements MigrationInterface {
  name = 'IdentityAudit1795630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE touchpoint_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        touchpoint text NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        request_id text,
        created_customer boolean NOT NULL DEFAULT false,
        identifiers jsonb NOT NULL,
        matched_ids uuid[] NOT NULL DEFAULT '{}',
        added_ids uuid[] NOT NULL DEFAULT '{}',
        consent_count integer NOT NULL DEFAULT 0,
        attribute_keys text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX touchpoint_events_customer_idx ON touchpoint_events (customer_id, recorded_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE customer_merges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survivor_id uuid NOT NULL REFERENCES customers(id),
        merged_id uuid NOT NULL REFERENCES customers(id),
        merged_at timestamptz NOT NULL DEFAULT now(),
        merged_by text NOT NULL,
        moved jsonb NOT NULL,
        survivor_rows jsonb NOT NULL,
        repointed uuid[] NOT NULL DEFAULT '{}',
        undone_at timestamptz,
        undone_by text,
        returned_after_merge jsonb,
        CONSTRAINT customer_merges_distinct CHECK (survivor_id <> merged_id)
      )`);
    // One live merge per merged customer: a second concurrent merge of the same customer fails.
    await q.query(`CREATE UNIQUE INDEX customer_merges_live_key ON customer_merges (merged_id) WHERE undone_at IS NULL`);
    await q.query(`CREATE INDEX customer_merges_survivor_idx ON customer_merges (survivor_id, merged_at DESC)`);
    await q.query(`CREATE INDEX customer_merges_merged_idx ON customer_merges (merged_id, merged_at DESC)`);

    await q.query(`ALTER TABLE consent_events ADD COLUMN wording_version text`);
    await q.query(
      `CREATE INDEX contact_points_email_local_idx ON contact_points (replace(split_part(split_part(value, '@', 1), '+', 1), '.', ''))
        WHERE kind = 'EMAIL'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX contact_points_email_local_idx`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN wording_version`);
    await q.query(`DROP TABLE customer_merges`);
    await q.query(`DROP TABLE touchpoint_events`);
  }
}
