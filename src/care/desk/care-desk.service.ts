import type { DataSource, EntityManager } from 'typeorm';
import { classify, PUBLIC_CHANNELS } from '../rules';
import { checkId, DomainError, badInput } from '../../graphql';
import { withRetry } from '../../db';
import type { Channel } from '../../graphql';
import { resolveEscalationsWithInteractions } from '../escalations';
import { Coalescer, ItemsRefused } from '../../common';
import { EscalateWriter, escalateCall, type EscalateCall } from './escalate.batch';
import { appendHistory, type HistoryEntry, CONVERSATION_COLUMNS, ESCALATION_COLUMNS, INTERACTION_COLUMNS } from '../../interactions';
import type { EscalateInput, ResolveEscalationInput, RespondInput, TakeOfflineInput } from './care.inputs';
import type { Conversation, Escalation, Interaction } from '../../interactions';
import { recordAudit } from '../../audit';
import { replyLength, replyRules } from '../brand';
import { EventType, appendEvents } from '../../events';
import { touchConversations, touchConversationsSql } from './conversation.writer';

const MAX_TEXT = 10_000;

const id = (value: string, field: string) => checkId(value, field);

function text(value: string, field: string, max = MAX_TEXT): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > max) throw badInput(field, `${field} must be 1-${max} characters`);
  return trimmed;
}

/** The data of INTERACTION_RECORDED (ids and routing facts; the content is read through the API). */
export function recorded(interactionId: string, customerId: string, conversationId: string, channel: string, direction: string, status: string) {
  return { interactionId, customerId, conversationId, channel, direction, status };
}

/** One respondToInteraction call, checked (respond). */
interface RespondCall {
  input: RespondInput;
  by: string;
  interactionId: string;
  content: string;
  at: Date;
  template: { id: string; version: number | null } | null;
}

interface Locked {
  id: string;
  customerId: string;
  conversationId: string;
  channel: Channel;
  direction: string;
  isPublic: boolean;
  status: string;
  respondedAt: Date | null;
  resolvedAt: Date | null;
  category: string;
  topics: string[];
  lane: string;
  skillGroup: string | null;
  originChannel: Channel;
  currentChannel: Channel;
  originPublic: boolean;
  brandChannelId: string | null;
}

/**
 * The agent's side of a conversation: answering (and closing the loop), taking a thread
 * offline, escalating and resolving. Every status change goes to the interaction's history.
 */
export class CareDeskService {
  /** escalateInteraction's waiting calls (one per app). */
  private readonly escalations: Coalescer<EscalateCall, Escalation>;
  /** respondToInteraction's waiting calls (one per app; the desk fast path reaches them through respond too). */
  private readonly replies: Coalescer<RespondCall, Interaction>;

  constructor(private readonly dataSource: DataSource) {
    this.escalations = new Coalescer(new EscalateWriter(dataSource));
    this.replies = new Coalescer({
      check: () => null,
      one: (call) => this.respondMany([call]).then((r) => r[0], (error) => {
        throw error instanceof ItemsRefused ? error.errors.get(0) : error;
      }),
      many: (calls) => this.respondMany(calls),
    });
  }

  /**
   * Records the outbound reply and stops the SLA clock of the interaction answered (RESPONDED, or RESOLVED with `resolve`).
   * The reply's delivery is PENDING until a connector confirms it (reply-delivery.service.ts), SENT when it carries the platform's id.
   */
  async respond(input: RespondInput, by: string): Promise<Interaction> {
    const interactionId = id(input.interactionId, 'interactionId');
    const content = text(input.content, 'content');
    const at = input.occurredAt ?? new Date();
    if (Number.isNaN(at.getTime()) || at.getTime() > Date.now() + 5 * 60_000) throw badInput('occurredAt', 'occurredAt must not be in the future');
    const template = input.templateId == null ? null : { id: id(input.templateId, 'templateId'), version: input.templateVersion ?? null };
    if (template === null && input.templateVersion != null) throw badInput('templateVersion', 'templateVersion needs templateId');
    // Checked once, here; concurrent answers are then written together.
    return this.replies.record({ input, by, interactionId, content, at, template });
  }

