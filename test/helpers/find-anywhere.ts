import type { Pool } from 'pg';

/**
 * Columns anywhere in the database (every text, varchar, json, jsonb and array column of every
 * table, read from the catalog, never a hand list) that hold `value`, as `table.column`.
 * Usage: `expect(await findAnywhere(app.pool, email)).toEqual([])`
 */
export async function findAnywhere(pool: Pool, value: string): Promise<string[]> {
  const { rows: columns } = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')`,
  );
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}"::text ILIKE '%' || $1 || '%'`,
      [value],
    );
    if (rows[0].n > 0) found.push(`${table_name}.${column_name}`);
  }
  return found.sort();
}
