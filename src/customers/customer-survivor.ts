import type { EntityManager } from 'typeorm';
import { DomainError } from '../graphql';

// The survivor rule (domain.md, "Merges"): a merged customer's id keeps answering, with the
// customer it was merged into. `merged_into` always names the final survivor (a merge
// repoints earlier merges), so one hop is enough. Every read or write that takes a customer
// id from outside resolves it through this join.

/**
 * SQL joining the customer named by id (`asked`) to the customer that answers for it now
 * (`survivor`). Usage: `SELECT s.* FROM ${survivorJoin('k', 's')} WHERE k.id = $1`.
 */
export function survivorJoin(asked: string, survivor: string): string {
  return `customers ${asked} JOIN customers ${survivor} ON ${survivor}.id = coalesce(${asked}.merged_into, ${asked}.id)`;
}

/**
 * The customer that owns the id now, locked FOR UPDATE until the transaction ends.
 * NOT_FOUND for an unknown id, CONFLICT for an erased customer.
 */
export async function liveCustomerId(m: EntityManager, id: string, field = 'customerId'): Promise<string> {
  const [row] = await m.query(
    `SELECT c.id, c.erased_at AS "erasedAt" FROM ${survivorJoin('k', 'c')} WHERE k.id = $1 FOR UPDATE OF c`,
    [id],
  );
  if (!row) throw new DomainError('NOT_FOUND', `no customer with id "${id}"`, { field });
  if (row.erasedAt) throw new DomainError('CONFLICT', 'the customer was erased', { field });
  return row.id;
}
