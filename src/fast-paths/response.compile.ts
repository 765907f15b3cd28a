import { Params, isUuid } from '../db';
import {
  getArgumentValues,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import type { Role } from '../auth';
import { operationRoles, isGuardedProperty, mayRead, ruleOf, readsUnderConsent, CAN } from '../auth';
import { careQueueSql, toQueueItem, type QueueRow } from '../care';
import { survivorJoin, CUSTOMER_STORED } from '../customers';
import type { JsonWriting } from '../graphql';
import { argumentProblem, decodeCursor, encodeCursor, pageSize, jsonColumns, selectedJsonColumns, storedFields, type JsonColumn } from '../graphql';
import { lifetimeValueSql, Purchase } from '../purchases';
import { latestInfluenceSql, InfluenceScore, latestOverallInfluenceSql } from '../influence';
import { cursorSql, jsonArrayAgg, jsonConstant, jsonDate, jsonObject, jsonPlain, jsonQuoted, jsonValue } from '../customer360';
import { ContactPoint, SocialIdentity } from '../identities';
import { Interaction } from '../interactions';

/**
 * The response-level fast path (docs/read-path.md, "Whole responses in SQL"): an operation
 * whose every selected field is listed here is compiled into ONE statement that builds the
 * response's `data` as JSON text in PostgreSQL (the queue's priority, a JS formula, is the one
 * part written in JS from the same row). Anything else is NotCovered and takes the GraphQL path.
 */
export class NotCovered extends Error {}

/** A compiled response: the statement and how its rows become the response body. */
export interface ResponsePlan {
  text: string;
  /** Bind values; `$1` is replaced per request by the id variable's value when `idVariable` is set. */
  values: unknown[];
  idVariable: string | null;
  /** The body Apollo would send (JSON + newline); throws NotCovered when a value cannot be serialised. */
  render(rows: Record<string, unknown>[]): string;
}

interface Scope {
  schema: GraphQLSchema;
  /** The viewer's roles: a field whose declared rule refuses them is NotCovered (the GraphQL path answers FORBIDDEN). */
  roles: ReadonlySet<Role>;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  params: Params;
  aliases: number;
}

/**
 * A stored field (of the row under `alias`) answering a field that has no resolver of its own, and
 * how its value becomes JSON: `text` escaped by to_json, `plain` (booleans, numbers) and `quoted`
 * (uuids, enums) without it (to_json per value was a fifth of the statement's time), `date` as DateTime.
 * Each type's map is its @Stored declarations (beside the fields, in each feature's *.types.ts).
 */
type Column = JsonColumn;
const WRITE: Record<Column['as'], (expr: string) => string> = { text: jsonValue, plain: jsonPlain, quoted: jsonQuoted, date: jsonDate };

const CUSTOMER_COLUMNS = jsonColumns(CUSTOMER_STORED);
const CONTACT_POINT_COLUMNS = jsonColumns(storedFields(ContactPoint));
const SOCIAL_IDENTITY_COLUMNS = jsonColumns(storedFields(SocialIdentity));
const INTERACTION_COLUMNS = jsonColumns(storedFields(Interaction));
const PURCHASE_COLUMNS = jsonColumns(storedFields(Purchase));
/** Columns of latestInfluenceSql's rows: the stored fields as it selects them (by field name), and the trend it computes. */
const SCORE_COLUMNS: Record<string, Column> = { ...selectedJsonColumns(storedFields(InfluenceScore)), trend: { sql: (row) => `${row}.trend`, as: 'plain' } };

/** A field answered by a subquery: its JSON text, given the alias of the parent row. */
type Nested = (scope: Scope, def: GraphQLField<unknown, unknown>, group: readonly FieldNode[], parent: string) => string;

const alias = (scope: Scope, prefix: string) => `${prefix}${++scope.aliases}`;

function objectTypeOf(def: GraphQLField<unknown, unknown>): GraphQLObjectType {
  const type = getNamedType(def.type);
  if (!isObjectType(type)) throw new NotCovered(`${def.name} is not an object`);
  return type;
}

function argumentsOf(scope: Scope, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(def, node, scope.variables);
  } catch {
    throw new NotCovered(`arguments of ${def.name}`);
  }
  // Text PostgreSQL cannot store: Apollo's argument guard answers BAD_USER_INPUT.
  if (argumentProblem(args, def.name)) throw new NotCovered(`arguments of ${def.name}`);
  return args;
}

