import { hash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/**
 * Idempotency keys for the writes an ingestion job retries (touchpoints, influence scores,
 * follower counts, consents), one table for all: `idempotency_keys (operation, key)` holds the
 * sha256 of the first call's content and a reference to what it answered. Interactions keep
 * their own key column (interactions.idempotency_key) with the same rules:
 * - same key, same content: the first result, nothing written;
 * - same key, other content: a conflict (the caller answers CONFLICT);
 * - concurrent retries: one write. A call claims its keys first, in its own transaction; a
 *   concurrent call with the same key waits on the unique index until the first commits (then
 *   it answers the first result) or rolls back (then it writes).
 */

/** A field value in canonical form: absent and null alike, dates as ISO strings. */
function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') return canonicalObject(value as Record<string, unknown>, null);
  return JSON.stringify(value);
}

/** Canonical JSON of an object: sorted keys, absent and null fields left out, `skip` left out too. */
function canonicalObject(value: Record<string, unknown>, skip: string | null): string {
  let out = '';
  for (const k of Object.keys(value).sort()) {
    const v = value[k];
    if (v === undefined || v === null || k === skip) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `{${out}}`;
}

/**
 * sha256 of an input's canonical JSON without its `idempotencyKey` field. Stored with the key
 * and compared on every retry, so the canonical form must never change (a unit test pins known
 * hashes).
 */
export function contentHash(input: object): string {
  return hash('sha256', canonicalObject(input as Record<string, unknown>, 'idempotencyKey'), 'hex');
}

/** A key is 1-255 characters; answers the problem, or null. */
export function keyProblem(key: unknown): string | null {
  return typeof key === 'string' && key.length >= 1 && key.length <= 255 ? null : 'idempotencyKey must be 1-255 characters';
}

/** What a claim found: this call writes (`fresh`), or answers an earlier call's `result`, or the key was used with other content. */
export type Claim = { state: 'fresh' } | { state: 'done'; result: unknown } | { state: 'conflict' };

/**
 * Claims keys of `operation` inside the caller's transaction (sorted, so two calls claim in
 * one order). Each key answers fresh (this call must write and then `settleKeys`), done (an
 * earlier call with the same content committed: answer its result) or conflict.
 * Usage: `const claims = await claimKeys(m, 'touchpoint', [{ key, hash }])`
 */
export async function claimKeys(m: EntityManager, operation: string, items: readonly { key: string; hash: string }[]): Promise<Map<string, Claim>> {
  const claims = new Map<string, Claim>();
  if (items.length === 0) return claims;
  const hashOf = new Map(items.map((i) => [i.key, i.hash]));
  const keys = [...hashOf.keys()].sort();
  const inserted: { key: string }[] = await m.query(
    `INSERT INTO idempotency_keys (operation, key, content_hash)
     SELECT $1, k, h FROM unnest($2::text[], $3::text[]) AS u(k, h) ORDER BY k
     ON CONFLICT (operation, key) DO NOTHING RETURNING key`,
    [operation, keys, keys.map((k) => hashOf.get(k))],
  );
  for (const { key } of inserted) claims.set(key, { state: 'fresh' });
  const taken = keys.filter((k) => !claims.has(k));
  if (taken.length === 0) return claims;
  // A statement of its own: it sees what the calls we waited for committed.
  const earlier: { key: string; hash: string; result: unknown }[] = await m.query(
    `SELECT key, content_hash AS hash, result FROM idempotency_keys WHERE operation = $1 AND key = ANY($2::text[])`,
    [operation, taken],
  );
  for (const e of earlier) claims.set(e.key, e.hash === hashOf.get(e.key) ? { state: 'done', result: e.result } : { state: 'conflict' });
  return claims;
}

/** Stores what the fresh keys answered (JSON), in the transaction that claimed them. */
export async function settleKeys(m: EntityManager, operation: string, results: readonly { key: string; result: unknown }[]): Promise<void> {
  if (results.length === 0) return;
  await m.query(
    `UPDATE idempotency_keys k SET result = u.r
       FROM unnest($2::text[], $3::jsonb[]) AS u(key, r) WHERE k.operation = $1 AND k.key = u.key`,
    [operation, results.map((r) => r.key), results.map((r) => JSON.stringify(r.result))],
  );
}
