import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey } from '../../db';
import type { ConversationHandoff, InteractionEvent } from './care.types';
import { ESCALATION_COLUMNS, INTERACTION_COLUMNS } from '../../interactions';
import type { Escalation, Interaction } from '../../interactions';
import { queueItemsOf } from './care-queue.service';
import type { QueueItem } from './care-queue.types';

/** Per-request loaders of the care workflow: history, hand-offs, replies. */
export function createCareLoaders(pool: Pool) {
  return {
    /** Oldest first. */
    historyByInteractionId: new DataLoader<string, InteractionEvent[]>(async (ids) => {
      const { rows } = await pool.query<InteractionEvent>(
        `SELECT h.interaction_id AS "interactionId", h.event, h.from_status AS "fromStatus", h.to_status AS "toStatus", h.detail,
                h.escalation_id AS "escalationId", h.actor, h.at
           FROM interaction_history h WHERE h.interaction_id = ANY($1::uuid[]) ORDER BY h.at, h.id`,
        [ids],
      );
      return groupByKey(ids, rows, (r) => r.interactionId);
    }),
    handoffsByConversationId: new DataLoader<string, ConversationHandoff[]>(async (ids) => {
      const { rows } = await pool.query<ConversationHandoff>(
        `SELECT id, conversation_id AS "conversationId", from_channel AS "fromChannel", to_channel AS "toChannel", reason, context,
                carried_interaction_ids AS "carriedInteractionIds", handed_off_by AS "handedOffBy", handed_off_at AS "handedOffAt",
                reason_code AS "handoffReason"
           FROM conversation_handoffs WHERE conversation_id = ANY($1::uuid[]) ORDER BY handed_off_at, id`,
        [ids],
      );
      return groupByKey(ids, rows, (r) => r.conversationId);
    }),
    /** The care-queue item of an interaction (null: not in the queue), its reasons as of the load. */
    queueItemById: new DataLoader<string, QueueItem | null>((ids) => queueItemsOf(pool, ids)),
    escalationById: new DataLoader<string, Escalation | null>(async (ids) => {
      const { rows } = await pool.query<Escalation & { id: string }>(`SELECT ${ESCALATION_COLUMNS} FROM escalations e WHERE e.id = ANY($1::uuid[])`, [ids]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Outbound answers (and other replies) to an interaction, oldest first. */
    repliesByInteractionId: new DataLoader<string, Interaction[]>(async (ids) => {
      const { rows } = await pool.query<Interaction>(
        `SELECT ${INTERACTION_COLUMNS} FROM interactions i WHERE i.in_reply_to_id = ANY($1::uuid[]) ORDER BY i.occurred_at, i.id`,
        [ids],
      );
      return groupByKey(ids, rows, (r) => r.inReplyToId!);
    }),
  };
}
