import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../graphql/errors';
import { customerTables, quoteIdent } from './customer-tables';
import { recordAudit } from '../audit/audit-log';
import { rewriteLedger } from '../identities/consent-ledger';
import { checkCustomerId } from '../customers/customer.service';
import { SERVER_IDENTITY_SQL, toServerIdentity } from '../db/server-identity';
import { EventType } from '../events/event-types';
import { appendEvent } from '../events/outbox';

export const ERASED_NAME = 'Erased customer';
export const ERASED_TEXT = '[erased]';
/** Values shorter than this are not hunted as substrings (they would match unrelated text). */
const MIN_SCRUB_LENGTH = 3;

/**
 * The customer's rights: take everything held about them, or be erased. Both act on the
 * customer and every customer merged into it (a merge keeps the merged row).
 */
export class PrivacyService {
  constructor(private readonly dataSource: DataSource) {}

  /** One JSON document: the customer rows and every row of every customer-owned table, from one snapshot. */
  async exportCustomer(id: string, exportedBy: string): Promise<Record<string, unknown>> {
    checkCustomerId(id);
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const family = await familyOf(m, id);
      const customers: { row: unknown }[] = await m.query(`SELECT to_jsonb(c) AS row FROM customers c WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [family]);
      const tables: Record<string, unknown[]> = {};
      for (const table of await customerTables(m)) {
        const rows: { row: unknown }[] = await m.query(
          `SELECT to_jsonb(t) AS row FROM ${quoteIdent(table.name)} t WHERE customer_id = ANY($1::uuid[])`,
          [family],
        );
        tables[table.name] = rows.map((r) => r.row);
      }
      await recordAudit(m, { actor: exportedBy, action: 'CUSTOMER_EXPORTED', subject: family[0], details: { customers: family.length } });
      const [server] = await m.query(SERVER_IDENTITY_SQL);
      return { customerId: family[0], exportedAt: new Date().toISOString(), readFrom: toServerIdentity(server), customers: customers.map((c) => c.row), tables };
    });
  }

  /**
   * Removes the customer's personal data in one transaction and keeps every row, anonymised,
   * so counts by channel, category and day still add up. Idempotent: a second call finds
   * nothing left to remove and writes no second erasure record.
   */
  async eraseCustomer(id: string, erasedBy: string): Promise<boolean> {
    checkCustomerId(id);
    await this.dataSource.transaction(async (m) => {
      const family = await familyOf(m, id);
      const locked: { erasedAt: Date | null }[] = await m.query(
        `SELECT erased_at AS "erasedAt" FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [family],
      );
      const firstTime = locked.some((c) => c.erasedAt === null);
      const values = await personalValues(m, family);
      const counts = await anonymiseKnownColumns(m, family);
      Object.assign(counts, await scrubEverywhere(m, family, values, erasedBy));
      if (firstTime) {
        await m.query(`INSERT INTO erasures (customer_id, erased_by, counts) VALUES ($1, $2, $3)`, [family[0], erasedBy, counts]);
        await recordAudit(m, { actor: erasedBy, action: 'CUSTOMER_ERASED', subject: family[0], details: { customers: family.length, counts } });
        // Ids only: receivers erase what they hold for these customers.
        await appendEvent(m, EventType.CUSTOMER_ERASED, family[0], { customerId: family[0], customerIds: family });
      }
    });
    return true;
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

/** Names, emails, phones, handles, external ids and profile URLs, to hunt for in free text. */
async function personalValues(m: EntityManager, family: string[]): Promise<string[]> {
  const rows: { v: string }[] = await m.query(
    `SELECT v FROM (
       SELECT display_name AS v FROM customers WHERE id = ANY($1::uuid[]) AND erased_at IS NULL
       UNION SELECT value FROM contact_points WHERE customer_id = ANY($1::uuid[])
       UNION SELECT handle FROM social_identities WHERE customer_id = ANY($1::uuid[])
       UNION SELECT external_user_id FROM social_identities WHERE customer_id = ANY($1::uuid[])
       UNION SELECT profile_url FROM social_identities WHERE customer_id = ANY($1::uuid[])
       UNION SELECT external_id FROM interactions WHERE customer_id = ANY($1::uuid[])
     ) p WHERE v IS NOT NULL AND length(v) >= $2 AND v NOT LIKE 'erased:%'`,
    [family, MIN_SCRUB_LENGTH],
  );
  return rows.map((r) => r.v);
}

