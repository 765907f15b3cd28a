import type { EntityManager } from 'typeorm';
import { claimKeys, contentHash, keyProblem, settleKeys } from '../db';
import { DomainError, badInput } from './errors';

/** A checked key with the hash of the content it comes with. */
export interface KeyClaim {
  key: string;
  hash: string;
  /** The input field that carries the key, named by a CONFLICT. */
  field: string;
}

/**
 * The optional idempotencyKey of a call, checked (BAD_USER_INPUT on `field`) and hashed with
 * the content (the content's own `idempotencyKey` field is left out of the hash). null: no key.
 * Usage: `const claim = keyClaim(input.idempotencyKey, input)`
 */
export function keyClaim(key: string | null | undefined, content: object, field = 'idempotencyKey'): KeyClaim | null {
  if (key == null) return null;
  const problem = keyProblem(key);
  if (problem) throw badInput(field, problem);
  return { key, hash: contentHash(content), field };
}

export function keyConflict(key: string, field = 'idempotencyKey'): DomainError {
  return new DomainError('CONFLICT', `idempotencyKey "${key}" was used before with other content`, { field });
}

/**
 * Runs `write` once per idempotency key, inside the caller's transaction (src/db/idempotency.ts):
 * a retry with the same content answers the first call's stored result (`revive` turns its JSON
 * back into the answer) and writes nothing; other content under the key is CONFLICT; a concurrent
 * retry waits for the first call and then answers its result. No claim: just `write`.
 * Usage: `dataSource.transaction((m) => once(m, 'setConsent', claim, () => write(m), reviveConsent))`
 */
export async function once<T>(
  m: EntityManager, operation: string, claim: KeyClaim | null, write: () => Promise<T>, revive: (stored: unknown) => T,
): Promise<T> {
  if (!claim) return write();
  const found = (await claimKeys(m, operation, [claim])).get(claim.key)!;
  if (found.state === 'conflict') throw keyConflict(claim.key, claim.field);
  if (found.state === 'done') return revive(found.result);
  const result = await write();
  await settleKeys(m, operation, [{ key: claim.key, result }]);
  return result;
}
