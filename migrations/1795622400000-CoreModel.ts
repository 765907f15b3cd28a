import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core model: customers and everything that belongs to them. Every table that
 * belongs to a customer carries customer_id, the future shard key.
 * Enumerated columns are text with CHECK constraints so adding a value is one ALTER,
 * not a type rewrite.
 */
export class CoreModel1795622400000 implements MigrationInterface {
  name = 'CoreModel1795622400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        name_key text NOT NULL DEFAULT '',
        city text,
        region text,
        country text,
        tier text NOT NULL DEFAULT 'NONE' CHECK (tier IN ('PLATINUM','GOLD','SILVER','BRONZE','NONE')),
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        merged_into uuid REFERENCES customers(id),
        erased_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX customers_page_idx ON customers (created_at, id) WHERE merged_into IS NULL`);
    await q.query(`CREATE INDEX customers_tier_page_idx ON customers (tier, created_at, id) WHERE merged_into IS NULL`);
    await q.query(`CREATE INDEX customers_name_key_idx ON customers (name_key, region, city)`);
    await q.query(`CREATE INDEX customers_merged_into_idx ON customers (merged_into) WHERE merged_into IS NOT NULL`);

    await q.query(`
      CREATE TABLE contact_points (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        kind text NOT NULL CHECK (kind IN ('EMAIL','PHONE')),
        value text NOT NULL,
        verified boolean NOT NULL DEFAULT false,
        captured_via text NOT NULL,
        captured_at timestamptz NOT NULL DEFAULT now(),
        captured_by text NOT NULL,
        CONSTRAINT contact_points_kind_value_key UNIQUE (kind, value)
      )`);
    await q.query(`CREATE INDEX contact_points_customer_idx ON contact_points (customer_id)`);

    await q.query(`
      CREATE TABLE social_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        platform text NOT NULL,
        handle text NOT NULL,
        external_user_id text,
        profile_url text,
        follower_count integer CHECK (follower_count >= 0),
        verified boolean NOT NULL DEFAULT false,
        captured_via text NOT NULL,
        captured_at timestamptz NOT NULL DEFAULT now(),
        captured_by text NOT NULL,
        CONSTRAINT social_identities_platform_handle_key UNIQUE (platform, handle)
      )`);
    await q.query(`CREATE UNIQUE INDEX social_identities_platform_external_key ON social_identities (platform, external_user_id) WHERE external_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX social_identities_customer_idx ON social_identities (customer_id)`);

    await q.query(`
      CREATE TABLE consent_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        social_identity_id uuid REFERENCES social_identities(id),
        contact_point_id uuid REFERENCES contact_points(id),
        purpose text NOT NULL CHECK (purpose IN ('SERVICE','MARKETING','PROFILING')),
        status text NOT NULL CHECK (status IN ('GRANTED','DENIED','REVOKED')),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        recorded_by text NOT NULL,
        wording text,
        expires_at timestamptz,
        CONSTRAINT consent_events_one_identity CHECK (num_nonnulls(social_identity_id, contact_point_id) = 1)
      )`);
    await q.query(`CREATE INDEX consent_events_social_idx ON consent_events (social_identity_id, purpose, recorded_at DESC, id DESC) WHERE social_identity_id IS NOT NULL`);
    await q.query(`CREATE INDEX consent_events_contact_idx ON consent_events (contact_point_id, purpose, recorded_at DESC, id DESC) WHERE contact_point_id IS NOT NULL`);
    await q.query(`CREATE INDEX consent_events_customer_idx ON consent_events (customer_id)`);

    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        origin_channel text NOT NULL,
        current_channel text NOT NULL,
        channels text[] NOT NULL,
        started_at timestamptz NOT NULL,
        last_activity_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX conversations_customer_idx ON conversations (customer_id, last_activity_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE interactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        social_identity_id uuid REFERENCES social_identities(id),
        channel text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('INBOUND','OUTBOUND')),
        occurred_at timestamptz NOT NULL,
        content text NOT NULL,
        is_public boolean NOT NULL DEFAULT false,
        category text NOT NULL DEFAULT 'OTHER' CHECK (category IN ('COMPLAINT','QUESTION','COMPLIMENT','PROACTIVE','SALES_LEAD','OTHER')),
        sentiment real CHECK (sentiment BETWEEN -1 AND 1),
        topics text[] NOT NULL DEFAULT '{}',
        lane text NOT NULL DEFAULT 'CUSTOMER_SERVICE' CHECK (lane IN ('CUSTOMER_SERVICE','MARKETING_PR')),
        skill_group text,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','RESPONDED','ESCALATED','RESOLVED')),
        responded_at timestamptz,
        resolved_at timestamptz,
        sla_due_at timestamptz,
        in_reply_to_id uuid REFERENCES interactions(id),
        external_id text,
        idempotency_key text,
        content_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT interactions_idempotency_key_key UNIQUE (idempotency_key)
      )`);
    await q.query(`CREATE INDEX interactions_customer_idx ON interactions (customer_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX interactions_conversation_idx ON interactions (conversation_id, occurred_at, id)`);

    await q.query(`
      CREATE TABLE escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        interaction_id uuid NOT NULL REFERENCES interactions(id),
        team text NOT NULL CHECK (team IN ('RETENTION','PR_CRISIS','TECHNICAL','LEGAL','SUPERVISOR')),
        reason text NOT NULL,
        automatic boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        resolved_at timestamptz,
        resolution text,
        resolved_by text
      )`);
    await q.query(`CREATE INDEX escalations_customer_idx ON escalations (customer_id, created_at DESC)`);
    await q.query(`CREATE INDEX escalations_interaction_idx ON escalations (interaction_id)`);

    await q.query(`
      CREATE TABLE influence_scores (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        score real NOT NULL CHECK (score BETWEEN 1 AND 10),
        topic text,
        platform text,
        source text NOT NULL,
        computed boolean NOT NULL DEFAULT false,
        flagged boolean NOT NULL DEFAULT false,
        measured_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX influence_scores_customer_idx ON influence_scores (customer_id, measured_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE tier_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        tier text NOT NULL,
        previous_tier text NOT NULL,
        reason text NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tier_changes_customer_idx ON tier_changes (customer_id, changed_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'tier_changes',
      'influence_scores',
      'escalations',
      'interactions',
      'conversations',
      'consent_events',
      'social_identities',
      'contact_points',
      'customers',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
