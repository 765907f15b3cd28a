import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';
import { decodeCursor, pageSize, type Keyset } from '../graphql';
import { mayRead, readsUnderConsent, ruleOf } from '../auth';
import type { Role } from '../auth';

/**
 * What one selection of Customer fields needs from the database, read from the operation
 * before any field resolver runs (look-ahead over the AST: fragments, @skip/@include and
 * variables as graphql-js itself collects them). Only the fields listed in docs/read-path.md
 * are planned; every other field is left to its loader.
 */
export interface CustomerPlan {
  contactPoints: boolean;
  /** `consents(asOf)` under emails/phones, by instant ('now' or ISO). */
  contactPointConsents: Map<string, Date | null>;
  socialIdentities: boolean;
  socialIdentityConsents: Map<string, Date | null>;
  interactions: Map<string, PageSpec>;
  /** totalCount of interactions, by channel filter ('' for none). */
  interactionCounts: Map<string, string | null>;
  conversations: Map<string, PageSpec>;
  conversationCount: boolean;
  influence: boolean;
  openEscalations: boolean;
  /** followerHistory(platform, first), by `platform|first`. */
  followerHistory: Map<string, { platform: string | null; first: number }>;
  networkTrend: boolean;
  /** Purchases (issue 27): pages, the count, the lifetime value. */
  purchases: Map<string, PageSpec>;
  purchaseCount: boolean;
  lifetimeValue: boolean;
}

/** One keyset page as the field resolver will ask its loader for it. */
export interface PageSpec {
  /** Page size + 1, as the resolvers fetch to know hasNextPage. */
  limit: number;
  after: Keyset | null;
  channel: string | null;
}

export function emptyPlan(): CustomerPlan {
  return {
    contactPoints: false,
    contactPointConsents: new Map(),
    socialIdentities: false,
    socialIdentityConsents: new Map(),
    interactions: new Map(),
    interactionCounts: new Map(),
    conversations: new Map(),
    conversationCount: false,
    influence: false,
    openEscalations: false,
    followerHistory: new Map(),
    networkTrend: false,
    purchases: new Map(),
    purchaseCount: false,
    lifetimeValue: false,
  };
}

/** The parts of GraphQLResolveInfo the look-ahead needs. */
interface Scope {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variableValues: Record<string, unknown>;
}

const pageKey = (p: PageSpec) => `${p.limit}|${p.after?.join('|') ?? ''}|${p.channel ?? ''}`;
const instantKey = (d: Date | null) => (d ? d.toISOString() : 'now');

/**
 * The field nodes reached from the resolver's own field by a path of field names (e.g.
 * ['edges', 'node'] for the customers of a connection), with their object type; null when
 * the path is not selected.
 */
export function nodesAt(info: GraphQLResolveInfo, path: readonly string[]): { type: GraphQLObjectType; nodes: FieldNode[] } | null {
  let type = getNamedType(info.returnType);
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    if (!isObjectType(type)) return null;
    const next: FieldNode[] = [];
    for (const group of collectSubfields(info.schema, info.fragments, info.variableValues, type, nodes).values()) {
      if (group[0].name.value === name) next.push(...group);
    }
    const field = type.getFields()[name];
    if (next.length === 0 || !field) return null;
    type = getNamedType(field.type);
    nodes = next;
  }
  return isObjectType(type) ? { type, nodes: [...nodes] } : null;
}

/**
 * Plans the Customer fields selected under `nodes` for a viewer holding `roles`: a field whose
 * declared rule refuses them (it answers FORBIDDEN), or admits them only under the customer's
 * consent (the field guard checks it at the read), is not read ahead. The scores are read for
 * every reader: each of their fields filters what it shows.
 */
