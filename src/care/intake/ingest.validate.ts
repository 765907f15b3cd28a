import { MAX_TOPIC, normaliseTopic } from '../../common';
import { isUuid, contentHash as idempotencyHash } from '../../db';
import { DomainError, type ItemError, Channel, Direction } from '../../graphql';
import type { NormalisedIdentifiers } from '../../identities';
import { itemIdentifiers } from '../../identities';
import type { InteractionInput } from '../../interactions';
import { normaliseBrandHandle } from '../brand';
import { PUBLIC_CHANNELS } from '../rules';

/** Most interactions one bulk call may carry. */
export const MAX_BULK = 1000;
export { itemErrors, type ItemError } from '../../graphql';
export const MAX_CONTENT = 10_000;
/** Clocks drift: an occurredAt this far ahead is still accepted. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;



/** An input that passed the checks that need no database. */
export interface PreparedItem {
  index: number;
  key: string;
  /** sha256 of the input without its key: tells a retry from a conflicting reuse of the key. */
  hash: string;
  input: InteractionInput;
  customerId: string | null;
  ids: NormalisedIdentifiers;
  direction: Direction;
  occurredAt: Date;
  isPublic: boolean;
  topics: string[] | null;
  /** The brand channel named: by id, or by the normalised handle on the item's channel. */
  brand: { id: string } | { handle: string } | null;
  /** The caller's token subject, when one write carries items of several callers (coalesced single calls). */
  by?: string;
  /** The caller's request id, likewise (audit entries of what its item raised name it). */
  requestId?: string;
}


/**
 * sha256 of the input's canonical JSON without its key (src/db/idempotency.ts). Stored with each
 * row and compared on every retry, so the canonical form must never change (a unit test pins known hashes).
 */
export function contentHash(input: InteractionInput): string {
  return idempotencyHash(input);
}

/**
 * Checks one input without the database. Returns the prepared item or the first problem.
 * Usage: `prepareItem(input, 0, 'US', new Date())`
 */
export function prepareItem(input: InteractionInput, index: number, region: string, now: Date): PreparedItem | ItemError {
  const fail = (field: string, message: string): ItemError => ({ index, field, message });
  const key = input.idempotencyKey;
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) return fail('idempotencyKey', 'idempotencyKey must be 1-255 characters');
  if (input.content.trim() === '') return fail('content', 'content must not be empty');
  if (input.content.length > MAX_CONTENT) return fail('content', `content must be at most ${MAX_CONTENT} characters`);
  if (input.customerId != null && !isUuid(input.customerId)) return fail('customerId', `customerId "${input.customerId}" is not a customer id`);
  for (const field of ['conversationId', 'inReplyToId'] as const) {
    const id = input[field];
    if (id != null && !isUuid(id)) return fail(field, `${field} "${id}" is not an id`);
  }
  if (input.sentiment != null && !(input.sentiment >= -1 && input.sentiment <= 1)) return fail('sentiment', 'sentiment must be between -1 and 1');
  if (input.displayName != null && (input.displayName.trim() === '' || input.displayName.length > 200)) {
    return fail('displayName', 'displayName must be 1-200 characters');
  }
  for (const field of ['externalId', 'inReplyToExternalId', 'skillGroup'] as const) {
    const value = input[field];
    if (value != null && (value.trim() === '' || value.length > 255)) return fail(field, `${field} must be 1-255 characters`);
  }
  let topics: string[] | null = null;
  if (input.topics != null) {
    if (input.topics.length > 50) return fail('topics', 'at most 50 topics');
    topics = [...new Set(input.topics.map(normaliseTopic))];
    if (topics.some((t) => t === '' || t.length > MAX_TOPIC)) return fail('topics', `each topic must be 1-${MAX_TOPIC} characters`);
  }
  const occurredAt = input.occurredAt ?? now;
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) return fail('occurredAt', 'occurredAt is not a date');
  if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return fail('occurredAt', 'occurredAt must not be in the future');
  const ids = itemIdentifiers(input, region);
  if ('message' in ids) return fail(ids.field, ids.message);
  let brand: PreparedItem['brand'] = null;
  if (input.brandChannelId != null && input.brandHandle != null) return fail('brandHandle', 'give brandChannelId or brandHandle, not both');
  if (input.brandChannelId != null) {
    if (!isUuid(input.brandChannelId)) return fail('brandChannelId', `brandChannelId "${input.brandChannelId}" is not an id`);
    brand = { id: input.brandChannelId };
  } else if (input.brandHandle != null) {
    try {
      brand = { handle: normaliseBrandHandle(input.channel, input.brandHandle, region, 'brandHandle') };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return fail('brandHandle', error.message);
    }
  }
  return {
    index, key, hash: contentHash(input), input, customerId: input.customerId ?? null, ids,
    direction: input.direction ?? Direction.INBOUND, occurredAt,
    isPublic: input.isPublic ?? PUBLIC_CHANNELS.has(input.channel), topics, brand,
  };
}

export function isItemError(x: PreparedItem | ItemError): x is ItemError {
  return 'message' in x;
}
