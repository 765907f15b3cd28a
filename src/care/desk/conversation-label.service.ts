import type { Pool } from 'pg';
import { checkId, DomainError, badInput } from '../../graphql';
import type { Conversation } from '../../interactions';
import { setConversationLabels } from './conversation.writer';

const MAX_LABELS = 20;
const MAX_LABEL = 50;

/**
 * A set of labels as stored and as filtered on: trimmed, lower-case, without repeats, sorted;
 * at most 20 of 1-50 characters. Usage: `normaliseLabels([' Refund', 'refund', 'VIP'], 'labels')` -> ['refund', 'vip']
 */
export function normaliseLabels(labels: readonly string[], field: string): string[] {
  const out = new Set<string>();
  for (const [n, raw] of labels.entries()) {
    const label = raw.trim().toLowerCase();
    if (label === '' || label.length > MAX_LABEL) throw badInput(`${field}[${n}]`, `a label must be 1-${MAX_LABEL} characters`);
    out.add(label);
  }
  if (out.size > MAX_LABELS) throw badInput(field, `at most ${MAX_LABELS} labels`);
  return [...out].sort();
}

/** The labels a filter asks for, as stored; null when none are given (no filter). */
export const wantedLabels = (labels: readonly string[] | null | undefined): string[] | null =>
  labels == null || labels.length === 0 ? null : normaliseLabels(labels, 'labels');

/** SQL: the conversation `conversationId` (an SQL expression) carries every label of `param` (a text[] parameter). */
export const carriesLabels = (conversationId: string, param: string) =>
  `EXISTS (SELECT 1 FROM conversations v WHERE v.id = ${conversationId} AND v.labels @> ${param}::text[])`;

/** Labels on conversations: the whole set is replaced, so a retry writes the same set. */
export class ConversationLabelService {
  constructor(private readonly pool: Pool) {}

  /** Usage: `await labels.set(conversationId, ['refund', 'vip'])` -> the conversation with its labels. */
  async set(rawId: string, labels: readonly string[]): Promise<Conversation> {
    const conversationId = checkId(rawId, 'conversationId');
    const normalised = normaliseLabels(labels, 'labels');
    const conversation = await setConversationLabels(this.pool, conversationId, normalised);
    if (conversation === null) throw new DomainError('NOT_FOUND', `no conversation with id ${conversationId}`);
    return conversation;
  }
}