/** Each selected response key of `type` under `nodes`, with its field (null for __typename). */
function* selected(scope: Scope, type: GraphQLObjectType, nodes: readonly FieldNode[]) {
  for (const [key, group] of collectSubfields(scope.schema, scope.fragments, scope.variables, type, nodes)) {
    const name = group[0].name.value;
    if (name === '__typename') {
      yield { key, name, group, def: null };
      continue;
    }
    const def = type.getFields()[name];
    if (!def) throw new NotCovered(`${type.name}.${name}`);
    const rule = ruleOf(type, def);
    if (!rule || !mayRead(rule, scope.roles)) throw new NotCovered(`${type.name}.${name} refused`);
    // Read under the customer's consent: the field guard checks it at the read.
    if (readsUnderConsent(rule, scope.roles)) throw new NotCovered(`${type.name}.${name} under consent`);
    yield { key, name, group, def };
  }
}

/** The JSON text of one `type` object from the row under `row`: columns, then nested subqueries. */
function objectSql(scope: Scope, type: GraphQLObjectType, nodes: readonly FieldNode[], row: string, columns: Record<string, Column>, nested: Record<string, Nested> = {}): string {
  const pairs: [string, string][] = [];
  for (const { key, name, group, def } of selected(scope, type, nodes)) {
    if (!def) {
      pairs.push([key, jsonConstant(type.name)]);
      continue;
    }
    const column = columns[name];
    // A column stands for the field only while graphql-js' default resolver answers it.
    if (column && (!def.resolve || isGuardedProperty(def.resolve))) {
      pairs.push([key, WRITE[column.as](column.sql(row))]);
      continue;
    }
    const build = nested[name];
    if (!build) throw new NotCovered(`${type.name}.${name}`);
    pairs.push([key, build(scope, def, group, row)]);
  }
  return jsonObject(pairs);
}

/** A customer (or its survivor) by a uuid expression; NULL when there is none. */
function customerSql(scope: Scope, type: GraphQLObjectType, nodes: readonly FieldNode[], key: string): string {
  const asked = alias(scope, 'k');
  const c = alias(scope, 'c');
  return `(SELECT ${objectSql(scope, type, nodes, c, CUSTOMER_COLUMNS, CUSTOMER_NESTED)} FROM ${survivorJoin(asked, c)} WHERE ${asked}.id = ${key})`;
}

const contactPoints = (kind: 'EMAIL' | 'PHONE'): Nested => (scope, def, group, c) => {
  const p = alias(scope, 'cp');
  const element = objectSql(scope, objectTypeOf(def), group, p, CONTACT_POINT_COLUMNS);
  return `(SELECT ${jsonArrayAgg(element, `${p}.captured_at, ${p}.id`)} FROM contact_points ${p} WHERE ${p}.customer_id = ${c}.id AND ${p}.kind = '${kind}')`;
};

/** A customer's keyset connection, newest first by `time`: its table, node columns and nested fields. */
interface PageSource {
  table: string;
  time: string;
  columns: Record<string, Column>;
  nested: () => Record<string, Nested>;
}

