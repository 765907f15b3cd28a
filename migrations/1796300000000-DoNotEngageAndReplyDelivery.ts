import type { MigrationInterface, QueryRunner } from 'typeorm';
import { claimNextFunctionSql } from '../src/care/desk/queue-membership';

/** The queue's partial indexes (QueueActionableOnly, ClaimInOneStatement), re-created on the new membership. */
const QUEUE_INDEXES: [string, string][] = [
  ['interactions_queue_idx', '(queue_key, id)'],
  ['interactions_queue_lane_idx', '(lane, queue_key, id)'],
  ['interactions_queue_channel_idx', '(channel, queue_key, id)'],
  ['interactions_queue_skill_idx', '(skill_group, queue_key, id)'],
  ['interactions_queue_tier_idx', '(queue_tier, queue_key, id)'],
];

/** The conjunct this migration adds to queue membership (src/care/desk/queue-membership.ts). */
const NOT_DO_NOT_ENGAGE = ' AND do_not_engage_rule_id IS NULL';
/**
 * The indexes' predicate as it stood before and after this migration, written out: migrations of
 * other branches add their own conjuncts on columns created later, and QueueRuleOfTheCareWeek1797000000001
 * applies the whole rule from the module once every column exists.
 */
const QUEUED_BEFORE = `status = 'OPEN' AND direction = 'INBOUND' AND actionable`;
const QUEUED_AFTER = `${QUEUED_BEFORE}${NOT_DO_NOT_ENGAGE}`;

/**
 * Do-not-engage rules and reply delivery (issue 26).
 *
 * - care_do_not_engage_rules: handles and keywords whose posts are recorded but kept out of the
 *   queue and out of automatic replies. Part of the care rules: its statement trigger bumps
 *   care_rules_version, so ingestion reads it with the other rules, once per change.
 * - interactions.do_not_engage_rule_id: the rule that kept an inbound post out, set at
 *   ingestion. No foreign key: rules are deactivated, never deleted, and a foreign key would
 *   queue a trigger event per ingested row. Queue membership gains `do_not_engage_rule_id IS
 *   NULL`: the claim function is re-applied from the module, the partial indexes on the predicate written out above.
 * - interactions.delivery_*: an outbound reply's delivery (PENDING until a connector confirms
 *   with recordReplyDelivery, SENT with the platform's id in external_id, or FAILED with the
 *   connector's error). NULL on inbound items and on replies recorded before this migration.
 */
export class DoNotEngageAndReplyDelivery1796300000000 implements MigrationInterface {
  name = 'DoNotEngageAndReplyDelivery1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE care_do_not_engage_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        handles text[] NOT NULL DEFAULT '{}',
        keywords text[] NOT NULL DEFAULT '{}',
        reason text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`CREATE TRIGGER care_do_not_engage_rules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON care_do_not_engage_rules
                   FOR EACH STATEMENT EXECUTE FUNCTION care_rules_changed()`);
    await q.query(`ALTER TABLE interactions ADD COLUMN do_not_engage_rule_id uuid,
                     ADD COLUMN delivery_status text CHECK (delivery_status IN ('PENDING', 'SENT', 'FAILED')),
                     ADD COLUMN delivery_error text,
                     ADD COLUMN delivery_updated_at timestamptz`);
    // What each rule filtered (metrics): a handful of rows among millions.
    await q.query(`CREATE INDEX interactions_do_not_engage_idx ON interactions (do_not_engage_rule_id, occurred_at)
                   WHERE do_not_engage_rule_id IS NOT NULL`);
    await this.membership(q, QUEUED_AFTER);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.membership(q, QUEUED_BEFORE, true);
    await q.query(`DROP INDEX interactions_do_not_engage_idx`);
    await q.query(`ALTER TABLE interactions DROP COLUMN do_not_engage_rule_id, DROP COLUMN delivery_status, DROP COLUMN delivery_error,
                     DROP COLUMN delivery_updated_at`);
    await q.query(`DROP TABLE care_do_not_engage_rules`);
  }

  /** The queue's indexes and claim on `predicate` (the claim's text without this conjunct on the way down). */
  private async membership(q: QueryRunner, predicate: string, down = false): Promise<void> {
    for (const [name, columns] of QUEUE_INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON interactions ${columns} WHERE ${predicate}`);
    }
    const claim = claimNextFunctionSql();
    await q.query(down ? claim.split(`${NOT_DO_NOT_ENGAGE.replace(' AND ', ' AND n.')}`).join('') : claim);
  }
}
