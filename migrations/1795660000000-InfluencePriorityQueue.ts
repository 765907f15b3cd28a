import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored priority weights, tier rules, and the indexed care queue.
 *
 * The queue must answer "top 50 of millions" from an index, so each open inbound interaction
 * carries its static priority (`priority_base`) and a time-invariant sort key (`queue_key`,
 * the "virtual deadline" in epoch seconds: the SLA due time moved earlier by
 * slaDoublingMinutes * log2(priority_base)). The score shown to people is
 * priority_base * 2^((now - due) / slaDoublingMinutes); ordering by queue_key ascending is the
 * same as ordering by that score descending at every instant, so time passing never
 * reorders the index. Triggers keep both columns right whatever code writes interactions,
 * customers' tiers or influence scores. src/influence/priority.ts is the same formula in
 * TypeScript (used for the reasons); a test checks that both agree.
 */
export class InfluencePriorityQueue1795660000000 implements MigrationInterface {
  name = 'InfluencePriorityQueue1795660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE priority_settings (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        weights jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(
      `INSERT INTO priority_settings (weights, updated_by) VALUES ($1::jsonb, 'migration')`,
      [JSON.stringify(INITIAL_WEIGHTS)],
    );

    await q.query(`
      CREATE TABLE tier_rules (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tier text NOT NULL CHECK (tier IN ('PLATINUM','GOLD','SILVER','BRONZE')),
        attribute text NOT NULL,
        min_value numeric NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        retired_at timestamptz
      )`);

    await q.query(`ALTER TABLE interactions ADD COLUMN priority_base double precision, ADD COLUMN queue_key double precision`);

    // The influence that counts for an interaction: the best latest (unflagged) score on one of
    // its topics, else the best latest overall score.
    await q.query(`
      CREATE FUNCTION interaction_influence(p_customer uuid, p_topics text[], OUT score double precision, OUT topic text)
      LANGUAGE sql STABLE AS $$
        SELECT s.score::numeric::float8, s.topic FROM (
          SELECT DISTINCT ON (x.topic, x.platform) x.score, x.topic, x.platform
            FROM influence_scores x
           WHERE x.customer_id = p_customer AND NOT x.flagged
             AND (x.topic IS NULL OR x.topic = ANY(p_topics))
           ORDER BY x.topic, x.platform, x.measured_at DESC, x.id DESC
        ) s
        ORDER BY (s.topic IS NOT NULL) DESC, s.score DESC, s.topic
        LIMIT 1
      $$`);

    await q.query(`
      CREATE FUNCTION interaction_priority_base(w jsonb, p_tier text, p_influence double precision, p_category text,
                                                p_sentiment real, p_content text, p_topics text[])
      RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
        SELECT greatest(1.0,
          (w->>'base')::float8
          + coalesce((w->'tier'->>p_tier)::float8, 0)
          + coalesce(p_influence, 0) * (w->>'influencePerPoint')::float8
          + coalesce((w->'category'->>p_category)::float8, 0)
          - coalesce(p_sentiment::numeric::float8, 0) * (w->>'negativeSentiment')::float8
          + CASE WHEN p_content ~* (w->>'churnPattern') OR 'churn' = ANY(p_topics) THEN (w->>'churn')::float8 ELSE 0 END)
      $$`);

    await q.query(`
      CREATE FUNCTION interaction_queue_key(w jsonb, p_base double precision, p_sla_due_at timestamptz, p_occurred_at timestamptz)
      RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
        SELECT extract(epoch FROM coalesce(p_sla_due_at, p_occurred_at + make_interval(mins => (w->>'defaultSlaMinutes')::int)))::float8
               - (w->>'slaDoublingMinutes')::float8 * 60 * ln(p_base) / ln(2.0::float8)
      $$`);

    await q.query(`
      CREATE FUNCTION interactions_queue_priority() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        w jsonb;
        t text;
        inf double precision;
      BEGIN
        IF NEW.status <> 'OPEN' OR NEW.direction <> 'INBOUND' THEN
          NEW.priority_base := NULL;
          NEW.queue_key := NULL;
          RETURN NEW;
        END IF;
        SELECT weights INTO w FROM priority_settings;
        SELECT tier INTO t FROM customers WHERE id = NEW.customer_id;
        SELECT score INTO inf FROM interaction_influence(NEW.customer_id, NEW.topics);
        NEW.priority_base := interaction_priority_base(w, t, inf, NEW.category, NEW.sentiment, NEW.content, NEW.topics);
        NEW.queue_key := interaction_queue_key(w, NEW.priority_base, NEW.sla_due_at, NEW.occurred_at);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER interactions_queue_priority
        BEFORE INSERT OR UPDATE OF status, direction, category, sentiment, topics, content, sla_due_at, occurred_at, customer_id
        ON interactions FOR EACH ROW EXECUTE FUNCTION interactions_queue_priority()`);

    // A tier or a new influence score changes the priority of the customer's open items:
    // touching `status` re-runs the row trigger above (one small function per table, as
    // plpgsql resolves NEW.<column> against the firing table).
    await q.query(`
      CREATE FUNCTION customers_tier_queue_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE interactions SET status = status WHERE customer_id = NEW.id AND status = 'OPEN' AND direction = 'INBOUND';
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_tier_queue_refresh AFTER UPDATE OF tier ON customers
        FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION customers_tier_queue_refresh()`);
    // Scores arrive, move with a merge (and back with its undo) or go with an erasure: once per
    // statement, over the customers the statement touched.
    for (const [event, tables, source] of INFLUENCE_EVENTS) {
      await q.query(`
        CREATE FUNCTION influence_queue_refresh_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE interactions SET status = status
           WHERE customer_id IN (${source}) AND status = 'OPEN' AND direction = 'INBOUND';
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE TRIGGER influence_queue_refresh_${event} AFTER ${event.toUpperCase()} ON influence_scores
          REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION influence_queue_refresh_${event}()`);
    }

    await q.query(`UPDATE interactions SET status = status WHERE status = 'OPEN' AND direction = 'INBOUND'`);

    const open = `WHERE status = 'OPEN' AND direction = 'INBOUND'`;
    await q.query(`CREATE INDEX interactions_queue_idx ON interactions (queue_key, id) ${open}`);
    await q.query(`CREATE INDEX interactions_queue_lane_idx ON interactions (lane, queue_key, id) ${open}`);
    await q.query(`CREATE INDEX interactions_queue_channel_idx ON interactions (channel, queue_key, id) ${open}`);
    await q.query(`CREATE INDEX interactions_queue_skill_idx ON interactions (skill_group, queue_key, id) ${open}`);
    // Service metrics read a time range of all interactions.
    await q.query(`CREATE INDEX interactions_occurred_idx ON interactions (occurred_at)`);
    await q.query(`CREATE INDEX escalations_created_idx ON escalations (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX escalations_created_idx`);
    await q.query(`DROP INDEX interactions_occurred_idx`);
    for (const [event] of INFLUENCE_EVENTS) {
      await q.query(`DROP TRIGGER influence_queue_refresh_${event} ON influence_scores`);
      await q.query(`DROP FUNCTION influence_queue_refresh_${event}()`);
    }
    await q.query(`DROP TRIGGER customers_tier_queue_refresh ON customers`);
    await q.query(`DROP FUNCTION customers_tier_queue_refresh()`);
    await q.query(`DROP TRIGGER interactions_queue_priority ON interactions`);
    await q.query(`DROP FUNCTION interactions_queue_priority()`);
    await q.query(`DROP FUNCTION interaction_queue_key(jsonb, double precision, timestamptz, timestamptz)`);
    await q.query(`DROP FUNCTION interaction_priority_base(jsonb, text, double precision, text, real, text, text[])`);
    await q.query(`DROP FUNCTION interaction_influence(uuid, text[])`);
    // Dropping the columns drops the partial queue indexes with them.
    await q.query(`ALTER TABLE interactions DROP COLUMN queue_key, DROP COLUMN priority_base`);
    await q.query(`DROP TABLE tier_rules`);
    await q.query(`DROP TABLE priority_settings`);
  }
}

/** Statement triggers on influence_scores: event, transition tables, customers touched. */
const INFLUENCE_EVENTS: [string, string, string][] = [
  ['insert', 'NEW TABLE AS new_rows', 'SELECT customer_id FROM new_rows'],
  ['update', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'SELECT customer_id FROM old_rows UNION SELECT customer_id FROM new_rows'],
  ['delete', 'OLD TABLE AS old_rows', 'SELECT customer_id FROM old_rows'],
];

/** The weights as first installed; later changes go through setPriorityWeights. */
const INITIAL_WEIGHTS = {
  base: 10,
  tier: { PLATINUM: 40, GOLD: 30, SILVER: 20, BRONZE: 10, NONE: 0 },
  influencePerPoint: 5,
  category: { COMPLAINT: 20, QUESTION: 10, SALES_LEAD: 8, PROACTIVE: 3, COMPLIMENT: 2, OTHER: 0 },
  negativeSentiment: 10,
  churn: 25,
  churnPattern: '(cancel|thinking of leaving|switch(ing)? to|close my account|done with (you|this))',
  slaDoublingMinutes: 30,
  defaultSlaMinutes: 1440,
};
