import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The care queue's partial-index predicate (QueueActionableOnly1795680000000). */
const QUEUED = `status = 'OPEN' AND direction = 'INBOUND' AND actionable`;

/** An open item an agent may take: nobody holds it, or the hold has expired. */
const FREE = `n.status = 'OPEN' AND n.direction = 'INBOUND' AND n.actionable
            AND (n.assigned_to IS NULL OR n.assignment_due_at <= now())
            AND n.lane = ANY(a.lanes)
            AND (cardinality(a.channels) = 0 OR n.channel = ANY(a.channels))
            AND (cardinality(a.skill_groups) = 0 OR n.skill_group = ANY(a.skill_groups))`;

/** care_claim_next as this migration created it (OneQueueRule1795920000000 builds the current one from src/care/desk/queue-membership.ts). */
export const CLAIM_NEXT_AS_CREATED = `
      CREATE FUNCTION care_claim_next(p_agent text) RETURNS SETOF interactions LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        a care_agents;
        picked uuid;
      BEGIN
        SELECT * INTO a FROM care_agents WHERE id = p_agent FOR UPDATE;
        IF NOT FOUND OR NOT a.active THEN
          RETURN;
        END IF;
        IF (SELECT count(*) FROM interactions x WHERE x.assigned_to = p_agent AND x.assignment_due_at > now()) >= a.capacity THEN
          RETURN;
        END IF;
        IF cardinality(a.tiers) = 1 THEN
          SELECT n.id INTO picked FROM interactions n
           WHERE n.queue_tier = a.tiers[1] AND ${FREE}
           ORDER BY n.queue_key, n.id LIMIT 1 FOR UPDATE SKIP LOCKED;
        ELSE
          SELECT n.id INTO picked FROM interactions n
           WHERE n.queue_tier = ANY(a.tiers) AND ${FREE}
           ORDER BY n.queue_key, n.id LIMIT 1 FOR UPDATE SKIP LOCKED;
        END IF;
        IF picked IS NULL THEN
          RETURN;
        END IF;
        RETURN QUERY
          UPDATE interactions i SET assigned_to = p_agent, assigned_at = now(), assignment_due_at = now() + make_interval(secs => a.assignment_seconds)
           WHERE i.id = picked RETURNING i.*;
      END $$`;

/**
 * claimNextInteraction in one round trip, and the tier rule on an index.
 *
 * - interactions.queue_tier: the customer's tier while the item is in the queue (open inbound;
 *   NULL otherwise), kept by a row trigger (insert, status, direction, customer: merges move
 *   items) and by a trigger on customers.tier. Before, a tier-restricted claim probed
 *   `customers` for every queue row it passed; now the tier is on the row, and
 *   interactions_queue_tier_idx (tier, then the queue order) hands a one-tier agent
 *   (platinum desks) its first item directly.
 * - care_claim_next(agent): the claim. Its first statement locks the agent row, which
 *   serialises one agent's claims; it is VOLATILE, so its next statement (the capacity count)
 *   takes a snapshot after that lock was granted and sees a concurrent claim of the same agent
 *   that committed meanwhile. A single SQL statement cannot: its one snapshot predates the lock
 *   wait, and two claims of one agent could pass the count together. The pick is the care
 *   queue's predicate and order (queue_key, id) with FOR UPDATE SKIP LOCKED; concurrent
 *   claimers pass each other's locked rows, and a row claimed meanwhile is re-checked on its
 *   new version and passed over. The app calls it as one autocommit statement (no BEGIN/COMMIT
 *   round trips, no connection held between statements).
 */
export class ClaimInOneStatement1795830000000 implements MigrationInterface {
  name = 'ClaimInOneStatement1795830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions ADD COLUMN queue_tier text`);
    // Touches neither status nor the ranked columns: no row trigger re-ranks the queue here.
    await q.query(`
      UPDATE interactions i SET queue_tier = c.tier FROM customers c
       WHERE c.id = i.customer_id AND i.status = 'OPEN' AND i.direction = 'INBOUND'`);
    await q.query(`
      CREATE FUNCTION interactions_queue_tier() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'OPEN' AND NEW.direction = 'INBOUND' THEN
          SELECT tier INTO NEW.queue_tier FROM customers WHERE id = NEW.customer_id;
        ELSE
          NEW.queue_tier := NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER interactions_queue_tier BEFORE INSERT OR UPDATE OF status, direction, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_tier()`);
    await q.query(`
      CREATE FUNCTION customers_queue_tier_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE interactions SET queue_tier = NEW.tier
         WHERE customer_id = NEW.id AND status = 'OPEN' AND direction = 'INBOUND' AND queue_tier IS DISTINCT FROM NEW.tier;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_queue_tier_refresh AFTER UPDATE OF tier ON customers
        FOR EACH ROW WHEN (NEW.tier IS DISTINCT FROM OLD.tier) EXECUTE FUNCTION customers_queue_tier_refresh()`);
    await q.query(`CREATE INDEX interactions_queue_tier_idx ON interactions (queue_tier, queue_key, id) WHERE ${QUEUED}`);

    // Two static picks so each keeps its own cached plan: one tier (an equality on the tier
    // index, already in queue order) or several (the queue index, the tier a row filter).
    await q.query(CLAIM_NEXT_AS_CREATED);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION care_claim_next(text)`);
    await q.query(`DROP TRIGGER customers_queue_tier_refresh ON customers`);
    await q.query(`DROP FUNCTION customers_queue_tier_refresh()`);
    await q.query(`DROP TRIGGER interactions_queue_tier ON interactions`);
    await q.query(`DROP FUNCTION interactions_queue_tier()`);
    await q.query(`ALTER TABLE interactions DROP COLUMN queue_tier`);
  }
}
