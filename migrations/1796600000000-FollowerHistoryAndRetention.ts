import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follower counts as history, and the retention policy with its job's state.
 *
 * follower_history: one point per change of a social identity's follower_count, appended by
 * statement triggers on social_identities (transition tables: one INSERT per statement, however
 * many rows it wrote). Every path that writes a count (touchpoints, ingestion, recordFollowerCounts,
 * the seeds) is covered without each having to remember; an unchanged count or a NULL adds nothing.
 * Points hang off the identity, not the customer: a merge, its undo or a detached identifier
 * move the identity and its history goes with it. Existing counts become one point each, at the
 * time of this migration (when they were measured is not known).
 *
 * influence_scores_topic serves influencersOnTopic.
 *
 * retention_policy: one row, both settings NULL (off). retention_runs: one row per daily run,
 * its phase and keyset cursor advanced in the transaction of each batch, so a crash resumes
 * where the last committed batch stopped.
 */
export class FollowerHistoryAndRetention1796600000000 implements MigrationInterface {
  name = 'FollowerHistoryAndRetention1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follower_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        social_identity_id uuid NOT NULL REFERENCES social_identities(id) ON DELETE CASCADE,
        follower_count integer NOT NULL CHECK (follower_count >= 0),
        measured_at timestamptz NOT NULL DEFAULT statement_timestamp()
      )`);
    await q.query(`CREATE INDEX follower_history_identity_time ON follower_history (social_identity_id, measured_at DESC, id DESC)`);
    await q.query(`
      CREATE FUNCTION follower_history_append() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO follower_history (social_identity_id, follower_count)
          SELECT n.id, n.follower_count FROM follower_new n WHERE n.follower_count IS NOT NULL;
        ELSE
          INSERT INTO follower_history (social_identity_id, follower_count)
          SELECT n.id, n.follower_count FROM follower_new n JOIN follower_old o ON o.id = n.id
           WHERE n.follower_count IS NOT NULL AND n.follower_count IS DISTINCT FROM o.follower_count;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER social_identities_follower_insert AFTER INSERT ON social_identities
                   REFERENCING NEW TABLE AS follower_new FOR EACH STATEMENT EXECUTE FUNCTION follower_history_append()`);
    await q.query(`CREATE TRIGGER social_identities_follower_update AFTER UPDATE ON social_identities
                   REFERENCING OLD TABLE AS follower_old NEW TABLE AS follower_new FOR EACH STATEMENT EXECUTE FUNCTION follower_history_append()`);
    await q.query(`INSERT INTO follower_history (social_identity_id, follower_count)
                   SELECT id, follower_count FROM social_identities WHERE follower_count IS NOT NULL`);
    // influencersOnTopic: the newest cross-platform score of each customer on one topic.
    await q.query(`CREATE INDEX influence_scores_topic ON influence_scores (topic, customer_id, measured_at DESC, id DESC) WHERE platform IS NULL`);

    await q.query(`
      CREATE TABLE retention_policy (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        closed_conversation_days integer CHECK (closed_conversation_days BETWEEN 1 AND 36500),
        anonymise_inactive_customer_days integer CHECK (anonymise_inactive_customer_days BETWEEN 1 AND 36500),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'migration'
      )`);
    await q.query(`INSERT INTO retention_policy DEFAULT VALUES`);
    await q.query(`
      CREATE TABLE retention_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        closed_conversation_days integer,
        anonymise_inactive_customer_days integer,
        phase text NOT NULL DEFAULT 'CONVERSATIONS' CHECK (phase IN ('CONVERSATIONS', 'CUSTOMERS', 'DONE')),
        cursor uuid,
        batches integer NOT NULL DEFAULT 0,
        conversations_redacted integer NOT NULL DEFAULT 0,
        customers_anonymised integer NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE retention_runs`);
    await q.query(`DROP TABLE retention_policy`);
    await q.query(`DROP INDEX influence_scores_topic`);
    await q.query(`DROP TRIGGER social_identities_follower_update ON social_identities`);
    await q.query(`DROP TRIGGER social_identities_follower_insert ON social_identities`);
    await q.query(`DROP FUNCTION follower_history_append()`);
    await q.query(`DROP TABLE follower_history`);
  }
}
