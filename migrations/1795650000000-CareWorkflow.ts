import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The care workflow: stored rules (SLA targets and business hours, swim lanes, skill-group
 * clusters, escalation rules, the non-actionable filter) with the domain's defaults, the
 * interaction history, conversation hand-offs, and topic counters for burst detection.
 * Rules are rows so that supervisors change them at run time and a restart keeps them.
 */
export class CareWorkflow1795650000000 implements MigrationInterface {
  name = 'CareWorkflow1795650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions
      ADD COLUMN actionable boolean NOT NULL DEFAULT true,
      ADD COLUMN closed_loop boolean,
      ADD COLUMN created_by text`);
    await q.query(`CREATE INDEX interactions_external_idx ON interactions (channel, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX interactions_in_reply_to_idx ON interactions (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL`);
    await q.query(`ALTER TABLE conversations ADD COLUMN loop_closed_at timestamptz`);

    await q.query(`
      CREATE TABLE care_business_hours (
        name text PRIMARY KEY,
        time_zone text NOT NULL,
        weekly jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`COMMENT ON COLUMN care_business_hours.weekly IS 'null: open 24x7; else [{"day":1..7 (ISO, Monday=1),"opens":"09:00","closes":"17:00"}]'`);
    await q.query(`
      CREATE TABLE care_sla_targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        tier text CHECK (tier IN ('PLATINUM','GOLD','SILVER','BRONZE','NONE')),
        response_minutes integer NOT NULL CHECK (response_minutes > 0),
        business_hours text NOT NULL DEFAULT 'always' REFERENCES care_business_hours(name) ON UPDATE CASCADE,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CONSTRAINT care_sla_targets_channel_tier_key UNIQUE NULLS NOT DISTINCT (channel, tier)
      )`);
    await q.query(`
      CREATE TABLE care_lane_rules (
        name text PRIMARY KEY,
        position integer NOT NULL,
        lane text NOT NULL CHECK (lane IN ('CUSTOMER_SERVICE','MARKETING_PR')),
        channels text[] NOT NULL DEFAULT '{}',
        categories text[] NOT NULL DEFAULT '{}',
        keywords text[] NOT NULL DEFAULT '{}',
        hashtags text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE care_skill_groups (
        name text PRIMARY KEY,
        position integer NOT NULL,
        keywords text[] NOT NULL DEFAULT '{}',
        hashtags text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE care_escalation_rules (
        name text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('TOPIC_THRESHOLD','CHURN')),
        team text NOT NULL CHECK (team IN ('RETENTION','PR_CRISIS','TECHNICAL','LEGAL','SUPERVISOR')),
        threshold integer CHECK (threshold > 0),
        window_minutes integer CHECK (window_minutes > 0),
        phrases text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CONSTRAINT care_escalation_rules_shape CHECK (
          (kind = 'TOPIC_THRESHOLD' AND threshold IS NOT NULL AND window_minutes IS NOT NULL)
          OR (kind = 'CHURN' AND cardinality(phrases) > 0))
      )`);
    await q.query(`
      CREATE TABLE care_filter_rules (
        name text PRIMARY KEY,
        categories text[] NOT NULL,
        unless_skill_group boolean NOT NULL DEFAULT true,
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);

    // Inbound posts per topic per minute: the threshold rule sums a window of these
    // instead of counting interactions on every write.
    await q.query(`
      CREATE TABLE care_topic_minutes (
        topic text NOT NULL,
        minute timestamptz NOT NULL,
        posts integer NOT NULL,
        PRIMARY KEY (topic, minute)
      )`);
    // One row per rule and topic: the burst that last fired, kept alive while the topic stays hot.
    await q.query(`
      CREATE TABLE care_topic_bursts (
        rule_name text NOT NULL REFERENCES care_escalation_rules(name) ON DELETE CASCADE ON UPDATE CASCADE,
        topic text NOT NULL,
        fired_at timestamptz NOT NULL,
        last_hot_at timestamptz NOT NULL,
        -- Deferred: the burst is claimed first, its escalation written after in the same transaction.
        escalation_id uuid NOT NULL REFERENCES escalations(id) DEFERRABLE INITIALLY DEFERRED,
        PRIMARY KEY (rule_name, topic)
      )`);

    await q.query(`
      CREATE TABLE interaction_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        interaction_id uuid NOT NULL REFERENCES interactions(id),
        event text NOT NULL,
        from_status text,
        to_status text,
        detail text NOT NULL,
        escalation_id uuid REFERENCES escalations(id),
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX interaction_history_interaction_idx ON interaction_history (interaction_id, at, id)`);
    await q.query(`CREATE INDEX interaction_history_customer_idx ON interaction_history (customer_id)`);

    await q.query(`
      CREATE TABLE conversation_handoffs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        from_channel text NOT NULL,
        to_channel text NOT NULL,
        reason text,
        context text NOT NULL,
        carried_interaction_ids uuid[] NOT NULL,
        handed_off_by text NOT NULL,
        handed_off_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conversation_handoffs_conversation_idx ON conversation_handoffs (conversation_id, handed_off_at)`);
    await q.query(`CREATE INDEX conversation_handoffs_customer_idx ON conversation_handoffs (customer_id)`);

    await this.seedDefaults(q);
  }

  /** The domain's defaults (shared/design/domain.md); README "## Care" explains each choice. */
  private async seedDefaults(q: QueryRunner): Promise<void> {
    const by = 'migration';
    await q.query(
      `INSERT INTO care_business_hours (name, time_zone, weekly, updated_by) VALUES
         ('always', 'UTC', NULL, $1),
         ('office', 'America/New_York', $2::jsonb, $1)`,
      [by, JSON.stringify([1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })))],
    );
    const minutes: [string, number, string][] = [
      ['TWITTER', 60, 'always'], ['FACEBOOK', 60, 'always'], ['INSTAGRAM', 60, 'always'],
      ['YOUTUBE', 180, 'always'], ['LINKEDIN', 180, 'always'], ['TIKTOK', 180, 'always'], ['PINTEREST', 180, 'always'],
      ['WHATSAPP', 60, 'always'], ['CHAT', 5, 'always'], ['SMS', 60, 'always'], ['PHONE', 60, 'always'],
      ['FORUM', 360, 'always'], ['BLOG', 720, 'always'], ['REVIEW_SITE', 1440, 'always'],
      ['EMAIL', 1440, 'always'], ['IN_STORE', 1440, 'always'], ['LETTER', 7200, 'always'], ['OTHER', 1440, 'always'],
    ];
    await q.query(
      `INSERT INTO care_sla_targets (channel, response_minutes, business_hours, updated_by)
       SELECT c, m, b, $4 FROM unnest($1::text[], $2::int[], $3::text[]) AS t(c, m, b)`,
      [minutes.map((r) => r[0]), minutes.map((r) => r[1]), minutes.map((r) => r[2]), by],
    );
    // Marketing/PR's column of the swim-lane table; everything else stays with customer service.
    const lanes: { name: string; channels?: string[]; categories?: string[]; keywords?: string[]; hashtags?: string[] }[] = [
      { name: 'crisis-communications', keywords: ['recall', 'boycott', 'lawsuit', 'class action', 'scandal', 'crisis'], hashtags: ['recall', 'boycott'] },
      { name: 'campaign', keywords: ['your ad', 'your commercial', 'campaign', 'promo code', 'sweepstakes', 'contest', 'giveaway'], hashtags: ['ad', 'sponsored', 'contest', 'giveaway'] },
      { name: 'future-products', keywords: ['next model', 'next year\'s model', 'upcoming model', 'new model', 'will you release', 'when will you release', 'coming soon', 'rumor', 'rumour', 'concept car'] },
      { name: 'events', keywords: ['auto show', 'launch event', 'event', 'meetup', 'webinar', 'expo'], hashtags: ['event', 'autoshow'] },
      { name: 'charity-environment', keywords: ['charity', 'donate', 'donation', 'environment', 'climate', 'sustainab*', 'carbon', 'emissions'], hashtags: ['charity', 'climate', 'sustainability'] },
      { name: 'bloggers-influencers', channels: ['BLOG'] },
      { name: 'sales-leads', categories: ['SALES_LEAD'] },
      { name: 'proactive-engagement', categories: ['PROACTIVE'] },
    ];
    for (const [position, l] of lanes.entries()) {
      await q.query(
        `INSERT INTO care_lane_rules (name, position, lane, channels, categories, keywords, hashtags, updated_by)
         VALUES ($1, $2, 'MARKETING_PR', $3, $4, $5, $6, $7)`,
        [l.name, (position + 1) * 10, l.channels ?? [], l.categories ?? [], l.keywords ?? [], l.hashtags ?? [], by],
      );
    }
    const groups: [string, string[], string[]][] = [
      ['warranty-rebates', ['warranty', 'rebate', 'extended coverage', 'recall notice'], ['warranty', 'rebate']],
      ['billing', ['bill', 'billing', 'invoice', 'charged', 'refund', 'payment', 'lease', 'financing'], ['billing', 'refund']],
      ['technical', ['bluetooth', 'sync', 'navigation', 'software', 'update', 'app', 'engine', 'transmission', 'battery', 'brake', 'check engine'], ['tech', 'support']],
      ['service-dealers', ['dealer', 'dealership', 'service appointment', 'oil change', 'mechanic', 'repair', 'loaner'], ['service']],
      ['fuel-economy', ['mpg', 'fuel mileage', 'gas mileage', 'fuel economy', 'mileage'], ['mpg', 'fueleconomy']],
    ];
    for (const [position, [name, keywords, hashtags]] of groups.entries()) {
      await q.query(
        `INSERT INTO care_skill_groups (name, position, keywords, hashtags, updated_by) VALUES ($1, $2, $3, $4, $5)`,
        [name, (position + 1) * 10, keywords, hashtags, by],
      );
    }
    await q.query(
      `INSERT INTO care_escalation_rules (name, kind, team, threshold, window_minutes, phrases, updated_by) VALUES
         ('topic-threshold', 'TOPIC_THRESHOLD', 'PR_CRISIS', 20, 120, '{}', $1),
         ('churn', 'CHURN', 'RETENTION', NULL, NULL, $2, $1)`,
      [by, ['cancel my account', 'cancel my subscription', 'cancelling my', 'canceling my', 'close my account', 'switching to',
        'thinking of leaving', 'thinking about leaving', 'going to leave', 'never buying', 'done with you', 'last time i buy',
        'take my business elsewhere', 'switch to another']],
    );
    await q.query(
      `INSERT INTO care_filter_rules (name, categories, unless_skill_group, updated_by) VALUES ('non-actionable', '{OTHER}', true, $1)`,
      [by],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'conversation_handoffs', 'interaction_history', 'care_topic_bursts', 'care_topic_minutes', 'care_filter_rules',
      'care_escalation_rules', 'care_skill_groups', 'care_lane_rules', 'care_sla_targets', 'care_business_hours',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`ALTER TABLE conversations DROP COLUMN loop_closed_at`);
    await q.query(`DROP INDEX interactions_in_reply_to_idx`);
    await q.query(`DROP INDEX interactions_external_idx`);
    await q.query(`ALTER TABLE interactions DROP COLUMN actionable, DROP COLUMN closed_loop, DROP COLUMN created_by`);
  }
}
