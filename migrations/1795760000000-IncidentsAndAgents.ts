import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents (a topic burst that tripped the threshold rule, the posts and posters that joined
 * it, and the messages sent to them) and agents (who may take which open items, how many at
 * once) with the assignment of queue items to them.
 *
 * - care_incidents: one OPEN incident per topic at most (partial unique index); the escalation
 *   the burst raised is written in the same transaction, after the incident row (deferred FK).
 * - care_incident_posts / care_incident_posters: every post that joined, and one row per
 *   customer with the post their messages answer (their first on the incident).
 * - care_incident_notices: one row per (incident, poster, kind); its primary key is what makes
 *   notifyIncident/resolveIncident reach nobody twice, whatever retries or concurrent calls do.
 * - care_agents: the token subject as id, what they serve, capacity and the answer time.
 * - interactions.assigned_to / assigned_at / assignment_due_at: the claim. An assignment counts
 *   while assignment_due_at is in the future (expiry is computed on read and claim); a trigger
 *   ends it when the item leaves OPEN (responded, escalated, resolved).
 */
export class IncidentsAndAgents1795760000000 implements MigrationInterface {
  name = 'IncidentsAndAgents1795760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE care_incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        topic text NOT NULL,
        rule_name text NOT NULL,
        window_minutes integer NOT NULL CHECK (window_minutes > 0),
        trigger_posts integer NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','RESOLVED')),
        opened_at timestamptz NOT NULL,
        escalation_id uuid REFERENCES escalations(id) DEFERRABLE INITIALLY DEFERRED,
        resolved_at timestamptz,
        resolved_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX care_incidents_open_topic_key ON care_incidents (topic) WHERE status = 'OPEN'`);
    await q.query(`CREATE INDEX care_incidents_opened_idx ON care_incidents (opened_at, id)`);
    await q.query(`
      CREATE TABLE care_incident_posts (
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        interaction_id uuid NOT NULL REFERENCES interactions(id),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, interaction_id)
      )`);
    await q.query(`CREATE INDEX care_incident_posts_interaction_idx ON care_incident_posts (interaction_id)`);
    await q.query(`
      CREATE TABLE care_incident_posters (
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        interaction_id uuid NOT NULL REFERENCES interactions(id),
        posted_at timestamptz NOT NULL,
        PRIMARY KEY (incident_id, customer_id)
      )`);
    await q.query(`CREATE INDEX care_incident_posters_order_idx ON care_incident_posters (incident_id, posted_at, customer_id)`);
    await q.query(`CREATE INDEX care_incident_posters_customer_idx ON care_incident_posters (customer_id)`);
    await q.query(`
      CREATE TABLE care_incident_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        kind text NOT NULL CHECK (kind IN ('NOTIFY','RESOLVE')),
        text text NOT NULL,
        reached integer NOT NULL DEFAULT 0,
        not_consented integer NOT NULL DEFAULT 0,
        sent_by text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX care_incident_messages_incident_idx ON care_incident_messages (incident_id, sent_at)`);
    await q.query(`
      CREATE TABLE care_incident_notices (
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        kind text NOT NULL CHECK (kind IN ('NOTIFY','RESOLVE')),
        message_id uuid NOT NULL REFERENCES care_incident_messages(id),
        -- Deferred: the notice claims the poster first, the reply is written after it.
        reply_id uuid NOT NULL REFERENCES interactions(id) DEFERRABLE INITIALLY DEFERRED,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, customer_id, kind)
      )`);
    await q.query(`CREATE INDEX care_incident_notices_sent_idx ON care_incident_notices (sent_at)`);
    await q.query(`CREATE INDEX care_incident_notices_customer_idx ON care_incident_notices (customer_id)`);

    await q.query(`
      CREATE TABLE care_agents (
        id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
        name text NOT NULL,
        skill_groups text[] NOT NULL DEFAULT '{}',
        lanes text[] NOT NULL,
        tiers text[] NOT NULL,
        channels text[] NOT NULL DEFAULT '{}',
        capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
        assignment_seconds integer NOT NULL CHECK (assignment_seconds BETWEEN 1 AND 86400),
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query(`
      ALTER TABLE interactions
        ADD COLUMN assigned_to text REFERENCES care_agents(id),
        ADD COLUMN assigned_at timestamptz,
        ADD COLUMN assignment_due_at timestamptz,
        ADD CONSTRAINT interactions_assignment_shape CHECK ((assigned_to IS NULL) = (assignment_due_at IS NULL))`);
    // An agent's items (capacity, careQueue(assignedTo:)).
    await q.query(`CREATE INDEX interactions_assigned_idx ON interactions (assigned_to, assignment_due_at) WHERE assigned_to IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION interactions_assignment_end() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.assigned_to := NULL;
        NEW.assigned_at := NULL;
        NEW.assignment_due_at := NULL;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER interactions_assignment_end BEFORE UPDATE OF status ON interactions
        FOR EACH ROW WHEN (NEW.status <> 'OPEN' AND OLD.assigned_to IS NOT NULL) EXECUTE FUNCTION interactions_assignment_end()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER interactions_assignment_end ON interactions`);
    await q.query(`DROP FUNCTION interactions_assignment_end()`);
    await q.query(`DROP INDEX interactions_assigned_idx`);
    await q.query(`
      ALTER TABLE interactions DROP CONSTRAINT interactions_assignment_shape,
        DROP COLUMN assignment_due_at, DROP COLUMN assigned_at, DROP COLUMN assigned_to`);
    await q.query(`DROP TABLE care_agents`);
    await q.query(`DROP TABLE care_incident_notices`);
    await q.query(`DROP TABLE care_incident_messages`);
    await q.query(`DROP TABLE care_incident_posters`);
    await q.query(`DROP TABLE care_incident_posts`);
    await q.query(`DROP TABLE care_incidents`);
  }
}