/** `<field>(first, after[, channel])`: the loader's keyset page (size + 1 rows), its edges, pageInfo and totalCount. */
const customerPage = (source: PageSource): Nested => (scope, def, group, c) => {
  const args = argumentsOf(scope, def, group[0]);
  let size: number;
  let after: [string, string] | null;
  try {
    size = pageSize(args.first as number | null | undefined, 20);
    after = decodeCursor(args.after as string | null | undefined);
  } catch {
    throw new NotCovered(`${def.name} arguments are refused`);
  }
  const channel = (args.channel as string | null | undefined) ?? null;
  const { params } = scope;
  const { table, time } = source;
  const i = alias(scope, 'i');
  const p = alias(scope, 'p');
  const where = [`${i}.customer_id = ${c}.id`];
  if (channel) where.push(`${i}.channel = ${params.add(channel)}`);
  if (after) where.push(`(${i}.${time}, ${i}.id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])}::uuid)`);
  let cursors = false;
  const onPage = `${p}.n <= ${size}`;
  const connection = objectTypeOf(def);
  const pairs: [string, string][] = [];
  for (const { key, name, group: g, def: field } of selected(scope, connection, group)) {
    if (!field) pairs.push([key, jsonConstant(connection.name)]);
    else if (name === 'edges') {
      const edgeType = objectTypeOf(field);
      const edge: [string, string][] = [];
      for (const e of selected(scope, edgeType, g)) {
        if (!e.def) edge.push([e.key, jsonConstant(edgeType.name)]);
        else if (e.name === 'cursor') {
          cursors = true;
          edge.push([e.key, `('"' || ${p}.cursor || '"')`]);
        }
        else if (e.name === 'node') edge.push([e.key, objectSql(scope, objectTypeOf(e.def), e.group, p, source.columns, source.nested())]);
        else throw new NotCovered(`${edgeType.name}.${e.name}`);
      }
      // The page's own order (not n): the rows arrive in it, so the aggregate need not sort them.
      pairs.push([key, jsonArrayAgg(jsonObject(edge), `${p}.${time} DESC, ${p}.id DESC`, onPage)]);
    } else if (name === 'pageInfo') {
      const infoType = objectTypeOf(field);
      const info: [string, string][] = [];
      for (const f of selected(scope, infoType, g)) {
        if (!f.def) info.push([f.key, jsonConstant(infoType.name)]);
        else if (f.name === 'hasNextPage') info.push([f.key, `(count(*) > ${size})::text`]);
        else if (f.name === 'endCursor') {
          cursors = true;
          info.push([f.key, `coalesce('"' || (array_agg(${p}.cursor ORDER BY ${p}.n DESC) FILTER (WHERE ${onPage}))[1] || '"', 'null')`]);
        }
        else throw new NotCovered(`${infoType.name}.${f.name}`);
      }
      pairs.push([key, jsonObject(info)]);
    } else if (name === 'totalCount') {
      const x = alias(scope, 'x');
      pairs.push([key, `(SELECT count(*) FROM ${table} ${x} WHERE ${x}.customer_id = ${c}.id${channel ? ` AND ${x}.channel = ${params.add(channel)}` : ''})::text`]);
    } else throw new NotCovered(`${connection.name}.${name}`);
  }
  // Cursors only when selected: PostgreSQL computes the column even when nothing reads it.
  const page = `(SELECT ${i}.*, row_number() OVER (ORDER BY ${i}.${time} DESC, ${i}.id DESC) AS n${cursors ? `, ${cursorSql(`${i}.${time}`, `${i}.id`)} AS cursor` : ''}
      FROM (SELECT * FROM ${table} ${i} WHERE ${where.join(' AND ')} ORDER BY ${i}.${time} DESC, ${i}.id DESC LIMIT ${size + 1}) ${i}) ${p}`;
  // GROUP BY (): one row, from the aggregates, even when only totalCount is selected.
  return `(SELECT ${jsonObject(pairs)} FROM ${page} GROUP BY ())`;
};

const influence = (which: 'overall' | 'byTopic'): Nested => (scope, def, group, c) => {
  const s = alias(scope, 's');
  const element = objectSql(scope, objectTypeOf(def), group, s, SCORE_COLUMNS);
  // The resolvers: the overall score (or null), and every topic's score in the loader's order.
  return which === 'overall'
    ? `coalesce((SELECT ${element} FROM (${latestOverallInfluenceSql(`${c}.id`)}) ${s}), 'null')`
    : `(SELECT ${jsonArrayAgg(element, `${s}.topic NULLS FIRST, ${s}.platform NULLS FIRST`)} FROM (${latestInfluenceSql(`= ${c}.id`, 'topic IS NOT NULL')}) ${s})`;
};

/**
 * Customer fields with a resolver that the fast path answers. Each needs at most CAN.readCustomers,
 * which the roots require, so none of them can answer FORBIDDEN (or write an audit entry) here.
 * `priority` (JS formula and stored weights), consents, histories and merges are left out.
 */
const CUSTOMER_NESTED: Record<string, Nested> = {
  emails: contactPoints('EMAIL'),
  phones: contactPoints('PHONE'),
  socialIdentities: (scope, def, group, c) => {
    const s = alias(scope, 'si');
    const element = objectSql(scope, objectTypeOf(def), group, s, SOCIAL_IDENTITY_COLUMNS);
    return `(SELECT ${jsonArrayAgg(element, `${s}.captured_at, ${s}.id`)} FROM social_identities ${s} WHERE ${s}.customer_id = ${c}.id)`;
  },
  interactions: customerPage({ table: 'interactions', time: 'occurred_at', columns: INTERACTION_COLUMNS, nested: () => INTERACTION_NESTED }),
  influence: influence('overall'),
  influenceByTopic: influence('byTopic'),
  purchases: customerPage({ table: 'purchases', time: 'purchased_at', columns: PURCHASE_COLUMNS, nested: () => ({}) }),
  lifetimeValue: (_scope, _def, _group, c) => jsonPlain(lifetimeValueSql(`${c}.id`)),
};

