import { textArrayLiteral } from '../db/batch';
import { EventType } from '../events/event-types';
import { appendEvents } from '../events/outbox';
import type { EntityManager } from 'typeorm';
import { recordAudits } from '../audit/audit-log';
import type { BurstEscalation, TopicPost } from './topic-bursts';

// Incidents, from ingestion's side: a burst that trips the threshold rule opens one (with the
// posts of its window), and later posts on the topic join it while it is open. Both run in the
// ingestion call's transaction, after the topic counters, just before commit.

/**
 * Posts on a topic with an open incident join it (one poster row per customer: their first
 * post). Returns the topics that have an open incident: those bursts escalate nothing more.
 * The incident rows are read FOR SHARE, so a post never joins an incident resolved meanwhile.
 * The posts are this call's new interactions, so their rows cannot exist yet (no ON CONFLICT:
 * its check per row is a cost here, and a duplicate would be a bug to hear about).
 */
export async function joinOpenIncidents(m: EntityManager, posts: TopicPost[]): Promise<Set<string>> {
  const withTopics = posts.filter((p) => p.topics.length > 0);
  if (withTopics.length === 0) return new Set();
  const rows: { topic: string }[] = await m.query(
    `WITH p AS MATERIALIZED (SELECT (e->>0)::uuid AS interaction_id, (e->>1)::uuid AS customer_id, (e->>2)::timestamptz AS at, (e->>3)::text[] AS topics
                FROM jsonb_array_elements($1::jsonb) e),
          open AS (SELECT ci.id, ci.topic FROM care_incidents ci
                    WHERE ci.status = 'OPEN' AND ci.topic IN (SELECT unnest(p.topics) FROM p) ORDER BY ci.id FOR SHARE),
          hit AS (SELECT o.id AS incident_id, o.topic, p.interaction_id, p.customer_id, p.at FROM open o JOIN p ON o.topic = ANY(p.topics)),
          posts AS (INSERT INTO care_incident_posts (incident_id, interaction_id)
                    SELECT DISTINCT incident_id, interaction_id FROM hit ORDER BY 1, 2),
          posters AS (INSERT INTO care_incident_posters (incident_id, customer_id, interaction_id, posted_at)
                      SELECT DISTINCT ON (incident_id, customer_id) incident_id, customer_id, interaction_id, at
                        FROM hit ORDER BY incident_id, customer_id, at, interaction_id
                      ON CONFLICT DO NOTHING)
     SELECT DISTINCT topic FROM hit`,
    // Positional tuples, topics as a text[] literal: no key names to send, no per-object lookup.
    [JSON.stringify(withTopics.map((p) => [p.interactionId, p.customerId, p.occurredAt, textArrayLiteral(p.topics)]))],
  );
  return new Set(rows.map((r) => r.topic));
}

/**
 * Opens one incident per burst (topic, window, post count, the escalation it raised) with the
 * inbound posts its window counted, and audits it. At most one incident per topic is open (a
 * partial unique index): a burst of a second rule on the same topic opens none.
 */
export async function openIncidents(m: EntityManager, bursts: BurstEscalation[]): Promise<void> {
  if (bursts.length === 0) return;
  const opened: { id: string; topic: string; ruleName: string; escalationId: string; posts: number }[] = await m.query(
    `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at, escalation_id)
     SELECT topic, rule_name, window_minutes, posts, at, escalation_id
       FROM json_to_recordset($1::json) AS b(topic text, rule_name text, window_minutes int, posts int, at timestamptz, escalation_id uuid)
      ORDER BY topic
     ON CONFLICT (topic) WHERE status = 'OPEN' DO NOTHING
     RETURNING id, topic, rule_name AS "ruleName", escalation_id AS "escalationId", trigger_posts AS posts`,
    [JSON.stringify(bursts.map((b) => ({
      topic: b.topic, rule_name: b.ruleName, window_minutes: b.windowMinutes, posts: b.posts, at: b.at, escalation_id: b.escalationId,
    })))],
  );
  if (opened.length === 0) return;
  // The window's posts, by the same minutes the counter summed (care_topic_minutes).
  await m.query(
    `WITH w AS (SELECT ci.id AS incident_id, i.id AS interaction_id, i.customer_id, i.occurred_at
                  FROM care_incidents ci
                  JOIN interactions i ON i.direction = 'INBOUND' AND ci.topic = ANY(i.topics)
                   AND i.occurred_at >= ci.opened_at - make_interval(mins => ci.window_minutes + 1)
                   AND i.occurred_at < ci.opened_at + interval '1 minute'
                   AND date_trunc('minute', i.occurred_at) > ci.opened_at - make_interval(mins => ci.window_minutes)
                   AND date_trunc('minute', i.occurred_at) <= ci.opened_at
                 WHERE ci.id = ANY($1::uuid[])),
          posts AS (INSERT INTO care_incident_posts (incident_id, interaction_id) SELECT incident_id, interaction_id FROM w ON CONFLICT DO NOTHING)
     INSERT INTO care_incident_posters (incident_id, customer_id, interaction_id, posted_at)
     SELECT DISTINCT ON (incident_id, customer_id) incident_id, customer_id, interaction_id, occurred_at
       FROM w ORDER BY incident_id, customer_id, occurred_at, interaction_id
     ON CONFLICT DO NOTHING`,
    [opened.map((o) => o.id)],
  );
  await recordAudits(m, opened.map((o) => ({
    actor: `rule:${o.ruleName}`, action: 'INCIDENT_OPENED' as const, subject: null,
    details: { incidentId: o.id, topic: o.topic, escalationId: o.escalationId, posts: o.posts },
  })));
  // About no one customer: the event names the incident; its posters are read through the API.
  await appendEvents(m, opened.map((o) => ({
    type: EventType.INCIDENT_OPENED, customerId: null,
    data: { incidentId: o.id, topic: o.topic, escalationId: o.escalationId, posts: o.posts },
  })));
}
