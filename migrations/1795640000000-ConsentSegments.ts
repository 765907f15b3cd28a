import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * consent_current: the newest consent event per (identity, purpose), kept by a statement-level
 * trigger on consent_events so segment queries test one indexed row per identity instead of
 * sorting the ledger. It deliberately has no customer_id: merges move identities between
 * customers, and the customer is always read from the identity itself.
 * erasures: one row per erasure (who, when, what was anonymised), kept as the proof.
 */
export class ConsentSegments1795640000000 implements MigrationInterface {
  name = 'ConsentSegments1795640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_current (
        identity_id uuid NOT NULL,
        identity_kind text NOT NULL CHECK (identity_kind IN ('SOCIAL','CONTACT')),
        purpose text NOT NULL,
        status text NOT NULL,
        recorded_at timestamptz NOT NULL,
        expires_at timestamptz,
        event_id bigint NOT NULL,
        PRIMARY KEY (identity_id, purpose)
      )`);
    await q.query(`
      CREATE FUNCTION consent_current_apply() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO consent_current AS cc (identity_id, identity_kind, purpose, status, recorded_at, expires_at, event_id)
        SELECT DISTINCT ON (identity_id, purpose) identity_id, kind, purpose, status, recorded_at, expires_at, id
          FROM (SELECT coalesce(social_identity_id, contact_point_id) AS identity_id,
                       CASE WHEN social_identity_id IS NULL THEN 'CONTACT' ELSE 'SOCIAL' END AS kind,
                       purpose, status, recorded_at, expires_at, id
                  FROM new_events) e
         ORDER BY identity_id, purpose, recorded_at DESC, id DESC
        ON CONFLICT (identity_id, purpose) DO UPDATE
           SET status = EXCLUDED.status, recorded_at = EXCLUDED.recorded_at,
               expires_at = EXCLUDED.expires_at, event_id = EXCLUDED.event_id
         WHERE (cc.recorded_at, cc.event_id) < (EXCLUDED.recorded_at, EXCLUDED.event_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER consent_events_current AFTER INSERT ON consent_events
        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION consent_current_apply()`);
    await q.query(`
      INSERT INTO consent_current (identity_id, identity_kind, purpose, status, recorded_at, expires_at, event_id)
      SELECT DISTINCT ON (coalesce(social_identity_id, contact_point_id), purpose)
             coalesce(social_identity_id, contact_point_id),
             CASE WHEN social_identity_id IS NULL THEN 'CONTACT' ELSE 'SOCIAL' END,
             purpose, status, recorded_at, expires_at, id
        FROM consent_events
       ORDER BY coalesce(social_identity_id, contact_point_id), purpose, recorded_at DESC, id DESC`);

    await q.query(`
      CREATE TABLE erasures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        erased_by text NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now(),
        counts jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX erasures_customer_idx ON erasures (customer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures`);
    await q.query(`DROP TRIGGER consent_events_current ON consent_events`);
    await q.query(`DROP FUNCTION consent_current_apply()`);
    await q.query(`DROP TABLE consent_current`);
  }
}
