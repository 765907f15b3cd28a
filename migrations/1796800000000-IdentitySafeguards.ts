import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables of the identity rules: a change to any of them is a change of the rules (IdentityRulesService.cached). */
const RULE_TABLES = ['identifier_blocks', 'opt_out_keywords'];

/**
 * Identity safeguards (docs/identity.md, "Blocked identifiers"; docs/consent-and-segments.md,
 * "Opt-out in the conversation"):
 * - identifier_blocks: values that never link customers (a placeholder email, a shop's shared
 *   number, a test handle), exact or as a pattern; unblocking stamps removed_at (kept as history).
 *   One live block per kind, platform and value: blocking twice answers the first.
 * - opt_out_keywords: the words that, as the whole text of an inbound SMS or WhatsApp message,
 *   withdraw MARKETING for its sender.
 * - identity_rules_version: one row bumped by a statement trigger on both, so ingestion keeps the
 *   rules in memory and reads only this number (as care_rules_version does for the care rules).
 * - consent_events.interaction_id: the message a decision came from; one decision per message.
 */
export class IdentitySafeguards1796800000000 implements MigrationInterface {
  name = 'IdentitySafeguards1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identifier_blocks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('EMAIL', 'PHONE', 'HANDLE')),
        platform text,
        value text NOT NULL,
        is_pattern boolean NOT NULL DEFAULT false,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        removed_at timestamptz,
        removed_by text,
        CONSTRAINT identifier_blocks_platform_only_for_handles CHECK (platform IS NULL OR kind = 'HANDLE')
      )`);
    await q.query(`CREATE UNIQUE INDEX identifier_blocks_live_key ON identifier_blocks (kind, coalesce(platform, ''), value, is_pattern)
                   WHERE removed_at IS NULL`);
    await q.query(`
      CREATE TABLE opt_out_keywords (
        keyword text PRIMARY KEY CHECK (keyword = upper(keyword) AND length(keyword) BETWEEN 1 AND 30),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`INSERT INTO opt_out_keywords (keyword, updated_by)
                   SELECT k, 'migration' FROM unnest(ARRAY['STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']) AS k`);
    await q.query(`
      CREATE TABLE identity_rules_version (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL DEFAULT 1
      )`);
    await q.query(`INSERT INTO identity_rules_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION identity_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE identity_rules_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    for (const table of RULE_TABLES) {
      await q.query(`CREATE TRIGGER ${table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION identity_rules_changed()`);
    }
    await q.query(`ALTER TABLE consent_events ADD COLUMN interaction_id uuid`);
    await q.query(`CREATE UNIQUE INDEX consent_events_interaction_key ON consent_events (interaction_id) WHERE interaction_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent_events_interaction_key`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN interaction_id`);
    for (const table of RULE_TABLES) await q.query(`DROP TRIGGER ${table}_version ON ${table}`);
    await q.query(`DROP FUNCTION identity_rules_changed()`);
    await q.query(`DROP TABLE identity_rules_version`);
    await q.query(`DROP TABLE opt_out_keywords`);
    await q.query(`DROP TABLE identifier_blocks`);
  }
}
