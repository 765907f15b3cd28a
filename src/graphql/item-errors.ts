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