export function planCustomer(info: Scope, customerType: GraphQLObjectType, nodes: readonly FieldNode[], roles: ReadonlySet<Role>): CustomerPlan {
  const plan = emptyPlan();
  const fields = customerType.getFields();
  for (const group of collectSubfields(info.schema, info.fragments, info.variableValues, customerType, nodes).values()) {
    const name = group[0].name.value;
    const def = fields[name];
    if (!def) continue;
    const rule = ruleOf(customerType, def);
    const readable = rule !== undefined && mayRead(rule, roles) && !readsUnderConsent(rule, roles);
    // Each node on its own: two branches may ask the same response key with other arguments.
    for (const node of group) {
      // A field whose arguments do not coerce or fail validation is left to its resolver, which raises the error.
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(def, node, info.variableValues);
      } catch {
        continue;
      }
      const sub = (type: GraphQLObjectType) => collectSubfields(info.schema, info.fragments, info.variableValues, type, [node]);
      const objectType = getNamedType(def.type);
      switch (name) {
        case 'influence':
        case 'influenceByTopic':
        case 'priority':
          plan.influence = true;
          break;
        case 'emails':
        case 'phones':
          if (!readable || !isObjectType(objectType)) break;
          plan.contactPoints = true;
          addConsents(info, objectType, sub(objectType), plan.contactPointConsents);
          break;
        case 'socialIdentities':
          if (!readable || !isObjectType(objectType)) break;
          plan.socialIdentities = true;
          addConsents(info, objectType, sub(objectType), plan.socialIdentityConsents);
          break;
        case 'openEscalations':
          if (readable) plan.openEscalations = true;
          break;
        case 'networkTrend':
          if (readable) plan.networkTrend = true;
          break;
        case 'followerHistory': {
          if (!readable) break;
          const first = sizeOf(args.first, 30);
          if (first === null) break;
          const platform = (args.platform as string | null | undefined) ?? null;
          plan.followerHistory.set(`${platform ?? ''}|${first}`, { platform, first });
          break;
        }
        case 'interactions':
        case 'conversations': {
          if (!readable || !isObjectType(objectType)) break;
          const page = pageOf(args, 20, name === 'interactions');
          if (!page) break;
          // The resolver always reads the page (even for totalCount alone); the count only when asked.
          const wantsCount = [...sub(objectType).values()].some((g) => g[0].name.value === 'totalCount');
          if (name === 'interactions') {
            plan.interactions.set(pageKey(page), page);
            if (wantsCount) plan.interactionCounts.set(page.channel ?? '', page.channel);
          } else {
            plan.conversations.set(pageKey(page), page);
            if (wantsCount) plan.conversationCount = true;
          }
          break;
        }
        case 'purchases': {
          if (!readable || !isObjectType(objectType)) break;
          const page = pageOf(args, 20, false);
          if (!page) break;
          plan.purchases.set(pageKey(page), page);
          if ([...sub(objectType).values()].some((g) => g[0].name.value === 'totalCount')) plan.purchaseCount = true;
          break;
        }
        case 'lifetimeValue':
          if (readable) plan.lifetimeValue = true;
          break;
        default:
          break;
      }
    }
  }
  return plan;
}

/** The page the field resolver will ask for, or null when its arguments are refused (the resolver says why). */
function pageOf(args: Record<string, unknown>, fallback: number, withChannel: boolean): PageSpec | null {
  try {
    const size = pageSize(args.first as number | null | undefined, fallback);
    const after = decodeCursor(args.after as string | null | undefined);
    const channel = withChannel ? ((args.channel as string | null | undefined) ?? null) : null;
    return { limit: size + 1, after, channel };
  } catch {
    return null;
  }
}

/** A list size the resolver will accept, or null when it refuses it (the resolver says why). */
function sizeOf(first: unknown, fallback: number): number | null {
  try {
    return pageSize(first as number | null | undefined, fallback);
  } catch {
    return null;
  }
}

function addConsents(info: Scope, identityType: GraphQLObjectType, selected: Map<string, readonly FieldNode[]>, into: Map<string, Date | null>): void {
  const def = identityType.getFields().consents;
  if (!def) return;
  for (const group of selected.values()) {
    if (group[0].name.value !== 'consents') continue;
    for (const node of group) {
      try {
        const asOf = (getArgumentValues(def, node, info.variableValues).asOf as Date | null | undefined) ?? null;
        into.set(instantKey(asOf), asOf);
      } catch {
        // left to the resolver
      }
    }
  }
}
