import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context';
import { HOLDER_ROLES } from '../graphql';
import { ACCESS_KEY, type FieldRule } from './access';
import { refuse } from './auth-checker';
import type { Role } from './roles';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The rule of `type.field`: the field's own declaration over its type's, property by property
 * (a field may restate only its data class, say). Undefined when either roles or the data class
 * is declared nowhere: such a field is closed to everyone, and test/integration/field-rules.test.ts
 * fails on it. Root fields answer undefined: their rule is their resolver's `@Authorized`.
 */
export function ruleOf(type: GraphQLObjectType | GraphQLInterfaceType, field: GraphQLField<unknown, unknown>): FieldRule | undefined {
  if (ROOT_TYPES.has(type.name)) return undefined;
  const own = field.extensions?.[ACCESS_KEY] as Partial<FieldRule> | undefined;
  const base = type.extensions?.[ACCESS_KEY] as Partial<FieldRule> | undefined;
  const roles = own?.roles ?? base?.roles;
  const dataClass = own?.dataClass ?? base?.dataClass;
  if (!roles || !dataClass) return undefined;
  const purpose = own && 'purpose' in own ? own.purpose : base?.purpose;
  return purpose ? { roles, dataClass, purpose } : { roles, dataClass };
}

/** True when a viewer holding `held` (implied roles included) may read a field of this rule. */
export function mayRead(rule: FieldRule, held: ReadonlySet<Role>): boolean {
  return rule.roles.some((role) => held.has(role));
}


/** Marks a resolver that checks a rule; GUARDED_PROPERTY one that wraps graphql-js' default resolver (a plain property read). */
const GUARDED = Symbol('guarded');
const GUARDED_PROPERTY = Symbol('guardedProperty');

/** True when `resolve` checks a declared rule before it answers. */
export function isGuarded(resolve: unknown): boolean {
  return typeof resolve === 'function' && (resolve as unknown as Record<symbol, unknown>)[GUARDED] === true;
}

/** True when `resolve` is only the rule check around a property read (compiled reads may read the column). */
export function isGuardedProperty(resolve: unknown): boolean {
  return typeof resolve === 'function' && (resolve as unknown as Record<symbol, unknown>)[GUARDED_PROPERTY] === true;
}

/**
 * Puts every declared rule into the schema: each field of an object type whose rule does not admit
 * every role that can hold an object (viewer, marketing, ingest) gets its resolver wrapped in the
 * check, and a field with no rule is closed to all. A refused field answers FORBIDDEN for that
 * field, audited once per coordinate and request like a refused operation. Fields open to every
 * holder run nothing extra, which is why this wraps resolvers once at build time rather than
 * running a middleware on every field of every response.
 */
export function applyFieldRules(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ROOT_TYPES.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(type, field);
      if (rule && HOLDER_ROLES.every((role) => rule.roles.includes(role))) continue;
      const coordinate = `${type.name}.${field.name}`;
      const roles = rule?.roles ?? [];
      const original = field.resolve ?? defaultFieldResolver;
      const guarded: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) =>
        roles.some((role) => context.viewer.roles.has(role)) ? original(source, args, context, info) : refuse(context, coordinate, roles, coordinate);
      Object.defineProperty(guarded, GUARDED, { value: true });
      if (!field.resolve) Object.defineProperty(guarded, GUARDED_PROPERTY, { value: true });
      field.resolve = guarded;
    }
  }
  return schema;
}
