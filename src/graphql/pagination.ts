import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { STRUCTURAL, accessExtension } from './access';
import { isUuid } from '../db';
import { badInput } from './errors';

/** The most rows one page may ask for. */
export const MAX_PAGE_SIZE = 100;

@ObjectType({ simpleResolvers: true })
@accessExtension(STRUCTURAL)
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** Computes the total on demand, only when the client asks for it (type-graphql calls it). */
  totalCount: () => Promise<number> | number;
}

/**
 * Builds `<Name>Connection` and `<Name>Edge` object types for a node type (Relay style).
 * Usage: `@ObjectType() export class CustomerConnection extends ConnectionType(Customer) {}`
 */
export function ConnectionType<T extends object>(nodeType: ClassType<T>) {
  @ObjectType(`${nodeType.name}Edge`, { simpleResolvers: true })
  @accessExtension(STRUCTURAL)
  class EdgeType {
    @Field() cursor!: string;
    @Field(() => nodeType) node!: T;
  }

  @ObjectType({ simpleResolvers: true })
  @accessExtension(STRUCTURAL)
  abstract class ConnectionBase {
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    // Every connection object carries its own totalCount function (see toConnection); it
    // shadows this declaration, which only runs for an object not built by toConnection.
    @Field(() => Int, { description: 'All items, not only this page; computed only when asked for.' })
    totalCount(): Promise<number> | number {
      throw new Error('connection built without toConnection: no totalCount');
    }
  }
  return ConnectionBase;
}

/** Validates `first`: between 0 and MAX_PAGE_SIZE. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 0 and ${MAX_PAGE_SIZE}, got ${n}`);
  }
  return n;
}

/** A keyset position: the sort value and the id that breaks ties. */
export type Keyset = [string, string];

/**
 * SQL for a keyset sort value at full (microsecond) precision: a JS Date keeps only
 * milliseconds, and a truncated cursor would repeat rows on the next page.
 * Usage: `SELECT ${sortKeySql('i.occurred_at')} AS "sortKey"` then `encodeCursor(row.sortKey, row.id)`.
 */
export function sortKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows read for a keyset page carry their exact sort value. */
export interface Keyed {
  sortKey: string;
}

export function encodeCursor(sortValue: Date | string | number, id: string): string {
  const value = sortValue instanceof Date ? sortValue.toISOString() : String(sortValue);
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/** Decodes a cursor made by encodeCursor, or fails with BAD_USER_INPUT naming `after`. */
export function decodeCursor(cursor: string | null | undefined): Keyset | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Every keyset here is (timestamp, uuid); checking both keeps bad cursors out of SQL.
    if (
      Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string') &&
      !Number.isNaN(Date.parse(parsed[0])) && isUuid(parsed[1])
    ) {
      return parsed as Keyset;
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'after is not a cursor returned by this API');
}

/**
 * Turns `limit + 1` fetched rows into a connection page; `countTotal` runs only if the client
 * selects totalCount (use a count loader for nested connections, so a list stays one statement).
 * Usage: `toConnection(rows, first, (r) => encodeCursor(r.occurredAt, r.id), () => loaders.xCount.load(id))`
 */
export function toConnection<T>(
  rows: T[],
  first: number,
  cursorOf: (row: T) => string,
  countTotal: () => Promise<number> | number,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount: countTotal,
  };
}
