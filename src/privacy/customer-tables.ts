import type { EntityManager } from 'typeorm';

/** A table that belongs to customers (it has customer_id) and its columns that can hold free text. */
export interface CustomerTable {
  name: string;
  /** text/varchar, text[] and jsonb columns that no CHECK constraint restricts (those hold codes, not PII). */
  textColumns: { name: string; kind: 'text' | 'array' | 'jsonb' | 'json' }[];
}

/**
 * Every public base table with a customer_id column, read from the catalog so tables added by
 * later migrations are exported and erased without touching this code.
 */
export async function customerTables(m: EntityManager): Promise<CustomerTable[]> {
  const rows: { table: string; column: string; type: string; checked: boolean }[] = await m.query(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c' AND a.attnum = ANY(k.conkey)) AS checked
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p')
        AND EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attname = 'customer_id' AND NOT x.attisdropped)
      ORDER BY c.relname, a.attnum`,
  );
  const tables = new Map<string, CustomerTable>();
  for (const r of rows) {
    const table = tables.get(r.table) ?? { name: r.table, textColumns: [] };
    tables.set(r.table, table);
    const kind = /^(text|character varying|character)(\(\d+\))?$/.test(r.type) ? 'text'
      : /^(text|character varying)(\(\d+\))?\[\]$/.test(r.type) ? 'array'
      : r.type === 'jsonb' || r.type === 'json' ? r.type
      : null;
    if (kind && !r.checked && r.column !== 'customer_id') table.textColumns.push({ name: r.column, kind });
  }
  return [...tables.values()];
}

/** `"table"` with embedded quotes doubled. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
