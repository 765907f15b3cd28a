import type { EntityManager } from 'typeorm';
import { CATALOG_SQL, DATA_INVENTORY, type CatalogColumn, type TableRule } from './data-inventory';

/** A table of the inventory with the condition naming the customer's rows in it. */
export interface CustomerTable {
  name: string;
  rule: TableRule;
  /** SQL on alias `t`: the customer's own rows, or the rows about them (`$1`: the family's ids). */
  rows: string;
}

/**
 * Every table of the inventory that holds rows of or about a customer (owned or related), in
 * name order: what export reads. Tables added by later migrations join once they are classified
 * (the inventory test fails until then).
 */
export function customerTables(): CustomerTable[] {
  return Object.entries(DATA_INVENTORY)
    .filter(([, rule]) => rule.owned || rule.related)
    .map(([name, rule]) => ({ name, rule, rows: [rule.owned, rule.related].filter(Boolean).map((c) => `(${c})`).join(' OR ') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The stored columns with their types, keyed `table.column` (erasure picks how to cut text by type). */
export async function catalogColumns(m: EntityManager): Promise<Map<string, CatalogColumn>> {
  const rows: CatalogColumn[] = await m.query(CATALOG_SQL);
  return new Map(rows.map((c) => [`${c.table}.${c.column}`, c]));
}

/** `"table"` with embedded quotes doubled. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
