import { defaultFieldResolver, getNullableType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context';
import { HOLDER_ROLES } from '../graphql';
import type { Connection } from '../graphql';
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

/**
 * Roles a field admits only under the customer's consent for the field's declared purpose:
 * marketing reads a customer as a segment member, so what it reads of them is what the customer
 * said yes to. Every other role reads a field it is admitted to in its own right (docs/security-and-operations.md,
 * "Purposes").
 */
const CONSENT_BOUND: ReadonlySet<Role> = new Set<Role>(['marketing']);

/**
 * True when a viewer holding `held` reads a field of this rule only under the customer's consent
 * for `rule.purpose`: the rule declares a purpose and none of the roles it admits the viewer
 * through reads in its own right. A marketing+viewer token reads `influence` (viewer, marketing)
 * as a viewer, and `purchases` (agent, marketing) under MARKETING consent.
 */
export function readsUnderConsent(rule: FieldRule, held: ReadonlySet<Role>): boolean {
  return rule.purpose !== undefined && !rule.roles.some((role) => held.has(role) && !CONSENT_BOUND.has(role));
}

/** readsUnderConsent for the field being resolved (a resolver that filters further under consent, e.g. unconsented scores). */
export function fieldReadUnderConsent(info: GraphQLResolveInfo, held: ReadonlySet<Role>): boolean {
  const rule = ruleOf(info.parentType, info.parentType.getFields()[info.fieldName]);
  return rule !== undefined && readsUnderConsent(rule, held);
}

/**
 * What a field shows while its purpose is withheld: null, an empty list or an empty connection.
 * Undefined for a non-null object (`priority`): such a field must be consent-safe for every reader
 * by itself (the priority ranks only with scores usable for profiling).
 */
function withheldValue(field: GraphQLField<unknown, unknown>): (() => unknown) | undefined {
  if (!isNonNullType(field.type)) return () => null;
  const type = getNullableType(field.type);
  if (isListType(type)) return () => [];
  if (isObjectType(type) && type.name.endsWith('Connection')) {
    return (): Connection<never> => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: () => 0 });
  }
  return undefined;
}

/**
 * The customer a purpose is checked for: a purpose is entered from a Customer field (the types
 * below it, InfluenceScore, Purchase, Priority, declare the same purpose and inherit that check).
 */
function entersPurpose(type: GraphQLObjectType, rule: FieldRule | undefined): boolean {
  if (!rule?.purpose) return false;
  const base = type.extensions?.[ACCESS_KEY] as Partial<FieldRule> | undefined;
  return base?.purpose !== rule.purpose;
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
/**
 * Whether the customer holds `purpose` now, batched per request. auth/ sits below every feature,
 * so the composition passes identities' consent loader in (src/schema.ts).
 */
export type PurposeCheck = (context: RequestContext, customerId: string, purpose: FieldRule['purpose'] & string) => Promise<boolean>;

export function applyFieldRules(schema: GraphQLSchema, grantedNow: PurposeCheck): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ROOT_TYPES.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(type, field);
      const purpose = entersPurpose(type, rule) ? rule?.purpose : undefined;
      if (rule && !purpose && HOLDER_ROLES.every((role) => rule.roles.includes(role))) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (purpose && type.name !== 'Customer') throw new Error(`${coordinate}: a purpose is entered only from a Customer field (the customer whose consent counts)`);
      const roles = rule?.roles ?? [];
      const original = field.resolve ?? defaultFieldResolver;
      const withheld = purpose && rule ? { purpose, rule, value: withheldValue(field) } : undefined;
      const guarded: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) => {
        if (!roles.some((role) => context.viewer.roles.has(role))) return refuse(context, coordinate, roles, coordinate);
        // The declared purpose, for a viewer admitted only under consent, checked at this read (a withdrawal counts at once).
        if (withheld?.value && readsUnderConsent(withheld.rule, context.viewer.roles)) {
          const { purpose: needed, value } = withheld;
          return grantedNow(context, (source as { id: string }).id, needed).then((granted) => (granted ? original(source, args, context, info) : value()));
        }
        return original(source, args, context, info);
      };
      Object.defineProperty(guarded, GUARDED, { value: true });
      if (!field.resolve) Object.defineProperty(guarded, GUARDED_PROPERTY, { value: true });
      field.resolve = guarded;
    }
  }
  return schema;
}
