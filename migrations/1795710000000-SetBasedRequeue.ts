import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Re-ranking a customer's open items after a new influence score or tier used to touch each
 * row (`UPDATE ... SET status = status`) so the row trigger recomputed it, with three lookups
 * per row, the influence one through the SQL-function executor (~46 µs a call). On bulk
 * ingestion with PROFILING consent every call re-scores hundreds of customers: that UPDATE
 * cost PostgreSQL ~1.6 s per 1,000-item call, and with the statistics of a young table it
 * joined the transition table by nested loop.
 *
 * Now:
 * - interaction_influence returns a set (one row at most), so PostgreSQL inlines it where it
 *   is used as a LATERAL in FROM: an index scan per row, no function call. Same query, same
 *   choice (a score on one of the item's topics first, else the best overall one).
 * - interactions_requeue(customers) re-ranks their open items in one statement with the same
 *   functions the row trigger uses; setting priority_base/queue_key does not fire the row trigger. The statement triggers on
 *   influence_scores and the tier trigger call it; bulk ingestion uses the LATERAL too.
 */

const INFLUENCE_BODY = `
        SELECT s.score::numeric::float8, s.topic FROM (
          SELECT DISTINCT ON (x.topic, x.platform) x.score, x.topic, x.platform
            FROM influence_scores x
           WHERE x.customer_id = p_customer AND NOT x.flagged
             AND (x.topic IS NULL OR x.topic = ANY(p_topics))
           ORDER BY x.topic, x.platform, x.measured_at DESC, x.id DESC
        ) s
        ORDER BY (s.topic IS NOT NULL) DESC, s.score DESC, s.topic
        LIMIT 1`;

/** The statement triggers on influence_scores: event, and the customers it touched. */
const EVENTS: [string, string][] = [
  ['insert', 'SELECT customer_id FROM new_rows'],
  ['update', 'SELECT customer_id FROM old_rows UNION SELECT customer_id FROM new_rows'],
  ['delete', 'SELECT customer_id FROM old_rows'],
];

export class SetBasedRequeue1795710000000 implements MigrationInterface {
  name = 'SetBasedRequeue1795710000000';

  async up(q: QueryRunner): Promise<void> {
    // The row trigger and the ingestion INSERT call it by name at run time: replacing it in
    // this transaction is enough.
    await q.query(`DROP FUNCTION interaction_influence(uuid, text[])`);
    await q.query(`
      CREATE FUNCTION interaction_influence(p_customer uuid, p_topics text[])
      RETURNS TABLE (score double precision, topic text) LANGUAGE sql STABLE AS $$${INFLUENCE_BODY}
      $$`);
    // Each row's new values come from a subquery correlated to the row itself: no join for the
    // planner to get wrong while a young table has no statistics (a CTE joined back by id was
    // planned as a nested loop over every open row: 6 s for 3,500 rows). A row whose values
    // do not change keeps its index entries (PostgreSQL compares the indexed values).
    await q.query(`
      CREATE FUNCTION interactions_requeue(p_customers uuid[]) RETURNS void LANGUAGE sql AS $$
        UPDATE interactions o SET (priority_base, queue_key) = (
          SELECT b.base, interaction_queue_key(s.weights, b.base, o.sla_due_at, o.occurred_at)
            FROM priority_settings s
            LEFT JOIN customers c ON c.id = o.customer_id
            LEFT JOIN LATERAL interaction_influence(o.customer_id, o.topics) f ON true
            CROSS JOIN LATERAL (
              SELECT interaction_priority_base(s.weights, c.tier, f.score, o.category, o.sentiment, o.content, o.topics) AS base
            ) b)
         WHERE o.customer_id = ANY(p_customers) AND o.status = 'OPEN' AND o.direction = 'INBOUND'
      $$`);
    for (const [event, customers] of EVENTS) {
      await q.query(`
        CREATE OR REPLACE FUNCTION influence_queue_refresh_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM interactions_requeue(ARRAY(${customers}));
          RETURN NULL;
        END $$`);
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_tier_queue_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM interactions_requeue(ARRAY[NEW.id]);
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [event, customers] of EVENTS) {
      await q.query(`
        CREATE OR REPLACE FUNCTION influence_queue_refresh_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE interactions SET status = status
           WHERE customer_id IN (${customers}) AND status = 'OPEN' AND direction = 'INBOUND';
          RETURN NULL;
        END $$`);
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_tier_queue_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE interactions SET status = status WHERE customer_id = NEW.id AND status = 'OPEN' AND direction = 'INBOUND';
        RETURN NULL;
      END $$`);
    await q.query(`DROP FUNCTION interactions_requeue(uuid[])`);
    await q.query(`DROP FUNCTION interaction_influence(uuid, text[])`);
    await q.query(`
      CREATE FUNCTION interaction_influence(p_customer uuid, p_topics text[], OUT score double precision, OUT topic text)
      LANGUAGE sql STABLE AS $$${INFLUENCE_BODY}
      $$`);
  }
}
