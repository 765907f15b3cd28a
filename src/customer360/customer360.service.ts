import { createHash } from 'node:crypto';
import { getNamedType, isObjectType, type GraphQLResolveInfo } from 'graphql';
import type { Pool } from 'pg';
import type { Customer, CustomerListArgs, CustomerService, CustomerReads } from '../customers';
import { CUSTOMER_STORED, customerListSql } from '../customers';
import { encodeCursor, toConnection, type Connection, dateFields, storedFields } from '../graphql';
import { toStates, ContactPoint, SocialIdentity } from '../identities';
import type { FollowerCountPoint } from '../influence';
import type { Escalation } from '../interactions';
import { readsUnderConsent } from '../auth';
import { InfluenceScore } from '../influence';
import { Conversation, Interaction } from '../interactions';
import { Purchase } from '../purchases';
import type { RequestContext } from '../context';
import { nodesAt, planCustomer, type CustomerPlan } from './customer360.plan';
import { customer360Sql, type CompiledStatement } from './customer360.sql';

/** A query returning the customers to read: `key` (an id, merged or not) and `ord`, plus any pass-through columns. */
export interface CustomerKeys {
  sql: string;
  params: unknown[];
}

type Json = Record<string, unknown>;
type Row = Json & { key: string; ord: string | number };

/** Distinct statement shapes kept as named (server-side prepared) statements; past this, unnamed. */
const MAX_PREPARED_SHAPES = 500;

/**
 * The customer 360 read path: the root fields that return customers (customer, lookupCustomer,
 * customers, and the customers of careQueue items) read each selection with ONE statement
 * compiled from the operation (customer360.plan.ts, customer360.sql.ts) and prime the request's
 * loaders with its rows, so the unchanged field resolvers (and with them authorization, the
 * marketing guard, audit, the survivor rule and the priority formula) answer from memory.
 * A field the compiler does not cover simply misses the primed cache and loads as before.
 * With `compiled: false` every read takes the loader path (kept for the property test).
 */
export class Customer360Service implements CustomerReads {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    private readonly customers: Pick<CustomerService, 'list'>,
    readonly options: { compiled: boolean },
  ) {}

  /** `customer(id)`: the customer (or its survivor), null for an unknown id. */
  async byId(ctx: RequestContext, id: string, info: GraphQLResolveInfo): Promise<Customer | null> {
    const plan = this.options.compiled ? planAt(ctx, info, []) : null;
    if (!plan) return ctx.loaders.customerById.load(id);
    const rows = await this.run(customer360Sql(`SELECT $1::uuid AS key, 1 AS ord`, [id], plan));
    const customer = rows[0] ? primeRow(ctx, plan, rows[0]) : null;
    ctx.loaders.customerById.prime(id, customer);
    return customer;
  }

  /** `lookupCustomer`: the owner found by `owner` (a query of `key`, `ord`) in the same statement. */
  async byOwner(ctx: RequestContext, owner: CustomerKeys, ownerOf: () => Promise<string | null>, info: GraphQLResolveInfo): Promise<Customer | null> {
    const plan = this.options.compiled ? planAt(ctx, info, []) : null;
    if (!plan) {
      const id = await ownerOf();
      return id ? ctx.loaders.customerById.load(id) : null;
    }
    const rows = await this.run(customer360Sql(owner.sql, owner.params, plan));
    return rows[0] ? primeRow(ctx, plan, rows[0]) : null;
  }

  /** `customers(...)`: the page and its customers' selections in one statement (totalCount, when asked, in a second). */
  async list(ctx: RequestContext, args: CustomerListArgs, info: GraphQLResolveInfo): Promise<Connection<Customer>> {
    const plan = this.options.compiled ? planAt(ctx, info, ['edges', 'node']) : null;
    if (!plan) {
      const page = await this.customers.list(args);
      for (const edge of page.edges) ctx.loaders.customerById.prime(edge.node.id, edge.node);
      return page;
    }
    const { sql, params, countSql, countParams } = customerListSql(args);
    const rows = await this.run(customer360Sql(sql, params, plan));
    const customers = rows.map((row) => ({ customer: primeRow(ctx, plan, row), sortKey: row.sortKey as string }));
    const page = toConnection(customers, args.first, (c) => encodeCursor(c.sortKey, c.customer.id), async () => {
      const { rows: counted } = await this.pool.query<{ n: number }>(countSql, countParams);
      return counted[0].n;
    });
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: e.node.customer })) };
  }

  /**
   * Primes the loaders for customers a root field reached some other way (the care queue's
   * items), for the selection at `path` below the resolver's field: one statement for all.
   */
  async prime(ctx: RequestContext, ids: readonly string[], info: GraphQLResolveInfo, path: readonly string[]): Promise<void> {
    if (!this.options.compiled || ids.length === 0) return;
    const plan = planAt(ctx, info, path);
    if (!plan) return;
    const distinct = [...new Set(ids)];
    const rows = await this.run(
      customer360Sql(`SELECT u.key, u.ord FROM unnest($1::uuid[]) WITH ORDINALITY AS u(key, ord)`, [distinct], plan),
    );
    for (const row of rows) primeRow(ctx, plan, row);
  }

  private async run(statement: CompiledStatement): Promise<Row[]> {
    let name = this.names.get(statement.text);
    if (name === undefined && this.names.size < MAX_PREPARED_SHAPES) {
      name = `c360_${createHash('sha1').update(statement.text).digest('hex').slice(0, 16)}`;
      this.names.set(statement.text, name);
    }
    const { rows } = await this.pool.query<Row>(name ? { name, text: statement.text, values: statement.values } : { text: statement.text, values: statement.values });
    return rows;
  }
}

