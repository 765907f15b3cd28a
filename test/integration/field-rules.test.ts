import {
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  print,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { operationRoles } from '../../src/auth/operation-roles';
import { isGuarded, mayRead, ruleOf } from '../../src/auth/field-guard';
import { effectiveRoles, ROLES, type Role } from '../../src/auth/roles';
import { HOLDER_ROLES } from '../../src/graphql/access';
import { PersonalDataClass } from '../../src/graphql/enums';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { matrixFixtures, ROLE_MATRIX, type MatrixFixtures } from './role-matrix';

// Every field of every type has one declared rule (src/auth/access.ts), and the answers of the
// live API follow it for every role: the matrix below is generated from the schema, never listed
// by hand, so a new field or type is covered the day it is added.

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);
let schema: GraphQLSchema;
let objectTypes: GraphQLObjectType[];

beforeAll(async () => {
  schema = await buildAppSchema();
  objectTypes = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && !ROOTS.has(t.name));
});

describe('declarations', () => {
  it('gives every field of every object type roles of this service and a data class', () => {
    const problems: string[] = [];
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        const rule = ruleOf(type, field);
        if (!rule) problems.push(`${type.name}.${field.name}: no rule (declare @Access on the field or its type)`);
        else {
          if (rule.roles.length === 0 || rule.roles.some((r) => !(ROLES as readonly string[]).includes(r))) problems.push(`${type.name}.${field.name}: roles ${rule.roles.join(',')}`);
          if (!Object.values(PersonalDataClass).includes(rule.dataClass)) problems.push(`${type.name}.${field.name}: data class ${String(rule.dataClass)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every root operation its roles (@Authorized)', () => {
    const missing: string[] = [];
    for (const [root, kind] of [['Query', 'query'], ['Mutation', 'mutation'], ['Subscription', 'subscription']] as const) {
      const type = schema.getType(root);
      if (!isObjectType(type)) continue;
      for (const name of Object.keys(type.getFields())) {
        // The same lookup the fast paths make (src/auth/operation-roles.ts): it throws without roles.
        try {
          operationRoles(kind, name);
        } catch {
          missing.push(`${root}.${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('puts the check on every field whose rule is narrower than every holder, and on none other', () => {
    const problems: string[] = [];
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        const rule = ruleOf(type, field)!;
        const open = HOLDER_ROLES.every((r) => rule.roles.includes(r));
        const guarded = isGuarded(field.resolve);
        if (open === guarded) problems.push(`${type.name}.${field.name}: narrower rule without its check`);
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---- The generated matrix: every root operation with every field below it, as every role it admits ----

/** The widest selection of `type` a document can ask without arguments, to `depth` object levels, each type once per path. */
function widest(type: GraphQLObjectType, depth: number, path: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => a.type.toString().endsWith('!') && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 0 && !path.has(named.name)) {
      const inner = widest(named, depth - 1, new Set([...path, named.name]));
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

/** The matrix entry's document with its root field's selection replaced by the widest one. */
function widen(document: string): string | null {
  const doc = parse(document);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const rootType = op.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
  const rootField = op.selectionSet.selections[0];
  if (rootField.kind !== Kind.FIELD) return null;
  const named = getNamedType(rootType.getFields()[rootField.name.value].type);
  if (!isObjectType(named)) return null;
  const selection = parse(`{ ${widest(named, 3, new Set([named.name]))} }`).definitions[0] as OperationDefinitionNode;
  const widened = { ...rootField, selectionSet: selection.selectionSet as SelectionSetNode };
  return print({ ...doc, definitions: doc.definitions.map((d) => (d === op ? { ...op, selectionSet: { ...op.selectionSet, selections: [widened] } } : d)) });
}

/** The field a response path points at (list indices skipped). */
function fieldAt(rootType: GraphQLObjectType, path: readonly (string | number)[]): { type: GraphQLObjectType; field: GraphQLField<unknown, unknown> } | null {
  let type: GraphQLObjectType = rootType;
  let last: { type: GraphQLObjectType; field: GraphQLField<unknown, unknown> } | null = null;
  for (const key of path) {
    if (typeof key === 'number') continue;
    const field = type.getFields()[key];
    if (!field) return null;
    last = { type, field };
    const named = getNamedType(field.type);
    if (isObjectType(named)) type = named;
  }
  return last;
}

describe('answers follow the declared rules', () => {
  let app: TestApp;
  let fixtures: MatrixFixtures;
  beforeAll(async () => {
    app = await startTestApp({ limits: { maxCost: 10_000_000, maxTokens: 100_000, mutationsPerMinute: 100_000 } });
    fixtures = await matrixFixtures(app);
  });
  afterAll(() => app.close());

  it('refuses exactly the fields each role may not read, on every operation with every field below it', async () => {
    const mismatches: string[] = [];
    const refusedSeen = new Set<string>();
    let allowedSeen = 0;
    for (const [operation, entry] of Object.entries(ROLE_MATRIX)) {
      const document = widen(entry.document);
      if (!document) continue;
      const rootType = operation.startsWith('Mutation.') ? schema.getMutationType()! : schema.getQueryType()!;
      for (const role of entry.allowed) {
        const held = effectiveRoles([role]);
        const res = await app.gql(document, await entry.variables?.(fixtures, role), [role]);
        const refusedPaths = new Set<string>();
        for (const error of res.errors ?? []) {
          const path = error.path ?? [];
          const at = fieldAt(rootType, path);
          if (error.extensions?.code !== 'FORBIDDEN' || !at) {
            mismatches.push(`${operation} as ${role}: ${String(error.extensions?.code)} at ${path.join('.')}: ${error.message}`);
            continue;
          }
          const rule = ruleOf(at.type, at.field);
          if (rule && mayRead(rule, held)) mismatches.push(`${operation} as ${role}: ${at.type.name}.${at.field.name} refused, but its rule admits ${role}`);
          refusedPaths.add(path.join('.'));
          refusedSeen.add(`${at.type.name}.${at.field.name} as ${role}`);
        }
        // Every value present in the answer is one the rule admits; a refused one is null with its error.
        const walk = (value: unknown, type: GraphQLObjectType, path: (string | number)[]) => {
          if (value === null || value === undefined) return;
          if (Array.isArray(value)) return value.forEach((v, i) => walk(v, type, [...path, i]));
          for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
            const field = type.getFields()[key];
            if (!field) continue;
            const rule = ruleOf(type, field);
            const childPath = [...path, key];
            if (!rule || !mayRead(rule, held)) {
              if (child !== null || !refusedPaths.has(childPath.join('.'))) mismatches.push(`${operation} as ${role}: ${type.name}.${key} answered though its rule refuses ${role}`);
              continue;
            }
            allowedSeen++;
            const named = getNamedType(field.type);
            if (isObjectType(named)) walk(child, named, childPath);
          }
        };
        const rootName = Object.keys(res.data ?? {})[0];
        if (rootName) walk(res.data![rootName], getNamedType(rootType.getFields()[rootName].type) as GraphQLObjectType, [rootName]);
      }
    }
    expect(mismatches).toEqual([]);
    // The walk saw both kinds: the generated documents reach refused and admitted fields alike
    // (a refused non-null field nulls its parent, so one refusal per object is what comes back).
    // (which refused field of an object comes back first follows the schema's field order, so no one field is named here)
    expect([...refusedSeen].some((c) => c.startsWith('Interaction.') && c.endsWith(' as ingest'))).toBe(true);
    expect([...refusedSeen].some((c) => c.startsWith('Customer.') && c.endsWith(' as ingest'))).toBe(true);
    expect(allowedSeen).toBeGreaterThan(1000);
  }, 600_000);
});
