import { DomainError, type ErrorCode } from './errors';

/** What is wrong with one item of a bulk input (its index in the list, the field, why). */
export interface ItemError {
  index: number;
  field: string;
  message: string;
}

/**
 * Errors of a whole call as one DomainError: the first names its field (`inputs[3].content`,
 * or `content` for a single call); `errors` lists every bad item with its index.
 */
export function itemErrors(code: ErrorCode, errors: ItemError[], bulk: boolean, items = 'interactions'): DomainError {
  const first = errors[0];
  // An empty field: the item as a whole (`inputs[3]`).
  const path = (e: ItemError) => (bulk ? `inputs[${e.index}]${e.field ? `.${e.field}` : ''}` : e.field);
  const summary = bulk ? `${errors.length} of the ${items} are not valid; nothing was written. First: ${first.message}` : first.message;
  return new DomainError(code, summary, {
    field: path(first),
    ...(bulk ? { index: first.index } : {}),
    errors: errors.map((e) => ({ index: e.index, field: path(e), message: e.message })),
  });
}

/**
 * The first item of each idempotency key of a bulk call, and an error for every later item that
 * reuses a key with other content (the same key and content is one item, written once).
 * Usage: `const { firstOfKey, conflicts } = firstOfEachKey(items); if (conflicts.length) throw itemErrors('CONFLICT', conflicts, true)`
 */
export function firstOfEachKey<T extends { index: number; key: string; hash: string }>(items: readonly T[]): { firstOfKey: Map<string, T>; conflicts: ItemError[] } {
  const firstOfKey = new Map<string, T>();
  const conflicts: ItemError[] = [];
  for (const item of items) {
    const first = firstOfKey.get(item.key);
    if (!first) firstOfKey.set(item.key, item);
    else if (first.hash !== item.hash) {
      conflicts.push({ index: item.index, field: 'idempotencyKey', message: `idempotencyKey is used by item ${first.index} with other content` });
    }
  }
  return { firstOfKey, conflicts };
}