const INTERACTION_NESTED: Record<string, Nested> = {
  // customerById: the survivor of the interaction's customer (it always exists: a foreign key).
  customer: (scope, def, group, i) => customerSql(scope, objectTypeOf(def), group, `${i}.customer_id`),
};

/** Writes a plain object (a JS value, e.g. the queue's priority) like graphql-js would: leaves through their scalar's serialize. */
// An override's writer is given the parent object, like the default writer of a field.
type Writer = (value: never) => string;

function plainWriter(scope: Scope, type: GraphQLObjectType, nodes: readonly FieldNode[], overrides: Record<string, (group: readonly FieldNode[]) => Writer> = {}): Writer {
  const parts: [string, Writer][] = [];
  for (const { key, name, group, def } of selected(scope, type, nodes)) {
    if (!def) {
      parts.push([key, () => `"${type.name}"`]);
      continue;
    }
    const override = overrides[name];
    if (override) {
      parts.push([key, override(group)]);
      continue;
    }
    if ((def.resolve && !isGuardedProperty(def.resolve)) || def.args.length > 0) throw new NotCovered(`${type.name}.${name}`);
    parts.push([key, valueWriter(scope, def, group, name)]);
  }
  return ((value: Record<string, unknown>) => `{${parts.map(([key, write]) => `"${key}":${write(value as never)}`).join(',')}}`) as Writer;
}

function valueWriter(scope: Scope, def: GraphQLField<unknown, unknown>, group: readonly FieldNode[], name: string): Writer {
  let type = def.type;
  const nonNull = isNonNullType(type);
  if (isNonNullType(type)) type = type.ofType;
  const list = isListType(type);
  const named = getNamedType(type);
  let one: (v: unknown) => string;
  if (isLeafType(named)) {
    one = (v) => {
      try {
        return JSON.stringify(named.serialize(v));
      } catch {
        // graphql-js would answer an error here (e.g. a Float that is not finite): leave it to it.
        throw new NotCovered(`${named.name} value`);
      }
    };
  } else if (isObjectType(named)) {
    one = plainWriter(scope, named, group) as (v: unknown) => string;
  } else throw new NotCovered(`${name}: ${named.name}`);
  return ((parent: Record<string, unknown>) => {
    const v = parent[name];
    if (v === null || v === undefined) {
      if (nonNull) throw new NotCovered(`null for ${name}`);
      return 'null';
    }
    return list ? `[${(v as unknown[]).map(one).join(',')}]` : one(v);
  }) as Writer;
}

/**
 * How an object of `type` already in JS (a row as a service returns it) is written for the
 * selection `nodes`, like graphql-js would: fields without a resolver from the object's property,
 * `overrides` for the fields with a resolver the caller reproduces; any other field with a
 * resolver or arguments is NotCovered, and so is a field whose declared rule refuses `roles` (the
 * roles every caller of the path holds). Used by the desk fast path (desk.handler.ts).
 */
export function objectWriter(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  roles: ReadonlySet<Role>,
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  overrides: Record<string, (group: readonly FieldNode[]) => (parent: Record<string, unknown>) => string> = {},
): (value: Record<string, unknown>) => string {
  const scope: Scope = { schema, roles, fragments, variables, params: new Params(), aliases: 0 };
  return plainWriter(scope, type, nodes, overrides as unknown as Record<string, (group: readonly FieldNode[]) => Writer>) as unknown as (value: Record<string, unknown>) => string;
}

/** `customer(id)`: the statement returns the customer's JSON text (null for an unknown id) in column `j`. */
function customerRoot(scope: Scope, key: string, def: GraphQLField<unknown, unknown>, group: readonly FieldNode[], idVariable: string | null): ResponsePlan {
  const args = argumentsOf(scope, def, group[0]);
  const id = scope.params.add(args.id);
  if (!idVariable && !isUuid(String(args.id))) throw new NotCovered('customer id is not a uuid');
  const text = `SELECT coalesce(${customerSql(scope, objectTypeOf(def), group, `${id}::uuid`)}, 'null') AS j`;
  return {
    text,
    values: scope.params.values,
    idVariable,
    render: (rows) => `{"data":{"${key}":${rows[0].j as string}}}\n`,
  };
}

const QUEUE_ROW_COLUMNS = ['id', '"queueKey"', 'tier', '"influenceScore"', '"influenceTopic"', 'weights', 'category', 'sentiment', 'content', 'topics', '"slaDueAt"', '"occurredAt"', 'pii', '"incidentId"', '"incidentTopic"', '"groupedCount"'];

