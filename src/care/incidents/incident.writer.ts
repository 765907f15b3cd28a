import { textArrayLiteral } from '../../db';
import { EventType, appendEvents } from '../../events';
import type { EntityManager } from 'typeorm';
import { recordAudits } from '../../audit';
import type { Params } from '../../db';
import type { BurstEscalation, TopicPost } from './topic-bursts';
import { free, queued } from '../desk';

// Incidents, from ingestion's side: a burst that trips the threshold rule opens one (with the
// posts of its window), and later posts on the topic join it while it is open. Both run in the
// ingestion call's transaction, after the topic counters, just before commit.

/**
 * SQL CTEs: posts on a topic with an open incident join it (one poster row per customer: their
 * first post); `incident_hit` names the topics that have an open incident (those bursts escalate
 * nothing more), and after the statement joinedIncidents groups the posts that joined. The
 * incident rows are read FOR SHARE, so a post never joins an incident resolved meanwhile.
 * The posts are this call's new interactions, so their rows cannot exist yet (no ON CONFLICT:
 * its check per row is a cost here, and a duplicate would be a bug to hear about).
 * Null when no post has a topic.
 */
export function joinOpenIncidentsSql(posts: TopicPost[], p: Params): string | null {
  const withTopics = posts.filter((p) => p.topics.length > 0);
  if (withTopics.length === 0) return null;
  // Positional tuples, topics as a text[] literal: no key names to send, no per-object lookup.
  const rows = p.add(JSON.stringify(withTopics.map((t) => [t.interactionId, t.customerId, t.occurredAt, textArrayLiteral(t.topics)])));
  return `incident_p AS MATERIALIZED (
            SELECT (e->>0)::uuid AS interaction_id, (e->>1)::uuid AS customer_id, (e->>2)::timestamptz AS at, (e->>3)::text[] AS topics
              FROM jsonb_array_elements(${rows}::jsonb) e),
          incident_open AS (SELECT ci.id, ci.topic FROM care_incidents ci
                    WHERE ci.status = 'OPEN' AND ci.topic IN (SELECT unnest(p.topics) FROM incident_p p) ORDER BY ci.id FOR SHARE),
          incident_hit AS (SELECT o.id AS incident_id, o.topic, p.interaction_id, p.customer_id, p.at FROM incident_open o JOIN incident_p p ON o.topic = ANY(p.topics)),
          incident_posts AS (INSERT INTO care_incident_posts (incident_id, interaction_id)
                    SELECT DISTINCT incident_id, interaction_id FROM incident_hit ORDER BY 1, 2),
          incident_posters AS (INSERT INTO care_incident_posters (incident_id, customer_id, interaction_id, posted_at)
                      SELECT DISTINCT ON (incident_id, customer_id) incident_id, customer_id, interaction_id, at
                        FROM incident_hit ORDER BY incident_id, customer_id, at, interaction_id
                      ON CONFLICT DO NOTHING)`;
}

/** After joinOpenIncidentsSql's statement: the posts that joined an incident are grouped behind its stand-in. */
export async function joinedIncidents(m: EntityManager, posts: TopicPost[], topics: ReadonlySet<string>): Promise<void> {
  if (topics.size > 0) await groupIncidentPosts(m, { interactionIds: posts.filter((p) => p.topics.length > 0).map((p) => p.interactionId) });
}

/**
 * Groups the queued posts of open incidents (those given by id, or every post of the incidents
 * given) behind one stand-in per incident: the incident's stand-in while it is still in the
 * queue, else the oldest of these posts, which becomes the stand-in. The others get
 * `grouped_incident_id` and leave the queue (queue-membership.ts) until the incident is resolved.
 * A post someone holds stays where it is. Usage: `await groupIncidentPosts(m, { incidentIds: [id] })`
 */
export async function groupIncidentPosts(m: EntityManager, of: { interactionIds?: string[]; incidentIds?: string[] }): Promise<void> {
  const { sql, params } = groupIncidentPostsSql(of);
  await m.query(sql, params);
}

/** groupIncidentPosts' statement (test/integration/incident-grouping-plan.test.ts reads its plan). */
export function groupIncidentPostsSql(of: { interactionIds?: string[]; incidentIds?: string[] }): { sql: string; params: unknown[] } {
  const which = of.interactionIds ? 'p.interaction_id = ANY($1::uuid[])' : 'p.incident_id = ANY($1::uuid[])';
  // The posts are read by key (open incidents, their posts by the primary key, each post's row by
  // id) in a MATERIALIZED CTE that carries the queue columns out, and queue membership is tested
  // on that CTE: written on interactions, the predicate implies the queue's partial indexes, and on
  // a table without statistics yet (a young database, or rows inserted since the last ANALYZE)
  // their estimate is one row. The planner then walked the whole queue and probed every open
  // incident's posts for each queued item with the 1,000-id array: 1.6 s per ingestion call of
  // 1,000 (docs/benchmarks.md, "Ingestion: the grouping statement"). The incidents' stand-ins are
  // read the same way (stand): joined with membership on interactions, the planner walked the
  // queue's tier index on a test database that other files had filled.
  return {
    sql: `WITH post AS MATERIALIZED (
                   SELECT p.incident_id, i.id, i.occurred_at, i.status, i.direction, i.actionable, i.snoozed_until,
                          i.do_not_engage_rule_id, i.grouped_incident_id, i.assigned_to, i.assignment_due_at
                     FROM care_incident_posts p
                     JOIN care_incidents ci ON ci.id = p.incident_id AND ci.status = 'OPEN'
                     JOIN interactions i ON i.id = p.interaction_id
                    WHERE ${which}),
          new AS (SELECT incident_id, id, occurred_at FROM post i WHERE ${queued('i')} AND ${free('i')}),
          stand AS MATERIALIZED (
                   SELECT ci.id, s.status, s.direction, s.actionable, s.snoozed_until, s.do_not_engage_rule_id, s.grouped_incident_id
                     FROM care_incidents ci JOIN interactions s ON s.id = ci.stand_in_id
                    WHERE ci.id IN (SELECT incident_id FROM new)),
          live AS (SELECT s.id FROM stand s WHERE ${queued('s')}),
          lead AS (SELECT DISTINCT ON (incident_id) incident_id, id FROM new WHERE incident_id NOT IN (SELECT id FROM live)
                    ORDER BY incident_id, occurred_at, id),
          stood AS (UPDATE care_incidents ci SET stand_in_id = lead.id FROM lead WHERE ci.id = lead.incident_id)
     UPDATE interactions i SET grouped_incident_id = new.incident_id FROM new
      WHERE i.id = new.id AND new.id NOT IN (SELECT id FROM lead)`,
    params: [of.interactionIds ?? of.incidentIds ?? []],
  };
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
  await groupIncidentPosts(m, { incidentIds: opened.map((o) => o.id) });
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
