import type { MigrationInterface, QueryRunner } from 'typeorm';

/** consent_current_apply: the newest decision per (identity, purpose) of the inserted events wins; `order` ranks them. */
const applyBody = (columns: string, order: string, newer: string) => `
      BEGIN
        INSERT INTO consent_current AS cc (identity_id, identity_kind, purpose, status, recorded_at, expires_at, event_id${columns})
        SELECT DISTINCT ON (identity_id, purpose) identity_id, kind, purpose, status, recorded_at, expires_at, id${columns}
          FROM (SELECT coalesce(social_identity_id, contact_point_id) AS identity_id,
                       CASE WHEN social_identity_id IS NULL THEN 'CONTACT' ELSE 'SOCIAL' END AS kind,
                       purpose, status, recorded_at, expires_at, id${columns}
                  FROM new_events) e
         ORDER BY identity_id, purpose, ${order}
        ON CONFLICT (identity_id, purpose) DO UPDATE
           SET status = EXCLUDED.status, recorded_at = EXCLUDED.recorded_at,
               expires_at = EXCLUDED.expires_at, event_id = EXCLUDED.event_id${columns ? ', effective_at = EXCLUDED.effective_at' : ''}
         WHERE ${newer};
        RETURN NULL;
      END`;

const NEW_APPLY = applyBody(', effective_at', 'effective_at DESC, recorded_at DESC, id DESC',
  '(cc.effective_at, cc.recorded_at, cc.event_id) < (EXCLUDED.effective_at, EXCLUDED.recorded_at, EXCLUDED.event_id)');
const OLD_APPLY = applyBody('', 'recorded_at DESC, id DESC', '(cc.recorded_at, cc.event_id) < (EXCLUDED.recorded_at, EXCLUDED.event_id)');

/** consent_events_guard (1795743000000-ConsentLedgerImmutable) over the columns a merge or an erasure must leave alone. */
const guardBody = (effective: string) => `
      DECLARE
        reason text := coalesce(current_setting('social_crm.ledger_rewrite', true), '');
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF reason = 'merge'
             AND (NEW.id, NEW.social_identity_id, NEW.contact_point_id, NEW.purpose, NEW.status, NEW.recorded_at, NEW.source,
                  NEW.recorded_by, NEW.wording, NEW.wording_version, NEW.expires_at${effective.replace(/X/g, 'NEW')})
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.social_identity_id, OLD.contact_point_id, OLD.purpose, OLD.status, OLD.recorded_at, OLD.source,
                  OLD.recorded_by, OLD.wording, OLD.wording_version, OLD.expires_at${effective.replace(/X/g, 'OLD')}) THEN
            RETURN NEW;
          END IF;
          IF reason = 'erasure'
             AND (NEW.id, NEW.customer_id, NEW.social_identity_id, NEW.contact_point_id, NEW.purpose, NEW.status, NEW.recorded_at,
                  NEW.expires_at${effective.replace(/X/g, 'NEW')})
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.customer_id, OLD.social_identity_id, OLD.contact_point_id, OLD.purpose, OLD.status, OLD.recorded_at,
                  OLD.expires_at${effective.replace(/X/g, 'OLD')}) THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'consent_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'record a new decision instead; merges and erasures rewrite rows only through rewriteLedger';
      END`;

/**
 * Two times per consent decision, so that "what was allowed at instant T" is a proof:
 * - recorded_at: when this service wrote the decision (now() of the writing transaction, never
 *   given by the caller). Consent as of T reads only decisions recorded at or before T, so a
 *   decision written later, however it is dated, cannot change what was allowed at T.
 * - effective_at: when the customer gave it (a touchpoint imported with occurredAt: then;
 *   otherwise the same as recorded_at). Among the decisions known at T, the one the customer
 *   gave last is the state: an import of last year's grant does not undo yesterday's withdrawal.
 * Existing rows keep recorded_at (the only time they have) and get it as effective_at, so every
 * current state and every past answer stays what it was. A row inserted without effective_at
 * (data loaders, tests) gets its recorded_at. consent_current keeps effective_at to rank by it;
 * the ledger's guard protects it as it does recorded_at.
 * down() puts the customer's time back into recorded_at (what the column held before) and
 * rebuilds consent_current by the old order.
 */
export class ConsentEffectiveAt1795891000000 implements MigrationInterface {
  name = 'ConsentEffectiveAt1795891000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_events ADD COLUMN effective_at timestamptz`);
    // The ledger refuses updates (ConsentLedgerImmutable): the backfill runs with its guard off, in this transaction only.
    await q.query(`ALTER TABLE consent_events DISABLE TRIGGER consent_events_no_update_delete`);
    await q.query(`UPDATE consent_events SET effective_at = recorded_at`);
    await q.query(`ALTER TABLE consent_events ENABLE TRIGGER consent_events_no_update_delete`);
    await q.query(`ALTER TABLE consent_events ALTER COLUMN effective_at SET NOT NULL`);
    await q.query(`
      CREATE FUNCTION consent_events_effective_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.effective_at := NEW.recorded_at;
        RETURN NEW;
      END $$`);
    // WHEN is evaluated without calling the function: the service's inserts, which bring effective_at, pay nothing.
    await q.query(`
      CREATE TRIGGER consent_events_effective_default BEFORE INSERT ON consent_events FOR EACH ROW
        WHEN (NEW.effective_at IS NULL) EXECUTE FUNCTION consent_events_effective_default()`);
    await q.query(`ALTER TABLE consent_current ADD COLUMN effective_at timestamptz`);
    await q.query(`UPDATE consent_current SET effective_at = recorded_at`);
    await q.query(`ALTER TABLE consent_current ALTER COLUMN effective_at SET NOT NULL`);
    await q.query(`CREATE OR REPLACE FUNCTION consent_current_apply() RETURNS trigger LANGUAGE plpgsql AS $$${NEW_APPLY} $$`);
    await q.query(`CREATE OR REPLACE FUNCTION consent_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$${guardBody(', X.effective_at')} $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION consent_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$${guardBody('')} $$`);
    await q.query(`CREATE OR REPLACE FUNCTION consent_current_apply() RETURNS trigger LANGUAGE plpgsql AS $$${OLD_APPLY} $$`);
    await q.query(`DROP TRIGGER consent_events_effective_default ON consent_events`);
    await q.query(`DROP FUNCTION consent_events_effective_default()`);
    await q.query(`ALTER TABLE consent_events DISABLE TRIGGER consent_events_no_update_delete`);
    await q.query(`UPDATE consent_events SET recorded_at = effective_at WHERE recorded_at IS DISTINCT FROM effective_at`);
    await q.query(`ALTER TABLE consent_events ENABLE TRIGGER consent_events_no_update_delete`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN effective_at`);
    await q.query(`ALTER TABLE consent_current DROP COLUMN effective_at`);
    await q.query(`DELETE FROM consent_current`);
    await q.query(`
      INSERT INTO consent_current (identity_id, identity_kind, purpose, status, recorded_at, expires_at, event_id)
      SELECT DISTINCT ON (coalesce(social_identity_id, contact_point_id), purpose)
             coalesce(social_identity_id, contact_point_id),
             CASE WHEN social_identity_id IS NULL THEN 'CONTACT' ELSE 'SOCIAL' END,
             purpose, status, recorded_at, expires_at, id
        FROM consent_events
       ORDER BY coalesce(social_identity_id, contact_point_id), purpose, recorded_at DESC, id DESC`);
  }
}
