import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErasureAction, PersonalDataClass } from '../graphql';
import { catalogColumns, customerTables, quoteIdent } from './customer-tables';
import { DATA_INVENTORY, ERASED_TEXT, TEXT_TYPES, personalColumns, type CatalogColumn, type ColumnRule, type InventoryEntry } from './data-inventory';
import { recordAudit } from '../audit';
import { rewriteLedger } from '../identities';
import { checkCustomerId } from '../customers';
import { SERVER_IDENTITY_SQL, toServerIdentity } from '../db';
import { EventType, appendEvent } from '../events';

/** Values shorter than this are not hunted as substrings (they would match unrelated text). */
const MIN_SCRUB_LENGTH = 3;
/** Text that is all capitals, digits and underscores is a code (a channel, a status), never personal data. */
const CODE = `'^[A-Z0-9_]+$'`;

/**
 * The customer's rights: take everything held about them, or be erased. Both act on the
 * customer and every customer merged into it (a merge keeps the merged row).
 */
export class PrivacyService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One JSON document from one snapshot: the customer rows, and every row of every table the
   * data inventory names as theirs or about them (audit entries, webhook deliveries, incidents
   * they posted on), by table.
   */
  async exportCustomer(id: string, exportedBy: string): Promise<Record<string, unknown>> {
    checkCustomerId(id);
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const family = await familyOf(m, id);
      const customers: { row: unknown }[] = await m.query(`SELECT to_jsonb(c) AS row FROM customers c WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [family]);
      const tables: Record<string, unknown[]> = {};
      for (const table of customerTables()) {
        if (table.name === 'customers') continue;
        const rows: { row: unknown }[] = await m.query(`SELECT to_jsonb(t) AS row FROM ${quoteIdent(table.name)} t WHERE ${table.rows}`, [family]);
        tables[table.name] = rows.map((r) => r.row);
      }
      await recordAudit(m, { actor: exportedBy, action: 'CUSTOMER_EXPORTED', subject: family[0], details: { customers: family.length } });
      const [server] = await m.query(SERVER_IDENTITY_SQL);
      return { customerId: family[0], exportedAt: new Date().toISOString(), readFrom: toServerIdentity(server), customers: customers.map((c) => c.row), tables };
    });
  }

  /** The inventory's columns that can hold personal data (dataInventory). */
  dataInventory(): InventoryEntry[] {
    return personalColumns();
  }

  /**
   * Removes the customer's personal data in one transaction and keeps every row, anonymised,
   * so counts by channel, category and day still add up. Idempotent: a second call finds
   * nothing left to remove and writes no second erasure record.
   */
  async eraseCustomer(id: string, erasedBy: string): Promise<boolean> {
    checkCustomerId(id);
    await this.dataSource.transaction((m) => eraseWithin(m, id, erasedBy));
    return true;
  }
}

/**
 * Erasure of the customer and its family inside the caller's transaction: the one erasure path,
 * used by eraseCustomer and by the retention job's anonymisation (retention.service.ts).
 * Usage: `await dataSource.transaction((m) => eraseWithin(m, customerId, 'retention'))`
 */
export async function eraseWithin(m: EntityManager, id: string, erasedBy: string): Promise<void> {
  const family = await familyOf(m, id);
  const locked: { erasedAt: Date | null }[] = await m.query(
    `SELECT erased_at AS "erasedAt" FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [family],
  );
  const firstTime = locked.some((c) => c.erasedAt === null);
  const catalog = await catalogColumns(m);
  const values = await huntedValues(m, family, catalog);
  const counts = await eraseOwnedRows(m, family, erasedBy);
  Object.assign(counts, await cutValuesOut(m, family, values, catalog, erasedBy));
  await m.query(`UPDATE customers SET erased_at = now(), updated_at = now() WHERE id = ANY($1::uuid[]) AND erased_at IS NULL`, [family]);
  if (firstTime) {
    await m.query(`INSERT INTO erasures (customer_id, erased_by, counts) VALUES ($1, $2, $3)`, [family[0], erasedBy, counts]);
    await recordAudit(m, { actor: erasedBy, action: 'CUSTOMER_ERASED', subject: family[0], details: { customers: family.length, counts } });
    // Ids only: receivers erase what they hold for these customers.
    await appendEvent(m, EventType.CUSTOMER_ERASED, family[0], { customerId: family[0], customerIds: family });
  }
}

