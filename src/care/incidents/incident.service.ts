import { EventType, appendEvents } from '../../events';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit, recordAudits } from '../../audit';
import type { Viewer } from '../../auth';
import { withRetry } from '../../db';
import { DomainError, badInput, checkId, decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection } from '../../graphql';
import type { Channel } from '../../graphql';
import { grantedNowSql } from '../../identities';
import { appendHistory } from '../../interactions';
import type { CareDeskService } from '../desk';
import { lengthLimits, MAX_TEMPLATE_TEXT, replyLength } from '../brand';
import { classify } from '../rules';
import { normaliseTopic } from '../../common';
import { groupIncidentPosts } from './incident.writer';
import { queued, openConversations, touchConversations } from '../desk';
import { IncidentMessageKind, IncidentStatus, type Incident, type IncidentPoster } from './incident.types';

/** Columns of an Incident (table alias ci). */
export const INCIDENT_COLUMNS = `ci.id, ci.topic, ci.status, ci.opened_at AS "openedAt", ci.resolved_at AS "resolvedAt",
  ci.rule_name AS "ruleName", ci.window_minutes AS "windowMinutes", ci.trigger_posts AS "triggerPosts", ci.escalation_id AS "escalationId",
  ci.opened_by AS "openedBy"`;

/**
 * A poster as a notice sees them: their post, its thread, and whether they may be reached now. An
 * affected customer who never posted (openIncident's filter) has no post and no thread: the
 * message starts a conversation on the channel of their first SERVICE-consented identity.
 */
interface Target {
  customerId: string;
  postCustomerId: string;
  postId: string | null;
  postStatus: string | null;
  conversationId: string | null;
  channel: Channel;
  isPublic: boolean;
  lane: string;
  skillGroup: string | null;
  originChannel: Channel;
  consented: boolean;
  sent: boolean;
}

/** The most customers an incident opened by hand may name (the filter's matches); narrower filters for more. */
const MAX_AFFECTED = 100_000;
/** Replies written per statement when a message goes out (a large audience is written in batches of this). */
const SEND_BATCH = 1_000;

/** What openIncident needs: the topic, the affected customers as SQL (built by segments/), an optional first message. */
export interface OpenIncident {
  topic: string;
  /** The filter as given, stored on the incident; a retry is the same topic with the same filter. */
  filter: Record<string, unknown>;
  audience: { sql: string; params: unknown[] };
  message?: string | null;
}

function messageText(value: string, field = 'text'): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_TEMPLATE_TEXT) throw badInput(field, `${field} must be 1-${MAX_TEMPLATE_TEXT} characters`);
  return trimmed;
}

/** The text must fit every channel it is about to go to (the stored limits replies obey), or BAD_USER_INPUT on `field`; nothing is written otherwise. */
async function fitsEvery(m: EntityManager, channels: Channel[], text: string, field: string): Promise<void> {
  const limits = await lengthLimits(m, channels);
  const length = replyLength(text);
  const tooLong = channels.find((c) => length > limits.get(c)!);
  if (tooLong) throw badInput(field, `${field} is ${length} characters; ${tooLong} allows ${limits.get(tooLong)}`);
}

/**
 * Incidents: the reads, incidents opened by hand and their broadcasts, and the messages to
 * everyone who posted or was named affected (notifyIncident, and the closing one of resolveIncident). A message goes as one OUTBOUND reply per poster, in the
 * thread of their post, only where the SERVICE consent of the post's identity is GRANTED and
 * unexpired; care_incident_notices' primary key (incident, poster, kind) is claimed before the
 * reply is written, so retries and concurrent calls reach nobody twice.
 */
export class IncidentService {
  constructor(private readonly dataSource: DataSource, private readonly pool: Pool, private readonly careDesk: CareDeskService) {}