  /**
   * Answers of several callers in one transaction: every interaction locked first, in id order,
   * then each answer written as it would be alone (in order of conversation, so two batches take
   * conversation locks alike). An answer its checks refuse fails alone (ItemsRefused; nothing
   * written, the rest written again without it).
   */
  private respondMany(calls: RespondCall[]): Promise<Interaction[]> {
    return withRetry(() => this.dataSource.transaction(async (m) => {
      let order = calls.map((_, n) => n);
      if (calls.length > 1) {
        const locked: { id: string; conversationId: string }[] = await m.query(
          `SELECT id, conversation_id AS "conversationId" FROM interactions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
          [[...new Set(calls.map((c) => c.interactionId))]],
        );
        const conversation = new Map(locked.map((l) => [l.id, l.conversationId]));
        const key = (n: number) => `${conversation.get(calls[n].interactionId) ?? ''}/${calls[n].interactionId}`;
        order = order.sort((a, b) => key(a).localeCompare(key(b)) || a - b);
      }
      const answers: Interaction[] = [];
      const refused = new Map<number, Error>();
      for (const n of order) {
        try {
          answers[n] = await this.respondWith(m, calls[n]);
        } catch (error) {
          // A refusal comes before its call writes anything; the batch is rolled back either way.
          if (!(error instanceof DomainError)) throw error;
          refused.set(n, error);
        }
      }
      if (refused.size > 0) throw new ItemsRefused(refused);
      return answers;
    }));
  }

  private async respondWith(m: EntityManager, { input, by, interactionId, content, at, template }: RespondCall): Promise<Interaction> {
    const original = await this.lockInteraction(m, interactionId);
    if (original.direction !== 'INBOUND') throw badInput('interactionId', 'only an inbound interaction can be answered');
    if (original.status === 'RESOLVED') throw new DomainError('CONFLICT', 'this interaction is resolved already', { field: 'interactionId' });
    const channel = input.channel ?? original.currentChannel;
    const isPublic = input.isPublic ?? (channel === original.channel && original.isPublic && PUBLIC_CHANNELS.has(channel));
    // Closing the loop: the answer is seen where the conversation started, in public.
    const closedLoop = original.originPublic && channel === original.originChannel && isPublic;
    // Before anything is written: a reply the channel cannot take is refused whole.
    const rules = await replyRules(m, channel, template);
    const length = replyLength(content);
    if (length > rules.maxLength) {
      throw new DomainError('BAD_USER_INPUT', `the reply is ${length} characters; ${channel} takes at most ${rules.maxLength}`, {
        field: 'content', channel, limit: rules.maxLength, length,
      });
    }
    // The reply, and (in the same round trip: nothing here touches escalations) the interaction's open escalations.
    const [reply]: { id: string; openEscalations: number }[] = await m.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
         sentiment, topics, lane, skill_group, status, in_reply_to_id, external_id, actionable, closed_loop, created_by,
         brand_channel_id, template_id, template_version, delivery_status, delivery_updated_at)
       VALUES ($1, $2, $3, 'OUTBOUND', $4, $5, $6, $7, $8, $9, $10, $11, 'RESPONDED', $12, $13, false, $14, $15, $16, $17, $18,
               CASE WHEN $13::text IS NULL THEN 'PENDING' ELSE 'SENT' END, now())
       RETURNING id, (SELECT count(*)::int FROM escalations e WHERE e.interaction_id = $12 AND e.resolved_at IS NULL) AS "openEscalations"`,
      [original.customerId, original.conversationId, channel, at, content, isPublic, original.category, classify(content).sentiment,
        original.topics, original.lane, original.skillGroup, original.id, input.externalId ?? null, closedLoop, by,
        channel === original.channel ? original.brandChannelId : null, template?.id ?? null, rules.templateVersion],
    );
    const status = input.resolve ? 'RESOLVED' : reply.openEscalations > 0 ? 'ESCALATED' : 'RESPONDED';
    // The answered interaction and its conversation in one statement; its row (after its triggers) is the answer.
    // TypeORM answers an UPDATE with [rows, row count].
    const [[answered]]: [Interaction[], number] = await m.query(
      `WITH u AS (SELECT $5::uuid AS id, ARRAY[$4::text] AS channels, $4::text AS current, true AS move, $2::timestamptz AS at, $6::boolean AS "closesLoop"),
       v AS (${touchConversationsSql('u')})
       UPDATE interactions i SET responded_at = coalesce(i.responded_at, $2), status = $3,
              resolved_at = CASE WHEN $3 = 'RESOLVED' THEN $2 ELSE i.resolved_at END
        WHERE i.id = $1
       RETURNING ${INTERACTION_COLUMNS}`,
      [original.id, at, status, channel, original.conversationId, closedLoop],
    );
    const history: HistoryEntry[] = [{
      customerId: original.customerId, interactionId: original.id, event: 'RESPONDED', fromStatus: original.status,
      toStatus: status === 'RESOLVED' ? 'RESPONDED' : status,
      detail: `answered on ${channel}${isPublic ? ' in public' : ' in private'}${closedLoop ? ', closing the loop in the original channel' : ''}`,
      actor: by, at,
    }];
    if (status === 'RESOLVED') {
      history.push({ customerId: original.customerId, interactionId: original.id, event: 'RESOLVED', fromStatus: 'RESPONDED', toStatus: 'RESOLVED', detail: 'resolved with the reply', actor: by, at });
    }
    await appendHistory(m, history);
    if (status === 'RESOLVED') await resolveEscalationsWithInteractions(m, [original.id], by);
    const customerId = original.customerId;
    await appendEvents(m, [
      { type: EventType.INTERACTION_RECORDED, customerId, data: recorded(reply.id, customerId, original.conversationId, channel, 'OUTBOUND', 'RESPONDED') },
      { type: EventType.INTERACTION_RESPONDED, customerId, data: { interactionId: original.id, customerId, replyId: reply.id, status } },
    ]);
    return answered;
  }

  /** Concurrent calls are written together (escalate.batch.ts); each caller keeps its own answer or error. */
  escalate(input: EscalateInput, by: string, requestId?: string): Promise<Escalation> {
    return this.escalations.record(escalateCall(input, by, requestId));
  }

  async resolveEscalation(input: ResolveEscalationInput, by: string): Promise<Escalation> {
    const escalationId = id(input.escalationId, 'escalationId');
    const resolution = text(input.resolution, 'resolution', 2000);
    return withRetry(() => this.dataSource.transaction((m) => this.resolveEscalationWith(m, escalationId, resolution, input.resolveInteraction, by)));
  }

  /**
   * resolveEscalation inside the caller's transaction (resolveIncident uses it): the escalation,
   * its audit entry, the interaction's status and history.
   */
  async resolveEscalationWith(m: EntityManager, escalationId: string, resolution: string, resolveInteraction: boolean, by: string): Promise<Escalation> {
    const rows: { interactionId: string; resolvedAt: Date | null; team: string }[] = await m.query(
      `SELECT interaction_id AS "interactionId", resolved_at AS "resolvedAt", team FROM escalations WHERE id = $1 FOR UPDATE`, [escalationId]);
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `no escalation with id ${escalationId}`);
    if (rows[0].resolvedAt) throw new DomainError('CONFLICT', 'this escalation is resolved already', { field: 'escalationId' });
    const original = await this.lockInteraction(m, rows[0].interactionId);
    await m.query(`UPDATE escalations SET resolved_at = now(), resolution = $2, resolved_by = $3 WHERE id = $1`, [escalationId, resolution, by]);
    await recordAudit(m, {
      actor: by,
      action: 'ESCALATION_RESOLVED',
      subject: original.customerId,
      details: { escalationId, interactionId: original.id, team: rows[0].team },
    });
    await appendEvents(m, [{
      type: EventType.ESCALATION_RESOLVED,
      customerId: original.customerId,
      data: { escalationId, interactionId: original.id, customerId: original.customerId, team: rows[0].team },
    }]);
    const stillOpen = await this.openEscalationCount(m, original.id);
    const status = original.status === 'RESOLVED' ? 'RESOLVED'
      : stillOpen > 0 ? 'ESCALATED'
      : resolveInteraction ? 'RESOLVED'
      : original.respondedAt ? 'RESPONDED' : 'OPEN';
    if (status !== original.status) {
      await m.query(
        `UPDATE interactions SET status = $2, resolved_at = CASE WHEN $2 = 'RESOLVED' THEN now() ELSE resolved_at END WHERE id = $1`,
        [original.id, status]);
    }
    await appendHistory(m, [{
      customerId: original.customerId, interactionId: original.id, event: 'ESCALATION_RESOLVED', fromStatus: original.status,
      toStatus: status, detail: `${rows[0].team}: ${resolution}`, escalationId, actor: by,
    }]);
    return this.escalation(m, escalationId);
  }

  /** Moves the conversation to another channel, keeping the thread and recording what context went with it. */
  async takeOffline(input: TakeOfflineInput, by: string): Promise<Conversation> {
    const conversationId = id(input.conversationId, 'conversationId');
    const context = text(input.context, 'context');
    const reason = input.reason == null ? null : text(input.reason, 'reason', 2000);
    const carried = input.carryInteractionIds?.map((c, i) => id(c, `carryInteractionIds[${i}]`));
    return withRetry(() => this.dataSource.transaction(async (m) => {
      const rows: { customerId: string; currentChannel: Channel }[] = await m.query(
        `SELECT customer_id AS "customerId", current_channel AS "currentChannel" FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
      if (rows.length === 0) throw new DomainError('NOT_FOUND', `no conversation with id ${conversationId}`);
      const { customerId, currentChannel } = rows[0];
      if (input.toChannel === currentChannel) throw badInput('toChannel', `the conversation is on ${currentChannel} already`);
      const thread: { id: string; status: string; direction: string }[] = await m.query(
        `SELECT id, status, direction FROM interactions WHERE conversation_id = $1 ORDER BY occurred_at, id`, [conversationId]);
      const inThread = new Set(thread.map((t) => t.id));
      const stray = (carried ?? []).findIndex((c) => !inThread.has(c));
      if (stray >= 0) throw badInput(`carryInteractionIds[${stray}]`, 'every carried interaction must belong to the conversation');
      const carriedIds = carried ?? thread.map((t) => t.id);
      await m.query(
        `INSERT INTO conversation_handoffs (customer_id, conversation_id, from_channel, to_channel, reason, context, carried_interaction_ids, handed_off_by,
           reason_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [customerId, conversationId, currentChannel, input.toChannel, reason, context, carriedIds, by, input.handoffReason ?? null]);
      await touchConversations(m, [{ id: conversationId, channels: [input.toChannel], current: input.toChannel, move: true, at: null, closesLoop: false }]);
      const waiting = thread.filter((t) => t.direction === 'INBOUND' && t.status !== 'RESOLVED');
      await appendHistory(m, waiting.map((t) => ({
        customerId, interactionId: t.id, event: 'TAKEN_OFFLINE' as const, fromStatus: t.status, toStatus: t.status,
        detail: `conversation moved from ${currentChannel} to ${input.toChannel}${reason ? ` (${reason})` : ''}; context: ${context}`, actor: by,
      })));
      const [conversation]: Conversation[] = await m.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversations v WHERE v.id = $1`, [conversationId]);
      return conversation;
    }));
  }

  private async lockInteraction(m: EntityManager, interactionId: string): Promise<Locked> {
    const rows: Locked[] = await m.query(
      `SELECT i.id, i.customer_id AS "customerId", i.conversation_id AS "conversationId", i.channel, i.direction,
              i.is_public AS "isPublic", i.status, i.responded_at AS "respondedAt", i.resolved_at AS "resolvedAt", i.category,
              i.topics, i.lane, i.skill_group AS "skillGroup", v.origin_channel AS "originChannel", i.brand_channel_id AS "brandChannelId",
              v.current_channel AS "currentChannel",
              coalesce((SELECT f.is_public FROM interactions f WHERE f.conversation_id = v.id ORDER BY f.occurred_at, f.id LIMIT 1), false)
                AS "originPublic"
         FROM interactions i JOIN conversations v ON v.id = i.conversation_id
        WHERE i.id = $1 FOR UPDATE OF i`,
      [interactionId],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `no interaction with id ${interactionId}`);
    return rows[0];
  }

  private async openEscalationCount(m: EntityManager, interactionId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM escalations WHERE interaction_id = $1 AND resolved_at IS NULL`, [interactionId]);
    return n;
  }

  private async escalation(m: EntityManager, escalationId: string): Promise<Escalation> {
    const [row]: Escalation[] = await m.query(`SELECT ${ESCALATION_COLUMNS} FROM escalations e WHERE e.id = $1`, [escalationId]);
    return row;
  }
}