/** The plan for the customers at `path` below the resolver's field, or null if nothing there is worth a statement. */
function planAt(ctx: RequestContext, info: GraphQLResolveInfo, path: readonly string[]): CustomerPlan | null {
  const at = nodesAt(info, path);
  if (!at) return null;
  const type = getNamedType(at.type);
  if (!isObjectType(type) || type.name !== 'Customer') return null;
  // With only scalars selected this is still the one statement that reads the customers.
  return planCustomer(info, type, at.nodes, ctx.viewer.roles);
}

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
function dates<T>(row: Json, fields: readonly string[]): T {
  for (const f of fields) row[f] = toDate(row[f]);
  return row as T;
}

// The time-valued properties of each primed type, as declared (@Stored(..., 'date')).
const CONTACT_POINT_DATES = dateFields(storedFields(ContactPoint));
const SOCIAL_IDENTITY_DATES = dateFields(storedFields(SocialIdentity));
const INTERACTION_DATES = dateFields(storedFields(Interaction));
const CONVERSATION_DATES = dateFields(storedFields(Conversation));
const PURCHASE_DATES = dateFields(storedFields(Purchase));
const SCORE_DATES = dateFields(storedFields(InfluenceScore));
const CONSENT_DATES = ['recordedAt', 'expiresAt'];
const ESCALATION_DATES = ['createdAt', 'resolvedAt', 'acknowledgedAt', 'dueAt'];

/** Splits off the identity's compiled consents (k0, k1, ...) and primes them under their loader keys. */
function primeConsents(
  identity: Json,
  instants: readonly (Date | null)[],
  prime: (key: { identityId: string; asOf: Date | null }, states: ReturnType<typeof toStates>) => void,
): Json {
  instants.forEach((asOf, n) => {
    const events = (identity[`k${n}`] as Json[]).map((e) => dates<Parameters<typeof toStates>[0][number]>(e, CONSENT_DATES));
    delete identity[`k${n}`];
    prime({ identityId: identity.id as string, asOf }, toStates(events));
  });
  return identity;
}