  async incident(id: string): Promise<Incident | null> {
    checkId(id, 'id', 'an incident id');
    const { rows } = await this.pool.query<Incident>(`SELECT ${INCIDENT_COLUMNS} FROM care_incidents ci WHERE ci.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first. */
  async incidents(args: { status?: IncidentStatus | null; first: number; after?: string | null }): Promise<Connection<Incident>> {
    const after = decodeCursor(args.after);
    const where: string[] = [];
    const params: unknown[] = [];
    if (args.status) {
      params.push(args.status);
      where.push(`ci.status = $${params.length}`);
    }
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(ci.opened_at, ci.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(args.first + 1);
    const { rows } = await this.pool.query<Incident & { sortKey: string }>(
      `SELECT ${INCIDENT_COLUMNS}, ${sortKeySql('ci.opened_at')} AS "sortKey" FROM care_incidents ci
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ci.opened_at DESC, ci.id DESC LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, args.first, (r) => encodeCursor(r.sortKey, r.id), async () => {
      const { rows: n } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM care_incidents ci ${countWhere}`, countParams);
      return n[0].n;
    });
  }

  /** The customers who posted on an incident, first poster first, with the post their messages answer. */
  async posters(incidentId: string, first: number, after?: string | null): Promise<Connection<IncidentPoster>> {
    const cursor = decodeCursor(after);
    const params: unknown[] = [incidentId];
    let keyset = '';
    if (cursor) {
      params.push(cursor[0], cursor[1]);
      keyset = `AND (p.posted_at, p.customer_id) > ($2::timestamptz, $3::uuid)`;
    }
    params.push(first + 1);
    const { rows } = await this.pool.query<IncidentPoster & { sortKey: string }>(
      `SELECT p.customer_id AS "customerId", p.interaction_id AS "interactionId", i.channel, ${sortKeySql('p.posted_at')} AS "sortKey",
              n.reply_id AS "noticeId", r.reply_id AS "closingId", (cc.identity_id IS NOT NULL) AS consented
         FROM care_incident_posters p
         JOIN interactions i ON i.id = p.interaction_id
         LEFT JOIN consent_current cc ON cc.identity_id = i.social_identity_id AND cc.purpose = 'SERVICE' AND ${grantedNowSql('cc')}
         LEFT JOIN care_incident_notices n ON n.incident_id = p.incident_id AND n.customer_id = p.customer_id AND n.kind = 'NOTIFY'
         LEFT JOIN care_incident_notices r ON r.incident_id = p.incident_id AND r.customer_id = p.customer_id AND r.kind = 'RESOLVE'
        WHERE p.incident_id = $1 ${keyset}
        ORDER BY p.posted_at, p.customer_id LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, first, (r) => encodeCursor(r.sortKey, r.customerId), async () => {
      const { rows: n } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM care_incident_posters WHERE incident_id = $1`, [incidentId]);
      return n[0].n;
    });
  }

  /** Sends the approved message to every consented poster not notified yet; the incident must be open. */
  async notify(input: { incidentId: string; text: string }, by: Viewer): Promise<Incident> {
    const incidentId = checkId(input.incidentId, 'incidentId', 'an incident id');
    const text = messageText(input.text);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      const incident = await this.lock(m, incidentId);
      if (incident.status !== IncidentStatus.OPEN) {
        throw new DomainError('CONFLICT', 'this incident is resolved: its closing message went with resolveIncident', { field: 'incidentId' });
      }
      await this.send(m, incident, IncidentMessageKind.NOTIFY, text, by);
      return this.lock(m, incidentId);
    }));
  }

  /**
   * Resolves the incident and its escalation, and sends the closing message to every consented
   * poster who has not had it. A retry (or a second call) on a resolved incident only reaches
   * posters the closing message has not reached yet.
   */
  async resolve(input: { incidentId: string; text: string; resolution?: string | null }, by: Viewer): Promise<Incident> {
    const incidentId = checkId(input.incidentId, 'incidentId', 'an incident id');
    const text = messageText(input.text);
    const resolution = input.resolution == null ? text.slice(0, 2000) : messageText(input.resolution, 'resolution').slice(0, 2000);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      const incident = await this.lock(m, incidentId);
      if (incident.status === IncidentStatus.OPEN) {
        await this.checkFits(m, await this.targets(m, incident.id, IncidentMessageKind.RESOLVE), text);
        await m.query(`UPDATE care_incidents SET status = 'RESOLVED', resolved_at = now(), resolved_by = $2 WHERE id = $1`, [incidentId, by.sub]);
        // The posts grouped behind the stand-in come back to the queue (those the closing message answers leave it again).
        await m.query(`UPDATE interactions SET grouped_incident_id = NULL WHERE grouped_incident_id = $1`, [incidentId]);
        if (incident.escalationId) {
          const [open]: { open: boolean }[] = await m.query(`SELECT resolved_at IS NULL AS open FROM escalations WHERE id = $1`, [incident.escalationId]);
          if (open?.open) await this.careDesk.resolveEscalationWith(m, incident.escalationId, resolution, true, by.sub);
        }
        await recordAudit(m, { actor: by, action: 'INCIDENT_RESOLVED', subject: null, details: { incidentId, escalationId: incident.escalationId } });
        await appendEvents(m, [{ type: EventType.INCIDENT_RESOLVED, customerId: null, data: { incidentId, escalationId: incident.escalationId } }]);
      }
      await this.send(m, incident, IncidentMessageKind.RESOLVE, text, by);
      return this.lock(m, incidentId);
    }));
  }

  /**
   * Opens an incident by hand on a topic, naming the affected customers by a filter (they are
   * reached by its messages whether they posted or not), joins and groups the queued posts on
   * the topic, and sends the optional first message (as notifyIncident would). A second call with
   * the same topic and filter while the incident is open is a retry: it opens nothing and the
   * message reaches only whom it has not reached; another filter on an open topic is CONFLICT.
   */
  async open(input: OpenIncident, by: Viewer): Promise<Incident> {
    const topic = normaliseTopic(input.topic);
    if (topic === '' || topic.length > 200) throw badInput('topic', 'topic must be 1-200 characters of a topic or hashtag');
    const message = input.message == null ? null : messageText(input.message, 'message');
    const filter = JSON.stringify(input.filter);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      const [created]: { id: string }[] = await m.query(
        `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at, opened_by, affected_filter)
         VALUES ($1, 'manual', 0, 0, now(), $2, $3::jsonb)
         ON CONFLICT (topic) WHERE status = 'OPEN' DO NOTHING RETURNING id`,
        [topic, by.sub, filter],
      );
      let incidentId: string;
      if (created) {
        incidentId = created.id;
        await this.openWith(m, incidentId, topic, input, by);
      } else {
        const [open]: { id: string; same: boolean }[] = await m.query(
          `SELECT id, affected_filter IS NOT DISTINCT FROM $2::jsonb AS same FROM care_incidents WHERE topic = $1 AND status = 'OPEN' FOR UPDATE`,
          [topic, filter],
        );
        if (!open?.same) {
          throw new DomainError('CONFLICT', `an incident on "${topic}" is open already: notifyIncident reaches its posters`, { field: 'topic' });
        }
        incidentId = open.id;
      }
      const incident = await this.lock(m, incidentId);
      if (message !== null) await this.send(m, incident, IncidentMessageKind.NOTIFY, message, by, 'message');
      return this.lock(m, incidentId);
    }));
  }

  /** The new incident's audience (bounded), the queued posts on its topic, the audit entry and the event. */
  private async openWith(m: EntityManager, incidentId: string, topic: string, input: OpenIncident, by: Viewer): Promise<void> {
    const base = input.audience.params.length;
    const [{ n: affected }]: { n: number }[] = await m.query(
      `WITH a AS (INSERT INTO care_incident_affected (incident_id, customer_id)
                  SELECT $${base + 1}::uuid, s.id FROM (${input.audience.sql} LIMIT $${base + 2}) s RETURNING 1)
       SELECT count(*)::int AS n FROM a`,
      [...input.audience.params, incidentId, MAX_AFFECTED + 1],
    );
    if (affected > MAX_AFFECTED) throw badInput('affected', `the filter matches more than ${MAX_AFFECTED} customers: narrow it`);
    // The posts already waiting on the topic join (and are grouped) as later ones will.
    const [{ posts }]: { posts: number }[] = await m.query(
      `WITH hit AS (SELECT i.id, i.customer_id, i.occurred_at FROM interactions i WHERE ${queued('i')} AND $2 = ANY(i.topics)),
            posts AS (INSERT INTO care_incident_posts (incident_id, interaction_id) SELECT $1, id FROM hit ORDER BY id RETURNING 1),
            posters AS (INSERT INTO care_incident_posters (incident_id, customer_id, interaction_id, posted_at)
                        SELECT DISTINCT ON (customer_id) $1::uuid, customer_id, id, occurred_at FROM hit ORDER BY customer_id, occurred_at, id)
       SELECT count(*)::int AS posts FROM posts`,
      [incidentId, topic],
    );
    await groupIncidentPosts(m, { incidentIds: [incidentId] });
    await recordAudit(m, { actor: by, action: 'INCIDENT_OPENED', subject: null, details: { incidentId, topic, affected, posts, filter: input.filter } });
    await appendEvents(m, [{ type: EventType.INCIDENT_OPENED, customerId: null, data: { incidentId, topic, escalationId: null, posts } }]);
  }

  /**
   * One public post of `text` per monitored brand channel, recorded once per incident, channel and
   * text: a retry (or a concurrent call) with the same text posts nothing twice. The text must fit
   * every channel's stored length limit, or nothing is recorded.
   */
  async broadcast(input: { incidentId: string; text: string }, by: Viewer): Promise<Incident> {
    const incidentId = checkId(input.incidentId, 'incidentId', 'an incident id');
    const text = messageText(input.text);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      await this.lock(m, incidentId);
      const channels: { id: string; channel: Channel }[] = await m.query(
        `SELECT id, channel FROM brand_channels WHERE monitored AND removed_at IS NULL ORDER BY id`);
      await fitsEvery(m, channels.map((c) => c.channel), text, 'text');
      const posted: { brandChannelId: string }[] = await m.query(
        `INSERT INTO care_incident_broadcasts (incident_id, brand_channel_id, text_key, text, posted_by)
         SELECT $1, id, md5($2), $2, $3 FROM unnest($4::uuid[]) AS id ORDER BY id
         ON CONFLICT DO NOTHING RETURNING brand_channel_id AS "brandChannelId"`,
        [incidentId, text, by.sub, channels.map((c) => c.id)],
      );
      await recordAudits(m, posted.map((p) => ({
        actor: by, action: 'INCIDENT_BROADCAST' as const, subject: null, details: { incidentId, brandChannelId: p.brandChannelId },
      })));
      return this.lock(m, incidentId);
    }));
  }

  private async lock(m: EntityManager, incidentId: string): Promise<Incident> {
    const [incident]: Incident[] = await m.query(`SELECT ${INCIDENT_COLUMNS} FROM care_incidents ci WHERE ci.id = $1 FOR UPDATE`, [incidentId]);
    if (!incident) throw new DomainError('NOT_FOUND', `no incident with id ${incidentId}`);
    return incident;
  }

  private async targets(m: EntityManager, incidentId: string, kind: IncidentMessageKind): Promise<Target[]> {
    return m.query(
      `SELECT p.customer_id AS "customerId", i.customer_id AS "postCustomerId", i.id AS "postId", i.status AS "postStatus",
              i.conversation_id AS "conversationId", i.channel, i.is_public AS "isPublic", i.lane, i.skill_group AS "skillGroup",
              v.origin_channel AS "originChannel", (cc.identity_id IS NOT NULL) AS consented,
              EXISTS (SELECT 1 FROM care_incident_notices n WHERE n.incident_id = p.incident_id AND n.customer_id = p.customer_id AND n.kind = $2) AS sent
         FROM care_incident_posters p
         JOIN interactions i ON i.id = p.interaction_id
         JOIN conversations v ON v.id = i.conversation_id
         LEFT JOIN consent_current cc ON cc.identity_id = i.social_identity_id AND cc.purpose = 'SERVICE' AND ${grantedNowSql('cc')}
        WHERE p.incident_id = $1
       UNION ALL
       SELECT a.customer_id, a.customer_id, NULL, NULL, NULL, u.channel, false, 'CUSTOMER_SERVICE', NULL, u.channel,
              (u.channel IS NOT NULL),
              EXISTS (SELECT 1 FROM care_incident_notices n WHERE n.incident_id = a.incident_id AND n.customer_id = a.customer_id AND n.kind = $2)
         FROM care_incident_affected a
         JOIN customers c ON c.id = a.customer_id AND c.merged_into IS NULL AND c.erased_at IS NULL
         -- Their first identity that SERVICE consent allows now: a handle, else an email, else a phone (by SMS).
         LEFT JOIN LATERAL (
           SELECT x.channel FROM (
             SELECT si.id, si.platform AS channel, 0 AS rank, si.captured_at FROM social_identities si WHERE si.customer_id = a.customer_id
             UNION ALL
             SELECT cp.id, CASE cp.kind WHEN 'EMAIL' THEN 'EMAIL' ELSE 'SMS' END, CASE cp.kind WHEN 'EMAIL' THEN 1 ELSE 2 END, cp.captured_at
               FROM contact_points cp WHERE cp.customer_id = a.customer_id -- every kind is EMAIL or PHONE (a kind filter made it scan the kind index)
           ) x
           -- A probe per identity (LIMIT keeps it one, as customerGrantedNowSql explains): as a join, a young
           -- consent_current or contact_points without statistics was scanned once per customer.
           CROSS JOIN LATERAL (SELECT 1 FROM consent_current cu WHERE cu.identity_id = x.id AND cu.purpose = 'SERVICE' AND ${grantedNowSql('cu')} LIMIT 1) ok
           ORDER BY x.rank, x.captured_at, x.id LIMIT 1) u ON true
        WHERE a.incident_id = $1
          AND NOT EXISTS (SELECT 1 FROM care_incident_posters p WHERE p.incident_id = a.incident_id AND p.customer_id = a.customer_id)
        ORDER BY 1`,
      [incidentId, kind],
    );
  }

  /** The posters still to reach; BAD_USER_INPUT when the text is longer than one of their channels takes. */
  private async checkFits(m: EntityManager, targets: Target[], text: string, field = 'text'): Promise<Target[]> {
    const reach = targets.filter((t) => t.consented && !t.sent);
    await fitsEvery(m, reach.map((t) => t.channel), text, field);
    return reach;
  }

  private async send(m: EntityManager, incident: Incident, kind: IncidentMessageKind, text: string, by: Viewer, field = 'text'): Promise<void> {
    const targets = await this.targets(m, incident.id, kind);
    const reach = await this.checkFits(m, targets, text, field);
    const notConsented = targets.filter((t) => !t.consented && !t.sent).length;
    const [message]: { id: string }[] = await m.query(
      `INSERT INTO care_incident_messages (incident_id, kind, text, not_consented, sent_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [incident.id, kind, text, notConsented, by.sub],
    );
    if (reach.length === 0) return;
    // Claim the posters first: a poster claimed by another call (committed or not) is skipped.
    const proposed = new Map(reach.map((t) => [t.customerId, randomUUID()]));
    const claimed: { customerId: string; replyId: string }[] = await m.query(
      `INSERT INTO care_incident_notices (incident_id, customer_id, kind, message_id, reply_id)
       SELECT $1, c, $2, $3, r FROM unnest($4::uuid[], $5::uuid[]) AS t(c, r) ORDER BY c
       ON CONFLICT DO NOTHING RETURNING customer_id AS "customerId", reply_id AS "replyId"`,
      [incident.id, kind, message.id, [...proposed.keys()], [...proposed.values()]],
    );
    if (claimed.length === 0) return;
    const byCustomer = new Map(reach.map((t) => [t.customerId, t]));
    const sent = claimed.map((c) => ({ ...byCustomer.get(c.customerId)!, replyId: c.replyId }));
    // Bounded statements: a large audience (openIncident's filter) is written a batch at a time.
    for (let from = 0; from < sent.length; from += SEND_BATCH) {
      await this.write(m, incident, kind, text, message.id, sent.slice(from, from + SEND_BATCH), by);
    }
    await m.query(`UPDATE care_incident_messages SET reached = $2 WHERE id = $1`, [message.id, sent.length]);
  }

  /**
   * The replies of one batch of claimed targets: in the thread of a poster's post (answering it),
   * or, for an affected customer who never posted, in a new conversation of their own.
   */
  private async write(
    m: EntityManager, incident: Incident, kind: IncidentMessageKind, text: string, messageId: string,
    batch: (Target & { replyId: string })[], by: Viewer,
  ): Promise<void> {
    const sent = batch.map((t) => ({ ...t, conversationId: t.conversationId ?? randomUUID(), started: t.conversationId === null }));
    const started = sent.filter((t) => t.started);
    await openConversations(m, started.map((t) => ({
      id: t.conversationId, customerId: t.postCustomerId, originChannel: t.channel, currentChannel: t.channel, channels: [t.channel],
      startedAt: null, lastActivityAt: null,
    })));
    const closing = kind === IncidentMessageKind.RESOLVE;
    const sentiment = classify(text).sentiment;
    await m.query(
      `INSERT INTO interactions (id, customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
         sentiment, topics, lane, skill_group, status, in_reply_to_id, actionable, closed_loop, created_by, delivery_status, delivery_updated_at)
       SELECT r.id, r.customer_id, r.conversation_id, r.channel, 'OUTBOUND', now(), $2, r.is_public, 'PROACTIVE',
              $3, ARRAY[$4::text], r.lane, r.skill_group, 'RESPONDED', r.in_reply_to_id, false, r.closed_loop, $5, 'PENDING', now()
         FROM json_to_recordset($1::json) AS r(id uuid, customer_id uuid, conversation_id uuid, channel text, is_public boolean,
              lane text, skill_group text, in_reply_to_id uuid, closed_loop boolean)`,
      [JSON.stringify(sent.map((t) => ({
        id: t.replyId, customer_id: t.postCustomerId, conversation_id: t.conversationId, channel: t.channel, is_public: t.isPublic,
        lane: t.lane, skill_group: t.skillGroup, in_reply_to_id: t.postId, closed_loop: t.isPublic && t.channel === t.originChannel,
      }))), text, sentiment, incident.topic, by.sub],
    );
    // The post is answered (and, by the closing message, resolved) unless an escalation holds it.
    const posts = sent.flatMap((t) => (t.postId ? [t.postId] : []));
    const [answered]: [{ id: string; customerId: string; from: string; to: string }[], number] = posts.length === 0 ? [[], 0] : await m.query(
      `UPDATE interactions i SET responded_at = coalesce(i.responded_at, now()),
              status = CASE WHEN i.status = 'OPEN' OR ($2 AND i.status = 'RESPONDED') THEN (CASE WHEN $2 THEN 'RESOLVED' ELSE 'RESPONDED' END) ELSE i.status END,
              resolved_at = CASE WHEN $2 AND i.status IN ('OPEN', 'RESPONDED') THEN now() ELSE i.resolved_at END
         FROM interactions before
        WHERE i.id = ANY($1::uuid[]) AND before.id = i.id
        RETURNING i.id, i.customer_id AS "customerId", before.status AS from, i.status AS to`,
      [posts, closing],
    );
    await appendHistory(m, answered.map((a) => ({
      customerId: a.customerId, interactionId: a.id, event: a.to === 'RESOLVED' && a.from !== 'RESOLVED' ? 'RESOLVED' as const : 'RESPONDED' as const,
      fromStatus: a.from, toStatus: a.to,
      detail: `incident "${incident.topic}": ${closing ? 'closing message' : 'notification'} sent in the thread`, actor: by.sub,
    })));
    const looped = new Set(sent.filter((t) => t.isPublic && t.channel === t.originChannel).map((t) => t.conversationId));
    await touchConversations(m, [...new Set(sent.filter((t) => !t.started).map((t) => t.conversationId))].map((id) => ({
      id, channels: [], current: null, move: false, at: null, closesLoop: closing && looped.has(id),
    })));
    await recordAudits(m, sent.map((t) => ({
      actor: by, action: 'INCIDENT_NOTICE_SENT' as const, subject: t.postCustomerId,
      details: { incidentId: incident.id, kind, messageId, replyId: t.replyId, interactionId: t.postId },
    })));
  }
}
