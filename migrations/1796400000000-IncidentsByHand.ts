import type { MigrationInterface, QueryRunner } from 'typeorm';
import { claimNextFunctionSql } from '../src/care/desk/queue-membership';

const QUEUE_INDEXES: [string, string][] = [
  ['interactions_queue_idx', '(queue_key, id)'],
  ['interactions_queue_lane_idx', '(lane, queue_key, id)'],
  ['interactions_queue_skill_idx', '(skill_group, queue_key, id)'],
  ['interactions_queue_channel_idx', '(channel, queue_key, id)'],
  ['interactions_queue_tier_idx', '(queue_tier, queue_key, id)'],
];
const QUEUED_BEFORE = `status = 'OPEN' AND direction = 'INBOUND' AND actionable`;
const QUEUED_AFTER = `${QUEUED_BEFORE} AND grouped_incident_id IS NULL`;
const GROUPED_CONJUNCT = ' AND n.grouped_incident_id IS NULL';

/**
 * Incidents opened by hand, their broadcasts, and the grouping of an open incident's posts in the
 * care queue (issue 26; docs/incidents-and-agents.md, "Incidents by hand", "Broadcasts", "Grouping").
 *
 * - care_incidents.opened_by / affected_filter: who opened it by hand and the SegmentFilter of the
 *   affected customers (NULL for an incident a burst opened); rule 'manual' with window 0.
 * - care_incident_affected: the customers the filter matched when the incident was opened (the
 *   reach beyond the posters; consent is checked when each message is sent).
 * - care_incident_broadcasts: one public post per incident, brand channel and text (the primary
 *   key is what makes a retry post nothing twice).
 * - interactions.grouped_incident_id: a post hidden behind its open incident's stand-in
 *   (care_incidents.stand_in_id); queue membership gains `grouped_incident_id IS NULL`, so the
 *   queue's partial indexes are re-created and care_claim_next re-applied.
 */
export class IncidentsByHand1796400000000 implements MigrationInterface {
  name = 'IncidentsByHand1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE care_incidents ADD COLUMN opened_by text, ADD COLUMN affected_filter jsonb, ADD COLUMN stand_in_id uuid`);
    await q.query(`ALTER TABLE care_incidents DROP CONSTRAINT care_incidents_window_minutes_check, ADD CONSTRAINT care_incidents_window_minutes_check CHECK (window_minutes >= 0)`);
    await q.query(`CREATE INDEX care_incidents_stand_in_idx ON care_incidents (stand_in_id) WHERE status = 'OPEN'`);
    await q.query(`
      CREATE TABLE care_incident_affected (
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        PRIMARY KEY (incident_id, customer_id)
      )`);
    await q.query(`CREATE INDEX care_incident_affected_customer_idx ON care_incident_affected (customer_id)`);
    await q.query(`
      CREATE TABLE care_incident_broadcasts (
        incident_id uuid NOT NULL REFERENCES care_incidents(id),
        brand_channel_id uuid NOT NULL REFERENCES brand_channels(id),
        text_key text NOT NULL,
        text text NOT NULL,
        posted_by text NOT NULL,
        posted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, brand_channel_id, text_key)
      )`);
    await q.query(`ALTER TABLE interactions ADD COLUMN grouped_incident_id uuid`);
    await q.query(`CREATE INDEX interactions_grouped_incident_idx ON interactions (grouped_incident_id) WHERE grouped_incident_id IS NOT NULL`);
    for (const [name, columns] of QUEUE_INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON interactions ${columns} WHERE ${QUEUED_AFTER}`);
    }
    await q.query(claimNextFunctionSql());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunctionSql().split(GROUPED_CONJUNCT).join(''));
    for (const [name, columns] of QUEUE_INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON interactions ${columns} WHERE ${QUEUED_BEFORE}`);
    }
    await q.query(`ALTER TABLE interactions DROP COLUMN grouped_incident_id`);
    await q.query(`DROP TABLE care_incident_broadcasts`);
    await q.query(`DROP TABLE care_incident_affected`);
    await q.query(`UPDATE care_incidents SET window_minutes = 1 WHERE window_minutes = 0`);
    await q.query(`ALTER TABLE care_incidents DROP CONSTRAINT care_incidents_window_minutes_check, ADD CONSTRAINT care_incidents_window_minutes_check CHECK (window_minutes > 0)`);
    await q.query(`ALTER TABLE care_incidents DROP COLUMN opened_by, DROP COLUMN affected_filter, DROP COLUMN stand_in_id`);
  }
}