/** The customer (following merges to the survivor) first, then every customer merged into it. */
async function familyOf(m: EntityManager, id: string): Promise<string[]> {
  const rows: { id: string }[] = await m.query(
    `WITH RECURSIVE up(id, merged_into, depth) AS (
       SELECT id, merged_into, 0 FROM customers WHERE id = $1
       UNION ALL SELECT c.id, c.merged_into, up.depth + 1 FROM customers c JOIN up ON c.id = up.merged_into WHERE up.depth < 100
     ), root AS (SELECT id FROM up WHERE merged_into IS NULL),
     down(id) AS (SELECT id FROM root UNION SELECT c.id FROM customers c JOIN down ON c.merged_into = down.id)
     SELECT d.id FROM down d ORDER BY (d.id = (SELECT id FROM root)) DESC, d.id`,
    [id],
  );
  if (rows.length === 0) throw new DomainError('NOT_FOUND', `no customer with id ${id}`, { field: 'id' });
  return rows.map((r) => r.id);
}

/** The SQL a column becomes on the customer's own rows, or null when erasure leaves it there. */
function erasedValue(column: string, c: ColumnRule): string | null {
  if (c.onErasure === ErasureAction.NULLIFY) return 'NULL';
  if (c.onErasure === ErasureAction.REDACT && c.redactTo) return `CASE WHEN ${quoteIdent(column)} IS NULL THEN NULL ELSE ${c.redactTo} END`;
  return null;
}

const isText = (type: string | undefined) => type !== undefined && TEXT_TYPES.has(type);

/**
 * The customer's identifiers and contact values (every IDENTIFIER or CONTACT column of their own
 * rows that the inventory hunts, text, text[] or the strings inside JSON), before erasure: what
 * is then cut out of free text elsewhere. Placeholders of an earlier erasure are not hunted.
 */
async function huntedValues(m: EntityManager, family: string[], catalog: Map<string, CatalogColumn>): Promise<string[]> {
  const parts: string[] = [];
  for (const table of customerTables()) {
    if (!table.rule.owned) continue;
    for (const [column, c] of Object.entries(table.rule.columns)) {
      if (c.class !== PersonalDataClass.IDENTIFIER && c.class !== PersonalDataClass.CONTACT) continue;
      const type = catalog.get(`${table.name}.${column}`)?.type;
      if (c.hunted === false || !isText(type)) continue;
      const col = `t.${quoteIdent(column)}`;
      const from = `FROM ${quoteIdent(table.name)} t`;
      const left = c.redactTo ? `${col} IS DISTINCT FROM (${c.redactTo})` : `${col} IS NOT NULL`;
      parts.push(
        type!.startsWith('_') ? `SELECT x ${from} CROSS JOIN unnest(${col}) x WHERE (${table.rule.owned}) AND ${left}`
        : type === 'json' || type === 'jsonb'
          ? `SELECT x #>> '{}' ${from} CROSS JOIN jsonb_path_query(${col}::jsonb, 'strict $.**') x WHERE (${table.rule.owned}) AND ${left} AND jsonb_typeof(x) = 'string'`
          : `SELECT ${col} ${from} WHERE (${table.rule.owned}) AND ${left}`,
      );
    }
  }
  const rows: { v: string }[] = await m.query(
    `SELECT DISTINCT v FROM (${parts.join('\n UNION ALL ')}) p(v) WHERE length(v) >= $2 AND v !~ ${CODE}`,
    [family, MIN_SCRUB_LENGTH],
  );
  return rows.map((r) => r.v);
}

/**
 * Applies each column's action to the customer's own rows, one statement per table (DELETE when
 * a column says so). Answers rows changed per table; a second erasure changes none.
 */
async function eraseOwnedRows(m: EntityManager, family: string[], erasedBy: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of customerTables()) {
    if (!table.rule.owned) continue;
    const columns = Object.entries(table.rule.columns);
    let sql: string;
    let changed: string;
    if (columns.some(([, c]) => c.onErasure === ErasureAction.DELETE)) {
      sql = `DELETE FROM ${quoteIdent(table.name)} t WHERE ${table.rule.owned}`;
      changed = '*';
    } else {
      const sets = columns.flatMap(([column, c]) => {
        const value = erasedValue(column, c);
        return value ? [{ name: column, column: quoteIdent(column), value }] : [];
      });
      if (sets.length === 0) continue;
      sql = `UPDATE ${quoteIdent(table.name)} t SET ${sets.map((s) => `${s.column} = ${s.value}`).join(', ')}
              WHERE (${table.rule.owned}) AND (${sets.map((s) => `t.${s.column} IS DISTINCT FROM (${s.value})`).join(' OR ')})`;
      changed = sets.map((s) => s.name).join(',');
    }
    const [, affected] = await run(m, table.name, sql, [family], erasedBy, family[0], changed);
    if (affected > 0) counts[table.name] = affected;
  }
  return counts;
}