/** The columns the core model knows to be personal; identifiers keep their row with a placeholder. */
async function anonymiseKnownColumns(m: EntityManager, family: string[]): Promise<Record<string, number>> {
  const run = async (sql: string, extra: unknown[] = []) => {
    const [, affected] = (await m.query(sql, [family, ...extra])) as [unknown, number];
    return affected;
  };
  return {
    customers: await run(
      `UPDATE customers SET display_name = $2, name_key = '', city = NULL, region = NULL, attributes = '{}'::jsonb,
              erased_at = coalesce(erased_at, now()), updated_at = now()
        WHERE id = ANY($1::uuid[]) AND (erased_at IS NULL OR display_name <> $2)`,
      [ERASED_NAME],
    ),
    contact_points: await run(
      `UPDATE contact_points SET value = 'erased:' || id, verified = false
        WHERE customer_id = ANY($1::uuid[]) AND value NOT LIKE 'erased:%'`,
    ),
    social_identities: await run(
      `UPDATE social_identities SET handle = 'erased:' || id, external_user_id = NULL, profile_url = NULL, follower_count = NULL
        WHERE customer_id = ANY($1::uuid[]) AND handle NOT LIKE 'erased:%'`,
    ),
    interactions: await run(
      `UPDATE interactions SET content = $2, external_id = NULL, content_hash = NULL, pii = '[]'
        WHERE customer_id = ANY($1::uuid[]) AND (content <> $2 OR external_id IS NOT NULL OR content_hash IS NOT NULL OR pii <> '[]')`,
      [ERASED_TEXT],
    ),
    escalations: await run(
      `UPDATE escalations SET reason = $2, resolution = CASE WHEN resolution IS NULL THEN NULL ELSE $2 END
        WHERE customer_id = ANY($1::uuid[]) AND (reason <> $2 OR resolution <> $2)`,
      [ERASED_TEXT],
    ),
    tier_changes: await run(`UPDATE tier_changes SET reason = $2 WHERE customer_id = ANY($1::uuid[]) AND reason <> $2`, [ERASED_TEXT]),
  };
}

/**
 * Replaces every occurrence of the personal values in every free-text column of every
 * customer-owned table (including tables added later). Values that are all capitals, digits
 * and underscores are codes (channels, statuses), never personal data, and are left alone.
 */
async function scrubEverywhere(m: EntityManager, family: string[], values: string[], erasedBy: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (values.length === 0) return counts;
  const pattern = values.flatMap(patternsFor).sort((a, b) => b.length - a.length).join('|');
  const code = `'^[A-Z0-9_]+$'`;
  for (const table of await customerTables(m)) {
    for (const column of table.textColumns) {
      const col = quoteIdent(column.name);
      const sql =
        column.kind === 'text'
          ? `UPDATE ${quoteIdent(table.name)} SET ${col} = regexp_replace(${col}, $2, $3, 'gi')
              WHERE customer_id = ANY($1::uuid[]) AND ${col} ~* $2 AND ${col} !~ ${code}`
          : column.kind === 'array'
            ? `UPDATE ${quoteIdent(table.name)} SET ${col} = ARRAY(
                 SELECT CASE WHEN x ~ ${code} THEN x ELSE regexp_replace(x, $2, $3, 'gi') END
                   FROM unnest(${col}) WITH ORDINALITY AS u(x, n) ORDER BY n)
                WHERE customer_id = ANY($1::uuid[]) AND array_to_string(${col}, ' ') ~* $2`
            : `UPDATE ${quoteIdent(table.name)} SET ${col} = regexp_replace(${col}::text, $2, $3, 'gi')::${column.kind}
                WHERE customer_id = ANY($1::uuid[]) AND ${col}::text ~* $2`;
      const params = [family, pattern, ERASED_TEXT];
      // The consent ledger is append-only: its rows change only through the ledger's one narrow path.
      const [, affected] = (table.name === 'consent_events'
        ? await rewriteLedger(m, 'erasure', sql, params, { actor: erasedBy, subject: family[0], details: { column: column.name } })
        : await m.query(sql, params)) as [unknown, number];
      if (affected > 0) counts[`${table.name}.${column.name}`] = affected;
    }
  }
  return counts;
}

/**
 * Regular expressions for one personal value. A phone (E.164) is also hunted in the national
 * forms people type, "(313) 555-0142" or "313.555.0142": its national digits with up to three
 * separators between them.
 */
export function patternsFor(value: string): string[] {
  const phone = /^\+\d{8,15}$/.test(value) ? parsePhoneNumberFromString(value) : undefined;
  if (!phone) return [escapeRegex(value)];
  return [escapeRegex(value), phone.nationalNumber.split('').join('[^0-9]{0,3}')];
}

/** Escapes a literal for a PostgreSQL regular expression (ARE). */
function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