interface QueueEntry {
  cursor: string;
  node: { interaction: Record<string, unknown>; priority: unknown; nextStep: string; incidentId: string | null; groupedCount: number | null };
}

/** `careQueue(...)`: the page and, per item, its interaction (with customer) as JSON text; priority in JS by toQueueItem. */
function queueRoot(scope: Scope, key: string, def: GraphQLField<unknown, unknown>, group: readonly FieldNode[]): ResponsePlan {
  const args = argumentsOf(scope, def, group[0]);
  let page: ReturnType<typeof careQueueSql>;
  let size: number;
  try {
    size = pageSize(args.first as number, 50);
    page = careQueueSql({ ...(args as object), first: size });
  } catch {
    throw new NotCovered('careQueue arguments are refused');
  }
  scope.params.values.push(...page.params);
  const columns: string[] = [];
  const connection = objectTypeOf(def);
  const write = plainWriter(scope, connection, group, {
    totalCount: () => {
      throw new NotCovered('careQueue totalCount');
    },
    edges: (edges) => {
      const edgeType = objectTypeOf(connection.getFields().edges);
      const nodeType = objectTypeOf(edgeType.getFields().node);
      const writeEdge = plainWriter(scope, edgeType, edges, {
        node: (nodes) => {
          const writeNode = plainWriter(scope, nodeType, nodes, {
            interaction: (interactions) => {
              const column = `j${columns.length}`;
              const i = alias(scope, 'i');
              const type = objectTypeOf(nodeType.getFields().interaction);
              columns.push(`(SELECT ${objectSql(scope, type, interactions, i, INTERACTION_COLUMNS, INTERACTION_NESTED)} FROM interactions ${i} WHERE ${i}.id = q.id) AS ${column}`);
              return ((node: QueueEntry['node']) => node.interaction[column] as string) as Writer;
            },
          });
          return ((edge: QueueEntry) => writeNode(edge.node as never)) as Writer;
        },
      });
      return ((value: { edges: QueueEntry[] }) => `[${value.edges.map((e) => writeEdge(e as never)).join(',')}]`) as Writer;
    },
  });
  // Of the page's columns only what toQueueItem reads (the priority formula's inputs and pii): fewer values to parse.
  const text = `SELECT ${QUEUE_ROW_COLUMNS.map((c) => `q.${c}`).join(', ')}${columns.map((c) => `, ${c}`).join('')} FROM (${page.sql}) q ORDER BY q."queueKey", q.id`;
  return {
    text,
    values: scope.params.values,
    idVariable: null,
    render: (rows) => {
      const now = new Date();
      const edges = (rows as unknown as QueueRow[]).slice(0, size).map((row): QueueEntry => {
        const item = toQueueItem(row, now);
        return { cursor: encodeCursor(row.queueKey, row.id), node: { interaction: row as unknown as Record<string, unknown>, priority: item.priority, nextStep: item.nextStep, incidentId: item.incidentId, groupedCount: item.groupedCount } };
      });
      const pageInfo = { hasNextPage: rows.length > size, endCursor: edges.length ? edges[edges.length - 1].cursor : null };
      return `{"data":{"${key}":${write({ edges, pageInfo } as never)}}}\n`;
    },
  };
}

/**
 * The plan of a query whose one root field is `customer(id)` or `careQueue(...)` with only covered
 * fields below, for a viewer holding the root's role; NotCovered otherwise. `idVariable`: the
 * variable bound to `customer(id:)` (and used nowhere else), whose value changes per request.
 */
export function compileResponse(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  roles: ReadonlySet<Role>,
  idVariable: string | null,
): ResponsePlan {
  if (operation.operation !== 'query') throw new NotCovered('not a query');
  const root = schema.getQueryType();
  if (!root) throw new NotCovered('no query type');
  const scope: Scope = { schema, roles, fragments, variables, params: new Params(), aliases: 0 };
  const groups = [...collectFields(schema, fragments, variables, root, operation.selectionSet)];
  if (groups.length !== 1) throw new NotCovered('one root field');
  const [key, group] = groups[0];
  const name = group[0].name.value;
  const def = root.getFields()[name];
  // The root resolver's @Authorized: a viewer it refuses gets Apollo's FORBIDDEN.
  const may = () => operationRoles('query', name).some((role) => roles.has(role));
  if (name === 'customer' && def && may()) return customerRoot(scope, key, def, group, idVariable);
  if (name === 'careQueue' && def && may()) return queueRoot(scope, key, def, group);
  throw new NotCovered(`root ${name}`);
}
