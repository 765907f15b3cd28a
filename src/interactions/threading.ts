import { uuidV7 } from '../db';
import type { EntityManager } from 'typeorm';
import type { ItemError } from '../graphql';
import type { InteractionInput } from './interaction.inputs';

/** An item of an ingestion call, as far as threading reads it. */
export interface ThreadableItem {
  index: number;
  input: InteractionInput;
  /** Whether the post is public (a later reply of another customer may point at it then). */
  isPublic: boolean;
}

// Which conversation each item of a call belongs to: the one named, the one of the post it
// replies to (when the same customer continues it), or a new one.

interface Ref {
  id: string;
  conversationId: string;
  customerId: string;
  isPublic: boolean;
}

export interface ThreadRefs {
  conversations: Map<string, { customerId: string }>;
  interactions: Map<string, Ref>;
  /** By `<channel>|<externalId>`. */
  external: Map<string, Ref>;
}

const externalKey = (channel: string, externalId: string) => `${channel}|${externalId}`;

/** Everything the items refer to, in at most three set-based statements (none when nothing is referred to). */
export async function loadThreadRefs(m: EntityManager, items: ThreadableItem[]): Promise<ThreadRefs> {
  const refs: ThreadRefs = { conversations: new Map(), interactions: new Map(), external: new Map() };
  const conversationIds = [...new Set(items.flatMap((i) => (i.input.conversationId ? [i.input.conversationId] : [])))];
  const interactionIds = [...new Set(items.flatMap((i) => (i.input.inReplyToId ? [i.input.inReplyToId] : [])))];
  const external = items.filter((i) => i.input.inReplyToExternalId);
  if (conversationIds.length > 0) {
    const rows: { id: string; customerId: string }[] = await m.query(
      `SELECT id, customer_id AS "customerId" FROM conversations WHERE id = ANY($1::uuid[])`, [conversationIds]);
    for (const r of rows) refs.conversations.set(r.id, { customerId: r.customerId });
  }
  if (interactionIds.length > 0) {
    const rows: Ref[] = await m.query(
      `SELECT id, conversation_id AS "conversationId", customer_id AS "customerId", is_public AS "isPublic" FROM interactions WHERE id = ANY($1::uuid[])`,
      [interactionIds]);
    for (const r of rows) refs.interactions.set(r.id, r);
  }
  if (external.length > 0) {
    const rows: (Ref & { channel: string; externalId: string })[] = await m.query(
      `SELECT DISTINCT ON (i.channel, i.external_id) i.id, i.conversation_id AS "conversationId", i.customer_id AS "customerId",
              i.is_public AS "isPublic", i.channel, i.external_id AS "externalId"
         FROM unnest($1::text[], $2::text[]) AS r(channel, external_id)
         JOIN interactions i ON i.channel = r.channel AND i.external_id = r.external_id
        ORDER BY i.channel, i.external_id, i.occurred_at, i.id`,
      [external.map((i) => i.input.channel), external.map((i) => i.input.inReplyToExternalId)],
    );
    for (const r of rows) refs.external.set(externalKey(r.channel, r.externalId), r);
  }
  return refs;
}

/**
 * A reply may point at another customer's post only when that post is public (a thread on a
 * social network): a private message of someone else is never a reply target, and it answers
 * like an id that does not exist, so a caller cannot tell the one from the other.
 */
function reachable(target: Ref | undefined, customerId: string): Ref | undefined {
  return target && (target.customerId === customerId || target.isPublic) ? target : undefined;
}

/** Ids that were named but do not exist. */
export function unknownRefs(items: ThreadableItem[], refs: ThreadRefs): ItemError[] {
  const errors: ItemError[] = [];
  for (const item of items) {
    const { conversationId, inReplyToId } = item.input;
    if (conversationId && !refs.conversations.has(conversationId)) {
      errors.push({ index: item.index, field: 'conversationId', message: `no conversation with id ${conversationId}` });
    } else if (inReplyToId && !refs.interactions.has(inReplyToId)) {
      errors.push({ index: item.index, field: 'inReplyToId', message: `no interaction with id ${inReplyToId}` });
    }
  }
  return errors;
}

export interface Threaded {
  id: string;
  conversationId: string;
  newConversation: boolean;
  inReplyToId: string | null;
}

/**
 * Assigns ids, conversations and reply links in call order, so a later item may reply
 * (by external id) to an earlier one of the same call.
 */
export function threadItems(
  items: ThreadableItem[],
  customerOf: (index: number) => string,
  refs: ThreadRefs,
): { threaded: Map<number, Threaded>; errors: ItemError[] } {
  const threaded = new Map<number, Threaded>();
  const errors: ItemError[] = [];
  const inCall = new Map<string, Ref>();
  for (const item of items) {
    const customerId = customerOf(item.index);
    const id = uuidV7();
    const { conversationId, inReplyToId, inReplyToExternalId, externalId, channel } = item.input;
    let target: Ref | undefined;
    if (inReplyToId) {
      target = reachable(refs.interactions.get(inReplyToId), customerId);
      if (!target) {
        errors.push({ index: item.index, field: 'inReplyToId', message: `no interaction with id ${inReplyToId}` });
        continue;
      }
    } else if (inReplyToExternalId) {
      target = reachable(refs.external.get(externalKey(channel, inReplyToExternalId)) ?? inCall.get(externalKey(channel, inReplyToExternalId)), customerId);
    }
    let conversation: string;
    let created = false;
    if (conversationId) {
      if (refs.conversations.get(conversationId)!.customerId !== customerId) {
        errors.push({ index: item.index, field: 'conversationId', message: `conversation ${conversationId} belongs to another customer` });
        continue;
      }
      conversation = conversationId;
    } else if (target && target.customerId === customerId) {
      conversation = target.conversationId;
    } else {
      conversation = uuidV7();
      created = true;
    }
    const entry = { id, conversationId: conversation, newConversation: created, inReplyToId: target?.id ?? null };
    threaded.set(item.index, entry);
    if (externalId) inCall.set(externalKey(channel, externalId), { id, conversationId: conversation, customerId, isPublic: item.isPublic });
  }
  return { threaded, errors };
}
