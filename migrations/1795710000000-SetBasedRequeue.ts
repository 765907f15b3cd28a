import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One ranking function for the care queue, and a re-rank that writes only what changes.
 *
 * Re-ranking a customer's open items after a new influence score or tier used to touch each
 * row (`UPDATE ... SET status = status`) so the row trigger recomputed it, with three lookups
 * per row, the influence one through the SQL-function executor (~46 µs a call). Every touched
 * row was rewritten, values changed or not, and on full pages a rewrite adds an entry to each
 * of the table's eleven indexes. On bulk ingestion with PROFILING consent every call re-scores
 * hundreds of customers: ~1.6 s of PostgreSQL per 1,000-item call.
 *
 * Now:
 * - interaction_influence returns a set (one row at most) and interaction_rank (the weights,
 *   the tier, the influence, interaction_priority_base, interaction_queue_key) too, so
 *   PostgreSQL inlines them where they are used in FROM: index probes, no function calls.
 *   Same queries, same choice (a score on one of the item's topics first, else the best
 *   overall one). The row trigger, bulk ingestion and the re-rank all rank through it.
 * - interactions_requeue(customers) re-ranks their open items in one statement and rewrites
 *   only the rows whose values change (a new score on one topic moves only the items on that
 *   topic). Each row's values come from a subquery correlated to the row itself: no join for
 *   the planner to get wrong while a young table has no statistics. Setting
 *   priority_base/queue_key does not fire the row trigger.
 * - The statement triggers on influence_scores and the tier trigger call interactions_requeue.
 */

/** The body of interaction_influence from this migration on (exported: 1795890000000-ConsentAtTheRead adds a condition and restores it). */
export const INFLUENCE_BODY = `
        SELECT s.score::numeric::float8, s.topic FROM (
          SELECT DISTINCT ON (x.topic, x.platform) x.score, x.topic, x.platform
            FROM influence_scores x
           WHERE x.customer_id = p_customer AND NOT x.flagged
             AND (x.topic IS NULL OR x.topic = ANY(p_topics))
           ORDER BY x.topic, x.platform, x.measured_at DESC, x.id DESC
        ) s
        ORDER BY (s.topic IS NOT NULL) DESC, s.score DESC, s.topic
        LIMIT 1`;

/** Both versions of the row trigger start alike: nothing for other rows, keep what bulk ingestion brings. */
const ROW_TRIGGER_HEAD = `
        IF NEW.status <> 'OPEN' OR NEW.direction <> 'INBOUND' THEN
          NEW.priority_base := NULL;
          NEW.queue_key := NULL;
          RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' AND NEW.priority_base IS NOT NULL AND NEW.queue_key IS NOT NULL THEN
          RETURN NEW;
        END IF;`;

/** The row trigger before this migration (1795690000000), restored by down(). */
const OLD_ROW_TRIGGER = `
      DECLARE
        w jsonb;
        t text;
        inf double precision;
      BEGIN${ROW_TRIGGER_HEAD}
        SELECT weights INTO w FROM priority_settings;
        SELECT tier INTO t FROM customers WHERE id = NEW.customer_id;
        SELECT score INTO inf FROM interaction_influence(NEW.customer_id, NEW.topics);
        NEW.priority_base := interaction_priority_base(w, t, inf, NEW.category, NEW.sentiment, NEW.content, NEW.topics);
        NEW.queue_key := interaction_queue_key(w, NEW.priority_base, NEW.sla_due_at, NEW.occurred_at);
        RETURN NEW;
      END`;

const NEW_ROW_TRIGGER = `
      BEGIN${ROW_TRIGGER_HEAD}
        SELECT r.base, r.queue_key INTO NEW.priority_base, NEW.queue_key
          FROM interaction_rank(NEW.customer_id, NEW.topics, NEW.category, NEW.sentiment, NEW.content, NEW.sla_due_at, NEW.occurred_at) r;
        RETURN NEW;
      END`;

/** The rank of open inbound item `o`, as a correlated subquery. */
const RANK_OF_O = `interaction_rank(o.customer_id, o.topics, o.category, o.sentiment, o.content, o.sla_due_at, o.occurred_at) r`;

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
    await q.query(`
      CREATE FUNCTION interaction_rank(p_customer uuid, p_topics text[], p_category text, p_sentiment real, p_content text,
                                       p_sla_due_at timestamptz, p_occurred_at timestamptz)
      RETURNS TABLE (base double precision, queue_key double precision) LANGUAGE sql STABLE AS $$
        SELECT b.base, interaction_queue_key(s.weights, b.base, p_sla_due_at, p_occurred_at)
          FROM priority_settings s
          LEFT JOIN customers c ON c.id = p_customer
          LEFT JOIN LATERAL interaction_influence(p_customer, p_topics) f ON true
          CROSS JOIN LATERAL (
            SELECT interaction_priority_base(s.weights, c.tier, f.score, p_category, p_sentiment, p_content, p_topics) AS base
          ) b
      $$`);
    await q.query(`CREATE OR REPLACE FUNCTION interactions_queue_priority() RETURNS trigger LANGUAGE plpgsql AS $$${NEW_ROW_TRIGGER} $$`);
    await q.query(`
      CREATE FUNCTION interactions_requeue(p_customers uuid[]) RETURNS void LANGUAGE sql AS $$
        UPDATE interactions o SET (priority_base, queue_key) = (SELECT r.base, r.queue_key FROM ${RANK_OF_O})
         WHERE o.customer_id = ANY(p_customers) AND o.status = 'OPEN' AND o.direction = 'INBOUND'
           AND NOT EXISTS (
             SELECT 1 FROM ${RANK_OF_O}
              WHERE r.base IS NOT DISTINCT FROM o.priority_base AND r.queue_key IS NOT DISTINCT FROM o.queue_key)
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
    await q.query(`CREATE OR REPLACE FUNCTION interactions_queue_priority() RETURNS trigger LANGUAGE plpgsql AS $$${OLD_ROW_TRIGGER} $$`);
    await q.query(`DROP FUNCTION interaction_rank(uuid, text[], text, real, text, timestamptz, timestamptz)`);
    await q.query(`DROP FUNCTION interaction_influence(uuid, text[])`);
    await q.query(`
      CREATE FUNCTION interaction_influence(p_customer uuid, p_topics text[], OUT score double precision, OUT topic text)
      LANGUAGE sql STABLE AS $$${INFLUENCE_BODY}
      $$`);
  }
}
