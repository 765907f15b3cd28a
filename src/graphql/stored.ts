/**
 * How SQL writes a stored value as the JSON text graphql-js would (customer360/response.sql.ts):
 * `text` escaped by to_json, `plain` (booleans, numbers) and `quoted` (uuids, enums) without it,
 * `date` as the DateTime scalar.
 */
export type JsonWriting = 'text' | 'plain' | 'quoted' | 'date';

/** A field of an object type read straight from a column of its table. */
export interface StoredField {
  field: string;
  column: string;
  /** Absent: a resolver answers the field from the stored value, so SQL never writes it as a response. */
  json?: JsonWriting;
}

// Filled as the decorated classes are defined, in the order their properties are written.
const storedByType = new Map<object, StoredField[]>();

/**
 * Declares, beside the field, the column it is stored in: every read tier derives from it (the
 * loaders' column list, the compiled customer 360 statement and its priming, the response fast
 * path), so a stored field is one declaration plus its migration.
 * Usage: `@Stored('display_name', 'text') @Field() displayName!: string;`
 */
export function Stored(column: string, json?: JsonWriting): PropertyDecorator {
  return (prototype, field) => {
    const type = prototype.constructor;
    storedByType.set(type, [...(storedByType.get(type) ?? []), { field: String(field), column, json }]);
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
  return fields.map((f) => (f.column === f.field ? `${alias}.${f.column}` : `${alias}.${f.column} AS "${f.field}"`)).join(', ');
}
