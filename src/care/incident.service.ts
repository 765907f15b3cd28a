import { EventType } from '../events/event-types';
import { appendEvents } from '../events/outbox';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit, recordAudits } from '../audit/audit-log';
import type { Viewer } from '../auth/jwt';
import { withRetry } from '../db/retry';
import { DomainError, badInput } from '../graphql/errors';
import type { Channel } from '../graphql/enums';
import { checkId } from '../graphql/ids';
import { decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection } from '../graphql/pagination';
import { grantedNowSql } from '../identities/consent-ledger';
import { appendHistory } from '../interactions/interaction-history';
import type { CareDeskService } from './care-desk.service';
import { lengthLimits, MAX_TEMPLATE_TEXT } from './response-template.service';
import { replyLength } from './response-template.render';
import { classify } from './classifier';
import { IncidentMessageKind, IncidentStatus, type Incident, type IncidentPoster } from './incident.types';

/** Columns of an Incident (table alias ci). */
export const INCIDENT_COLUMNS = `ci.id, ci.topic, ci.status, ci.opened_at AS "openedAt", ci.resolved_at AS "resolvedAt",
  ci.rule_name AS "ruleName", ci.window_minutes AS "windowMinutes", ci.trigger_posts AS "triggerPosts", ci.escalation_id AS "escalationId"`;

/** A poster as a notice sees them: their post, its thread, and whether they may be reached now. */
interface Target {
  customerId: string;
  postCustomerId: string;
  postId: string;
  postStatus: string;
  conversationId: string;
  channel: Channel;
  isPublic: boolean;
  lane: string;
  skillGroup: string | null;
  originChannel: Channel;
  consented: boolean;
  sent: boolean;
}

function messageText(value: string, field = 'text'): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_TEMPLATE_TEXT) throw badInput(field, `${field} must be 1-${MAX_TEMPLATE_TEXT} characters`);
  return trimmed;
}

/**
 * Incidents: the reads, and the messages to everyone who posted (notifyIncident, and the
 * closing one of resolveIncident). A message goes as one OUTBOUND reply per poster, in the
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
        ORDER BY p.customer_id`,
      [incidentId, kind],
    );
  }

  /** The text must fit every channel it is about to go to; nothing is written otherwise. */
  /** The posters still to reach; BAD_USER_INPUT when the text is longer than one of their channels takes (the stored limits replies obey). */
  private async checkFits(m: EntityManager, targets: Target[], text: string): Promise<Target[]> {
    const reach = targets.filter((t) => t.consented && !t.sent);
    const limits = await lengthLimits(m, reach.map((t) => t.channel));
    const length = replyLength(text);
    const tooLong = reach.find((t) => length > limits.get(t.channel)!);
    if (tooLong) {
      throw badInput('text', `text is ${length} characters; ${tooLong.channel} allows ${limits.get(tooLong.channel)}`);
    }
    return reach;
  }

  private async send(m: EntityManager, incident: Incident, kind: IncidentMessageKind, text: string, by: Viewer): Promise<void> {
    const targets = await this.targets(m, incident.id, kind);
    const reach = await this.checkFits(m, targets, text);
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
    const [answered]: [{ id: string; customerId: string; from: string; to: string }[], number] = await m.query(
      `UPDATE interactions i SET responded_at = coalesce(i.responded_at, now()),
              status = CASE WHEN i.status = 'OPEN' OR ($2 AND i.status = 'RESPONDED') THEN (CASE WHEN $2 THEN 'RESOLVED' ELSE 'RESPONDED' END) ELSE i.status END,
              resolved_at = CASE WHEN $2 AND i.status IN ('OPEN', 'RESPONDED') THEN now() ELSE i.resolved_at END
         FROM interactions before
        WHERE i.id = ANY($1::uuid[]) AND before.id = i.id
        RETURNING i.id, i.customer_id AS "customerId", before.status AS from, i.status AS to`,
      [sent.map((t) => t.postId), closing],
    );
    await appendHistory(m, answered.map((a) => ({
      customerId: a.customerId, interactionId: a.id, event: a.to === 'RESOLVED' && a.from !== 'RESOLVED' ? 'RESOLVED' as const : 'RESPONDED' as const,
      fromStatus: a.from, toStatus: a.to,
      detail: `incident "${incident.topic}": ${closing ? 'closing message' : 'notification'} sent in the thread`, actor: by.sub,
    })));
    const looped = sent.filter((t) => t.isPublic && t.channel === t.originChannel).map((t) => t.conversationId);
    await m.query(
      `UPDATE conversations SET last_activity_at = greatest(last_activity_at, now()),
              loop_closed_at = CASE WHEN $3 AND id = ANY($2::uuid[]) THEN coalesce(loop_closed_at, now()) ELSE loop_closed_at END
        WHERE id = ANY($1::uuid[])`,
      [[...new Set(sent.map((t) => t.conversationId))], looped, closing],
    );
    await recordAudits(m, sent.map((t) => ({
      actor: by, action: 'INCIDENT_NOTICE_SENT' as const, subject: t.postCustomerId,
      details: { incidentId: incident.id, kind, messageId: message.id, replyId: t.replyId, interactionId: t.postId },
    })));
    await m.query(`UPDATE care_incident_messages SET reached = $2 WHERE id = $1`, [message.id, sent.length]);
  }
}
