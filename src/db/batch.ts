/**
 * Groups rows under the keys a DataLoader asked for, in key order, as a batch function must.
 * Usage: `return groupByKey(ids, rows, (r) => r.customerId)`
 */
export function groupByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>();
  for (const key of keys) groups.set(key, []);
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** One row (or null) per key, in key order. */
export function oneByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map<K, R>();
  for (const row of rows) index.set(keyOf(row), row);
  return keys.map((key) => index.get(key) ?? null);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A PostgreSQL text[] literal (`{"a","b"}`), for arrays that travel inside a JSON batch as one
 * string and are read with one `::text[]` (no per-element JSON lookups, no subquery per row).
 * Usage: `[id, textArrayLiteral(topics)]` in the JSON, `(e->>1)::text[]` in the SQL.
 */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * The parameters of one statement assembled from fragments of several modules (data-modifying
 * CTEs folded into one round trip): each fragment adds its values and writes the names it gets.
 * Usage: `const p = new Params(); const sql = \`... = ANY(${p.add(ids)}::uuid[])\`; await m.query(sql, p.values)`
 */
export class Params {
  constructor(readonly values: unknown[] = []) {}

  /** `cast`: written after the name, e.g. '::uuid[]'. */
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}
