import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table LOAD_RULES_SQL (src/care/rules/care-rules.sql.ts) reads: a change to any of them is a change of the rules. */
const RULE_TABLES = [
  'care_lane_rules', 'care_skill_groups', 'care_filter_rules', 'care_escalation_rules', 'care_sla_targets', 'care_business_hours', 'pii_patterns',
];

/**
 * The care rules' version: one row, bumped by a statement trigger on every table of the rules,
 * in the transaction of the change. Ingestion used to read every rule on every call (one
 * statement aggregating seven tables); it now reads this number with its first statement and
 * keeps the rules in memory until the number moves (CareRulesService.cached).
 */
export class CareRulesVersion1795910000000 implements MigrationInterface {
  name = 'CareRulesVersion1795910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE care_rules_version (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL DEFAULT 1
      )`);
    await q.query(`INSERT INTO care_rules_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION care_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE care_rules_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    for (const table of RULE_TABLES) {
      await q.query(`CREATE TRIGGER ${table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION care_rules_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of RULE_TABLES) await q.query(`DROP TRIGGER ${table}_version ON ${table}`);
    await q.query(`DROP FUNCTION care_rules_changed()`);
    await q.query(`DROP TABLE care_rules_version`);
  }
}
