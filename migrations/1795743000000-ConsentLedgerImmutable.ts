import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent ledger is append-only in the database, as the audit log is: a trigger refuses
 * UPDATE, DELETE and TRUNCATE of consent_events. Two writes must still change ledger rows, and
 * they get one narrow path each, opened by a transaction-local setting that only
 * src/identities/consent-ledger.ts `rewriteLedger` sets (around one statement, and audited):
 * - `social_crm.ledger_rewrite = 'merge'`: a merge or its undo moves rows between customers;
 *   only customer_id may change.
 * - `social_crm.ledger_rewrite = 'erasure'`: an erasure scrubs personal data from the free text;
 *   only wording, wording_version, recorded_by and source may change (never what was decided,
 *   for which identity, when, or until when).
 * DELETE and TRUNCATE are refused whatever the setting.
 */
export class ConsentLedgerImmutable1795743000000 implements MigrationInterface {
  name = 'ConsentLedgerImmutable1795743000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION consent_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        reason text := coalesce(current_setting('social_crm.ledger_rewrite', true), '');
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF reason = 'merge'
             AND (NEW.id, NEW.social_identity_id, NEW.contact_point_id, NEW.purpose, NEW.status, NEW.recorded_at, NEW.source,
                  NEW.recorded_by, NEW.wording, NEW.wording_version, NEW.expires_at)
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.social_identity_id, OLD.contact_point_id, OLD.purpose, OLD.status, OLD.recorded_at, OLD.source,
                  OLD.recorded_by, OLD.wording, OLD.wording_version, OLD.expires_at) THEN
            RETURN NEW;
          END IF;
          IF reason = 'erasure'
             AND (NEW.id, NEW.customer_id, NEW.social_identity_id, NEW.contact_point_id, NEW.purpose, NEW.status, NEW.recorded_at,
                  NEW.expires_at)
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.customer_id, OLD.social_identity_id, OLD.contact_point_id, OLD.purpose, OLD.status, OLD.recorded_at,
                  OLD.expires_at) THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'consent_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'record a new decision instead; merges and erasures rewrite rows only through rewriteLedger';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER consent_events_no_update_delete BEFORE UPDATE OR DELETE ON consent_events
        FOR EACH ROW EXECUTE FUNCTION consent_events_guard()`);
    await q.query(`
      CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
        FOR EACH STATEMENT EXECUTE FUNCTION consent_events_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER consent_events_no_truncate ON consent_events`);
    await q.query(`DROP TRIGGER consent_events_no_update_delete ON consent_events`);
    await q.query(`DROP FUNCTION consent_events_guard()`);
  }
}
