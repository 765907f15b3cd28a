import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../context';
import type { Connection } from '../graphql';
import type { CustomerListArgs } from './customer.service';
import type { Customer } from './customer.types';

/**
 * How the root fields that return customers read them (customer, customers, lookupCustomer,
 * and the customers below influencersOnTopic and careQueue). The customer 360 read path
 * (src/customer360/customer360.service.ts) implements it and sits above every folder that
 * uses it, so those resolvers take it as this shape, built and passed in by the composition
 * (src/schema.ts): they never import customer360/.
 */
export interface CustomerReads {
  /** `customer(id)`: the customer (or its survivor), null for an unknown id. */
  byId(ctx: RequestContext, id: string, info: GraphQLResolveInfo): Promise<Customer | null>;
  /** The owner found by `owner` (a query of `key`, `ord`), or by `ownerOf` when nothing is compiled. */
  byOwner(ctx: RequestContext, owner: { sql: string; params: unknown[] }, ownerOf: () => Promise<string | null>, info: GraphQLResolveInfo): Promise<Customer | null>;
  list(ctx: RequestContext, args: CustomerListArgs, info: GraphQLResolveInfo): Promise<Connection<Customer>>;
  /** Primes the request's loaders for customers a root field reached some other way, for the selection at `path`. */
  prime(ctx: RequestContext, ids: readonly string[], info: GraphQLResolveInfo, path: readonly string[]): Promise<void>;
}
