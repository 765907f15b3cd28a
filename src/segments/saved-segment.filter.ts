import { coerceInputValue, isInputObjectType, type GraphQLSchema } from 'graphql';
import type { SegmentFilter } from './segment.inputs';

/**
 * A saved filter as stored and answered (`SavedSegment.filter`): the GraphQL input as JSON, dates
 * as ISO-8601 text, unset fields left out.
 */
export function encodeFilter(filter: SegmentFilter): Record<string, unknown> {
  return JSON.parse(JSON.stringify(filter, (_key, value: unknown) => (value === null ? undefined : value))) as Record<string, unknown>;
}

/**
 * A stored filter back to a SegmentFilter through the schema's own `SegmentFilter` input type, as
 * GraphQL decodes variables: every field, including those added after the segment was saved, is
 * read by its declared type (a DateTime becomes a Date) with no list of fields here to keep in step.
 * Usage: `decodeFilter(info.schema, row.filter)`
 */
export function decodeFilter(schema: GraphQLSchema, json: Record<string, unknown>): SegmentFilter {
  const type = schema.getType('SegmentFilter');
  if (!isInputObjectType(type)) throw new Error('the schema has no SegmentFilter input type');
  return coerceInputValue(json, type) as SegmentFilter;
}