/** Turns one compiled row into the customer and primes every loader its plan covers; returns the customer. */
function primeRow(ctx: RequestContext, plan: CustomerPlan, row: Row): Customer {
  const { loaders } = ctx;
  // The customer loader's own columns (CUSTOMER_COLUMNS), so the primed value is the one it would load.
  const stored: Json = {};
  for (const { field } of CUSTOMER_STORED) stored[field] = row[field];
  const customer = stored as unknown as Customer;
  const id = customer.id;
  loaders.customerById.prime(row.key, customer);
  loaders.customerById.prime(id, customer);
  if (plan.contactPoints) {
    const instants = [...plan.contactPointConsents.values()];
    const points = (row.cp as Json[]).map((p) =>
      dates<ContactPoint>(primeConsents(p, instants, (k, v) => loaders.consentsByContactPointId.prime(k, v)), CONTACT_POINT_DATES),
    );
    loaders.contactPointsByCustomerId.prime(id, points);
  }
  if (plan.socialIdentities) {
    const instants = [...plan.socialIdentityConsents.values()];
    const identities = (row.si as Json[]).map((s) =>
      dates<SocialIdentity>(primeConsents(s, instants, (k, v) => loaders.consentsBySocialIdentityId.prime(k, v)), SOCIAL_IDENTITY_DATES),
    );
    loaders.socialIdentitiesByCustomerId.prime(id, identities);
    for (const identity of identities) loaders.socialIdentityById.prime(identity.id, identity);
  }
  [...plan.interactions.values()].forEach((page, n) => {
    const rows = (row[`i${n}`] as Json[]).map((r) => dates<Interaction & { sortKey: string }>({ parentId: id, ...r }, INTERACTION_DATES));
    loaders.interactionsByCustomerId.prime({ parentId: id, limit: page.limit, after: page.after, filter: page.channel }, rows);
  });
  [...plan.interactionCounts.values()].forEach((channel, n) => {
    loaders.interactionCountByCustomerId.prime({ parentId: id, filter: channel }, row[`in${n}`] as number);
  });
  [...plan.conversations.values()].forEach((page, n) => {
    const rows = (row[`v${n}`] as Json[]).map((r) => dates<Conversation & { sortKey: string }>({ parentId: id, ...r }, CONVERSATION_DATES));
    loaders.conversationsByCustomerId.prime({ parentId: id, limit: page.limit, after: page.after }, rows);
  });
  if (plan.conversationCount) loaders.conversationCountByCustomerId.prime({ parentId: id }, row.vn as number);
  if (plan.influence) {
    loaders.latestInfluenceByCustomerId.prime(id, (row.inf as Json[]).map((s) => dates<InfluenceScore>(s, SCORE_DATES)));
  }
  [...plan.followerHistory.values()].forEach(({ platform, first }, n) => {
    const points = (row[`fh${n}`] as Json[]).map((r) => ({ platform: r.platform, followerCount: r.followerCount, measuredAt: toDate(r.measuredAt) }));
    loaders.followerHistoryByKey.prime({ customerId: id, platform, first }, points as FollowerCountPoint[]);
  });
  if (plan.networkTrend) loaders.networkTrendByCustomerId.prime(id, row.nt as number | null);
  if (plan.openEscalations) {
    loaders.openEscalationsByCustomerId.prime(id, (row.esc as Json[]).map((e) => dates<Escalation>(e, ESCALATION_DATES)));
  }
  [...plan.purchases.values()].forEach((page, n) => {
    const rows = (row[`pu${n}`] as Json[]).map((r) => dates<Purchase & { sortKey: string }>(r, PURCHASE_DATES));
    loaders.purchasesByCustomerId.prime({ parentId: id, limit: page.limit, after: page.after }, rows);
  });
  if (plan.purchaseCount) loaders.purchaseCountByCustomerId.prime({ parentId: id }, row.pun as number);
  if (plan.lifetimeValue) loaders.lifetimeValueByCustomerId.prime(id, row.ltv as number | null);
  return customer;
}
