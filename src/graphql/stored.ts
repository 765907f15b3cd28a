import 'reflect-metadata'; // the classes that declare @Stored fields are type-graphql types, decorated as they load
/**
 * How SQL writes a stored value as the JSON text graphql-js would (customer360/response.sql.ts):
 * `text` escaped by to_json, `plain` (booleans, numbers) and `quoted` (uuids, enums) without it,
 * `date` as the DateTime scalar.
 */
export type JsonWriting = 'text' | 'plain' | 'quoted' | 'date';

/** A property of an object type read straight from its table's row: a GraphQL field, or a value its resolvers use. */
export interface StoredField {
  field: string;
  /** Its SQL on the table's row under `row`: the column, or an expression of the row (a cast, a CASE). */
  sql: (row: string) => string;
  /**
   * How SQL writes it as JSON text; `date` also tells the compiled read's priming to turn it back
   * into a Date. Absent: SQL never writes it as a response (a resolver answers the field from it).
   * On a property that is no field it only says what the value is (a non-field is never selected).
   */
  json?: JsonWriting;
}

// Filled as the decorated classes are defined, in the order their properties are written.
const storedByType = new Map<object, StoredField[]>();

/**
 * Declares, beside the property, where its table stores it: a column name, or `(row) => sql`
 * for an expression. Every read tier derives from it (the loaders' column lists, the compiled
 * customer 360 statement and its priming, the response fast path), so a stored field is one
 * declaration plus its migration.
 * Usage: `@Stored('display_name', 'text') @Field() displayName!: string;`,
 * `@Stored((i) => `${i}.sentiment::numeric::float8`, 'plain')`, `@Stored('customer_id') customerId!: string;`
 */
export function Stored(column: string | ((row: string) => string), json?: JsonWriting): PropertyDecorator {
  const sql = typeof column === 'string' ? (row: string) => `${row}.${column}` : column;
  return (prototype, field) => {
    const type = prototype.constructor;
    storedByType.set(type, [...(storedByType.get(type) ?? []), { field: String(field), sql, json }]);
  };
}

/** The stored fields of a decorated class, in declaration order. */
export function storedFields(type: abstract new (...args: never[]) => unknown): readonly StoredField[] {
  const fields = storedByType.get(type);
  if (!fields) throw new Error(`${type.name} declares no @Stored field`);
  return fields;
}

/** `alias.column AS "field", ...`: the rows come back keyed by field name. */
export function columnList(alias: string, fields: readonly StoredField[]): string {
  return fields.map((f) => {
    const sql = f.sql(alias);
    return sql === `${alias}.${f.field}` ? sql : `${sql} AS "${f.field}"`;
  }).join(', ');
}

/** The properties holding a time: what a row read back from JSON turns into Dates (customer360.service.ts, primeRow). */
export function dateFields(fields: readonly StoredField[]): string[] {
  return fields.filter((f) => f.json === 'date').map((f) => f.field);
}

/** `json_build_object('field', alias.column, ...)` of the fields a response shows (those with a JSON writing). */
export function jsonObjectSql(alias: string, fields: readonly StoredField[]): string {
  return `json_build_object(${fields.filter((f) => f.json).map((f) => `'${f.field}', ${f.sql(alias)}`).join(', ')})`;
}

/** How SQL writes a stored field as a response: its expression on a row, and its JSON writing. */
export interface JsonColumn {
  sql: (row: string) => string;
  as: JsonWriting;
}

/** The fields SQL writes as a response (those declared with a JSON writing), by field name. */
export function jsonColumns(fields: readonly StoredField[]): Record<string, JsonColumn> {
  return Object.fromEntries(fields.flatMap(({ field, sql, json }) => (json ? [[field, { sql, as: json }]] : [])));
}

/** The same fields read back from a row already keyed by field name (what columnList selected). */
export function selectedJsonColumns(fields: readonly StoredField[]): Record<string, JsonColumn> {
  return Object.fromEntries(fields.flatMap(({ field, json }) => (json ? [[field, { sql: (row: string) => `${row}."${field}"`, as: json }]] : [])));
}
