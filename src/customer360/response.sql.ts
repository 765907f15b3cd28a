import { sortKeySql } from '../graphql';

/**
 * SQL expressions that evaluate to JSON *text* exactly as Apollo's JSON.stringify writes the
 * GraphQL response: compact (no spaces, unlike json_build_object/json_agg), keys in selection
 * order, `null` for SQL NULL. Strings go through to_json, whose escapes are JSON.stringify's.
 */

/** A column's value as JSON text: strings (escaped by to_json), and any other type. */
export const jsonValue = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;

/** Booleans, ints and float8, whose text form is their JSON (float8 is what to_json writes too): no to_json call. */
export const jsonPlain = (expr: string) => `coalesce(${expr}::text, 'null')`;

/** Uuids and enums (stored under their GraphQL names): characters that need no escaping, so only quotes. */
export const jsonQuoted = (expr: string) => `coalesce('"' || ${expr}::text || '"', 'null')`;

/**
 * A timestamptz as the DateTime scalar serialises a JS Date (toISOString: UTC, milliseconds
 * truncated like node-pg truncates the microseconds it parses).
 */
export const jsonDate = (expr: string) => `coalesce('"' || to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"', 'null')`;

/** A constant string (e.g. `__typename`). Only GraphQL names are passed here, so no escaping is needed. */
export const jsonConstant = (text: string) => `'"${text}"'`;

/** An object of (response key, JSON-text expression) pairs, in order. Keys are GraphQL names. */
export function jsonObject(pairs: readonly (readonly [string, string])[]): string {
  return `(${pairs.map(([key, value], n) => `'${n === 0 ? '{' : ','}"${key}":' || ${value}`).join(' || ')} || '}')`;
}

/** `[e1,e2,...]` of an aggregate over the rows of the enclosing query. */
export const jsonArrayAgg = (element: string, order: string, filter = '') =>
  `('[' || coalesce(string_agg(${element}, ',' ORDER BY ${order})${filter ? ` FILTER (WHERE ${filter})` : ''}, '') || ']')`;

/** encodeCursor(sortKey, id) in SQL: base64url (no padding, no line breaks) of `["<sortKey>","<id>"]`. */
export function cursorSql(sortColumn: string, idColumn: string): string {
  return `rtrim(translate(encode(convert_to('["' || ${sortKeySql(sortColumn)} || '","' || ${idColumn}::text || '"]', 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
}

