import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved segments, kept current without re-scanning them on every write (docs/consent-and-segments.md,
 * "Saved segments").
 *
 * - saved_segments: a name, a purpose and the filter (the GraphQL input as JSON).
 * - saved_segment_members: who is in each, as the last evaluation found them (what SEGMENT_ENTERED
 *   and SEGMENT_LEFT told followers).
 * - segment_dirty_customers: customers a write may have moved in or out. Triggers (statement-level
 *   with transition tables for bulk inserts) append their ids (one INSERT per statement, no unique key: a write never
 *   waits on another for this row, and two bulk writes cannot deadlock on it); the segment worker
 *   takes them with SKIP LOCKED, deduplicates and evaluates each saved segment for those ids only.
 *   Nothing is appended while no segment is saved.
 *
 * A table added later that a filter reads (purchases) gets the same triggers as those of TABLES:
 *   CREATE TRIGGER <t>_segment_dirty_ins AFTER INSERT ON <t> REFERENCING NEW TABLE AS new_rows
 *     FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_customer_id();
 * (and _upd / _del alike); until then the periodic full evaluation catches its changes.
 */
export class SavedSegments1796700000000 implements MigrationInterface {
  name = 'SavedSegments1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saved_segments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
        purpose text NOT NULL CHECK (purpose IN ('SERVICE', 'MARKETING', 'PROFILING')),
        filter jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        evaluated_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE saved_segment_members (
        segment_id uuid NOT NULL REFERENCES saved_segments(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id),
        entered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, customer_id)
      )`);
    await q.query(`CREATE INDEX saved_segment_members_customer ON saved_segment_members (customer_id)`);
    await q.query(`
      CREATE TABLE segment_dirty_customers (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Inserts and deletes: statement-level triggers whose transition tables carry every row of a
    // bulk write, one INSERT per statement. One function per way a table names its customer: the
    // column customer_id, or an identity (consent_current). Static SQL per TG_OP: only the
    // transition table of that event exists.
    await q.query(`
      CREATE FUNCTION segment_dirty_by_customer_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM saved_segments) THEN RETURN NULL; END IF;
        IF TG_OP = 'INSERT' THEN
          INSERT INTO segment_dirty_customers (customer_id) SELECT DISTINCT customer_id FROM new_rows WHERE customer_id IS NOT NULL;
        ELSE
          INSERT INTO segment_dirty_customers (customer_id) SELECT DISTINCT customer_id FROM old_rows WHERE customer_id IS NOT NULL;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION segment_dirty_by_identity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM saved_segments) THEN RETURN NULL; END IF;
        INSERT INTO segment_dirty_customers (customer_id)
        SELECT DISTINCT o.customer_id
          FROM new_rows r
          JOIN LATERAL (SELECT si.customer_id FROM social_identities si WHERE r.identity_kind = 'SOCIAL' AND si.id = r.identity_id
                        UNION ALL
                        SELECT cp.customer_id FROM contact_points cp WHERE r.identity_kind = 'CONTACT' AND cp.id = r.identity_id) o ON true;
        RETURN NULL;
      END $$`);
    // Updates: transition tables cannot be limited to columns, and these tables are updated often
    // for other reasons (an interaction's status, a customer's name): a row trigger whose WHEN
    // clause (checked without calling the function) lets through only rows where a column a filter
    // reads changed.
    await q.query(`
      CREATE FUNCTION segment_dirty_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM saved_segments) THEN RETURN NULL; END IF;
        IF TG_TABLE_NAME = 'customers' THEN
          INSERT INTO segment_dirty_customers (customer_id) VALUES (NEW.id);
        ELSE
          INSERT INTO segment_dirty_customers (customer_id)
          SELECT DISTINCT x FROM (VALUES (OLD.customer_id), (NEW.customer_id)) v(x) WHERE x IS NOT NULL;
        END IF;
        RETURN NULL;
      END $$`);
    for (const [table, columns] of TABLES) {
      await q.query(`CREATE TRIGGER ${table}_segment_dirty_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
                       FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_customer_id()`);
      await q.query(`CREATE TRIGGER ${table}_segment_dirty_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
                       FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_customer_id()`);
      await q.query(`CREATE TRIGGER ${table}_segment_dirty_upd AFTER UPDATE ON ${table} FOR EACH ROW
                       WHEN (${changed(columns)}) EXECUTE FUNCTION segment_dirty_on_update()`);
    }
    // A new customer has no identifier yet (those rows mark it); its own row matters when it changes.
    await q.query(`CREATE TRIGGER customers_segment_dirty_upd AFTER UPDATE ON customers FOR EACH ROW
                     WHEN (${changed(CUSTOMER_COLUMNS)}) EXECUTE FUNCTION segment_dirty_on_update()`);
    // Every change of consent_current is a new decision: statement-level for inserts and updates alike.
    await q.query(`CREATE TRIGGER consent_current_segment_dirty_ins AFTER INSERT ON consent_current REFERENCING NEW TABLE AS new_rows
                     FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_identity()`);
    await q.query(`CREATE TRIGGER consent_current_segment_dirty_upd AFTER UPDATE ON consent_current REFERENCING NEW TABLE AS new_rows
                     FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_identity()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER consent_current_segment_dirty_upd ON consent_current`);
    await q.query(`DROP TRIGGER consent_current_segment_dirty_ins ON consent_current`);
    await q.query(`DROP TRIGGER customers_segment_dirty_upd ON customers`);
    for (const [table] of TABLES) {
      for (const suffix of ['ins', 'del', 'upd']) await q.query(`DROP TRIGGER ${table}_segment_dirty_${suffix} ON ${table}`);
    }
    await q.query(`DROP FUNCTION segment_dirty_on_update()`);
    await q.query(`DROP FUNCTION segment_dirty_by_identity()`);
    await q.query(`DROP FUNCTION segment_dirty_by_customer_id()`);
    await q.query(`DROP TABLE segment_dirty_customers`);
    await q.query(`DROP TABLE saved_segment_members`);
    await q.query(`DROP TABLE saved_segments`);
  }
}

/** The tables with customer_id that a segment filter reads, and the columns whose update matters. */
const TABLES: readonly [table: string, columns: string[]][] = [
  ['social_identities', ['customer_id', 'platform']],
  ['contact_points', ['customer_id', 'kind']],
  ['interactions', ['customer_id', 'occurred_at', 'category', 'topics', 'pii']],
  ['influence_scores', ['customer_id', 'score', 'topic', 'flagged', 'platform', 'measured_at']],
];
const CUSTOMER_COLUMNS = ['tier', 'country', 'region', 'city', 'merged_into', 'erased_at'];

const changed = (columns: string[]) => columns.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ');
