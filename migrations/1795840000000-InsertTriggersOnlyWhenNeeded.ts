import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An item in the care queue's scope: its rank and tier are kept; any other item has none. */
const OPEN_INBOUND = `NEW.status = 'OPEN' AND NEW.direction = 'INBOUND'`;

/**
 * The two BEFORE INSERT row triggers of interactions fire only for rows that need them.
 *
 * interactions_queue_priority (rank) and interactions_queue_tier (ClaimInOneStatement) ran for
 * every inserted row, although bulk ingestion's INSERT brings both values, ranked and read in
 * the same statement: each call of a PL/pgSQL trigger function costs about 3 µs, and the tier
 * trigger's lookup of the customer about 5 more (~10 µs of PostgreSQL per ingested interaction).
 * Each is now two triggers on the same function:
 * - on INSERT, with a WHEN clause (evaluated without calling the function) that lets through
 *   only the rows whose values are missing or must not be there: an open inbound row without a
 *   rank (or tier), or another row that brings one. A row that brings both values in the right
 *   shape is kept as it is; an INSERT that brings them must bring what the functions would set
 *   (bulk ingestion takes them from interaction_rank and customers in its own statement).
 * - on UPDATE of the same columns as before, without a WHEN clause: unchanged.
 * The customers trigger that moves a tier to the open items, and the functions, stay as they are.
 */
export class InsertTriggersOnlyWhenNeeded1795840000000 implements MigrationInterface {
  name = 'InsertTriggersOnlyWhenNeeded1795840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER interactions_queue_priority ON interactions`);
    await q.query(`DROP TRIGGER interactions_queue_tier ON interactions`);
    await q.query(`
      CREATE TRIGGER interactions_queue_priority BEFORE UPDATE OF status, direction, category, sentiment, topics, content, sla_due_at, occurred_at, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_priority()`);
    await q.query(`
      CREATE TRIGGER interactions_queue_priority_insert BEFORE INSERT ON interactions FOR EACH ROW
        WHEN (CASE WHEN ${OPEN_INBOUND} THEN NEW.priority_base IS NULL OR NEW.queue_key IS NULL
                   ELSE NEW.priority_base IS NOT NULL OR NEW.queue_key IS NOT NULL END)
        EXECUTE FUNCTION interactions_queue_priority()`);
    await q.query(`
      CREATE TRIGGER interactions_queue_tier BEFORE UPDATE OF status, direction, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_tier()`);
    await q.query(`
      CREATE TRIGGER interactions_queue_tier_insert BEFORE INSERT ON interactions FOR EACH ROW
        WHEN (CASE WHEN ${OPEN_INBOUND} THEN NEW.queue_tier IS NULL ELSE NEW.queue_tier IS NOT NULL END)
        EXECUTE FUNCTION interactions_queue_tier()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER interactions_queue_tier_insert ON interactions`);
    await q.query(`DROP TRIGGER interactions_queue_tier ON interactions`);
    await q.query(`DROP TRIGGER interactions_queue_priority_insert ON interactions`);
    await q.query(`DROP TRIGGER interactions_queue_priority ON interactions`);
    await q.query(`
      CREATE TRIGGER interactions_queue_tier BEFORE INSERT OR UPDATE OF status, direction, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_tier()`);
    await q.query(`
      CREATE TRIGGER interactions_queue_priority BEFORE INSERT OR UPDATE OF status, direction, category, sentiment, topics, content, sla_due_at, occurred_at, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_priority()`);
  }
}