/**
 * Cuts the customer's values out of every REDACT column that keeps its text: on their own rows
 * where the column has no whole replacement, on rows about them (incidents they posted on, audit
 * entries, deliveries), and on every row of tables with no owner (topic counts). Values that are
 * all capitals, digits and underscores are codes (channels, statuses) and are left alone.
 */
async function cutValuesOut(m: EntityManager, family: string[], values: string[], catalog: Map<string, CatalogColumn>, erasedBy: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (values.length === 0) return counts;
  const pattern = values.flatMap(patternsFor).sort((a, b) => b.length - a.length).join('|');
  for (const [name, rule] of Object.entries(DATA_INVENTORY)) {
    for (const [column, c] of Object.entries(rule.columns)) {
      const type = catalog.get(`${name}.${column}`)?.type;
      if (c.onErasure !== ErasureAction.REDACT || !isText(type)) continue;
      const rows = [c.redactTo ? null : rule.owned, rule.related].filter(Boolean).map((r) => `(${r})`);
      if (rows.length === 0 && (rule.owned || rule.related)) continue;
      // A table with no owner is scanned whole ($1 still typed: every statement takes the same parameters).
      const where = rows.length > 0 ? `(${rows.join(' OR ')}) AND` : `cardinality($1::uuid[]) > 0 AND`;
      const col = quoteIdent(column);
      const sql = type!.startsWith('_')
        ? `UPDATE ${quoteIdent(name)} t SET ${col} = ARRAY(
             SELECT CASE WHEN x ~ ${CODE} THEN x ELSE regexp_replace(x, $2, $3, 'gi') END FROM unnest(t.${col}) WITH ORDINALITY AS u(x, n) ORDER BY n)
            WHERE ${where} array_to_string(t.${col}, ' ') ~* $2`
        : type === 'json' || type === 'jsonb'
          ? `UPDATE ${quoteIdent(name)} t SET ${col} = regexp_replace(t.${col}::text, $2, $3, 'gi')::${type} WHERE ${where} t.${col}::text ~* $2`
          : `UPDATE ${quoteIdent(name)} t SET ${col} = regexp_replace(t.${col}, $2, $3, 'gi') WHERE ${where} t.${col} ~* $2 AND t.${col} !~ ${CODE}`;
      const [, affected] = await run(m, name, sql, [family, pattern, ERASED_TEXT], erasedBy, family[0], column);
      if (affected > 0) counts[`${name}.${column}`] = affected;
    }
  }
  return counts;
}

/** One erasure statement; the consent ledger is append-only and changes only through its one narrow path. */
function run(m: EntityManager, table: string, sql: string, params: unknown[], actor: string, subject: string, columns: string): Promise<[unknown, number]> {
  return table === 'consent_events'
    ? rewriteLedger(m, 'erasure', sql, params, { actor, subject, details: { column: columns } })
    : (m.query(sql, params) as Promise<[unknown, number]>);
}

/**
 * Regular expressions for one personal value. A phone (E.164) is also hunted in the national
 * forms people type, "(313) 555-0142" or "313.555.0142": its national digits with up to three
 * separators between them.
 */
export function patternsFor(value: string): string[] {
  const phone = /^\+\d{8,15}$/.test(value) ? parsePhoneNumberFromString(value) : undefined;
  if (!phone) return [wordBounded(value, escapeRegex(value))];
  return [escapeRegex(value), `\\m${phone.nationalNumber.split('').join('[^0-9]{0,3}')}\\M`];
}

/**
 * Anchors a pattern at word boundaries where the value begins or ends with a word character:
 * erasing "Bob" must not cut "bobsled" out of someone else's words.
 */
function wordBounded(value: string, pattern: string): string {
  return `${/^\w/.test(value) ? '\\m' : ''}${pattern}${/\w$/.test(value) ? '\\M' : ''}`;
}

/** Escapes a literal for a PostgreSQL regular expression (ARE). */
function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
