import { requiredText, DomainError, badInput, checkId } from '../../graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { withRetry, keyProblem } from '../../db';
import { EventType, appendEvents } from '../../events';
import { appendHistory, INTERACTION_COLUMNS } from '../../interactions';
import type { Interaction } from '../../interactions';
import { ReplyDeliveryStatus, type ReplyDelivery, type ReplyDeliveryInput } from './reply-delivery.types';

const MAX_EXTERNAL_ID = 255;
const MAX_ERROR = 2000;

interface Reply {
  id: string;
  customerId: string;
  direction: string;
  status: ReplyDeliveryStatus | null;
  externalId: string | null;
  inReplyToId: string | null;
}

/** Interaction.delivery of a row read with INTERACTION_COLUMNS; null on inbound items and replies recorded before deliveries were kept. */
export function deliveryOf(i: Interaction): ReplyDelivery | null {
  if (!i.deliveryStatus) return null;
  return { status: i.deliveryStatus as ReplyDeliveryStatus, externalId: i.externalId, error: i.deliveryError ?? null, updatedAt: i.deliveryUpdatedAt! };
}

/**
 * Replies really sent. Every outbound reply starts PENDING (or SENT when recorded with the
 * platform's id); a channel connector confirms it once: SENT with the platform's id, or FAILED
 * with its error, which emits REPLY_DELIVERY_FAILED and puts the post the reply answered back
 * in the queue (OPEN, unanswered, free) unless another reply to it is pending or sent.
 * The reply's row is locked first, so two confirmations of one reply run one after the other:
 * the same one again answers the reply and writes nothing, a different one is CONFLICT.
 */
export class ReplyDeliveryService {
  constructor(private readonly dataSource: DataSource) {}

  async record(input: ReplyDeliveryInput, by: string): Promise<Interaction> {
    if ((input.interactionId == null) === (input.idempotencyKey == null)) {
      throw badInput('interactionId', 'name the reply by interactionId or by idempotencyKey (one of them)');
    }
    const byId = input.interactionId != null;
    const ref = byId ? checkId(input.interactionId!, 'interactionId') : input.idempotencyKey!;
    const problem = byId ? null : keyProblem(ref);
    if (problem) throw badInput('idempotencyKey', problem);
    let value: string;
    if (input.status === ReplyDeliveryStatus.SENT) {
      if (input.error != null) throw badInput('error', 'a SENT reply has no error');
      value = requiredText(input.externalId, 'externalId', MAX_EXTERNAL_ID, 'SENT needs the platform\'s id');
    } else if (input.status === ReplyDeliveryStatus.FAILED) {
      value = requiredText(input.error, 'error', MAX_ERROR, 'FAILED needs the error');
    } else {
      throw badInput('status', 'a connector reports SENT or FAILED');
    }
    return withRetry(() => this.dataSource.transaction(async (m) => {
      const [reply]: Reply[] = await m.query(
        `SELECT id, customer_id AS "customerId", direction, delivery_status AS status, external_id AS "externalId", in_reply_to_id AS "inReplyToId"
           FROM interactions WHERE ${byId ? 'id = $1' : 'idempotency_key = $1'} FOR UPDATE`,
        [ref],
      );
      const field = byId ? 'interactionId' : 'idempotencyKey';
      if (!reply) throw new DomainError('NOT_FOUND', `no interaction with ${field} ${ref}`, { field });
      if (reply.direction !== 'OUTBOUND' || reply.status === null) throw badInput(field, 'only an outbound reply has a delivery');
      if (reply.status === ReplyDeliveryStatus.PENDING) {
        await (input.status === ReplyDeliveryStatus.SENT ? this.sent(m, reply, value) : this.failed(m, reply, value, by));
      } else if (reply.status !== input.status || (input.status === ReplyDeliveryStatus.SENT && reply.externalId !== value)) {
        // A second FAILED is the same confirmation again, whatever its wording: the first error stays.
        throw new DomainError('CONFLICT', `the reply's delivery is ${reply.status}${reply.externalId ? ` (${reply.externalId})` : ''} already`, {
          field: 'status', delivery: reply.status,
        });
      }
      const [row]: Interaction[] = await m.query(`SELECT ${INTERACTION_COLUMNS} FROM interactions i WHERE i.id = $1`, [reply.id]);
      return row;
    }));
  }

  private async sent(m: EntityManager, reply: Reply, externalId: string): Promise<void> {
    await m.query(
      `UPDATE interactions SET delivery_status = 'SENT', external_id = $2, delivery_error = NULL, delivery_updated_at = now() WHERE id = $1`,
      [reply.id, externalId],
    );
  }

  private async failed(m: EntityManager, reply: Reply, error: string, by: string): Promise<void> {
    await m.query(`UPDATE interactions SET delivery_status = 'FAILED', delivery_error = $2, delivery_updated_at = now() WHERE id = $1`, [reply.id, error]);
    // The post is unanswered again, unless another reply to it is still pending or was sent
    // (replies recorded before deliveries were kept count as sent). Its clock runs from the post.
    const [reopened]: [{ id: string; customerId: string; from: string; to: string }[], number] = reply.inReplyToId === null ? [[], 0] : await m.query(
      `UPDATE interactions i SET status = CASE WHEN i.status IN ('RESPONDED', 'RESOLVED') THEN 'OPEN' ELSE i.status END,
              responded_at = NULL, resolved_at = CASE WHEN i.status = 'RESOLVED' THEN NULL ELSE i.resolved_at END,
              assigned_to = NULL, assigned_at = NULL, assignment_due_at = NULL
         FROM interactions before
        WHERE i.id = $1 AND before.id = i.id AND i.direction = 'INBOUND'
          AND NOT EXISTS (SELECT 1 FROM interactions o WHERE o.in_reply_to_id = i.id AND o.direction = 'OUTBOUND' AND o.id <> $2
                             AND o.delivery_status IS DISTINCT FROM 'FAILED')
        RETURNING i.id, i.customer_id AS "customerId", before.status AS from, i.status AS to`,
      [reply.inReplyToId, reply.id],
    );
    const post = reopened[0] ?? null;
    if (post) {
      await appendHistory(m, [{
        customerId: post.customerId, interactionId: post.id, event: 'REOPENED', fromStatus: post.from, toStatus: post.to,
        detail: `the reply ${reply.id} was not delivered: ${error}`, actor: by,
      }]);
    }
    await appendEvents(m, [{
      type: EventType.REPLY_DELIVERY_FAILED, customerId: reply.customerId,
      data: { replyId: reply.id, interactionId: reply.inReplyToId, customerId: reply.customerId, status: post?.to ?? null },
    }]);
  }
}
