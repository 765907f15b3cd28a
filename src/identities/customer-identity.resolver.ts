import { Arg, Authorized, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { CAN } from '../auth/roles';
import { Customer } from '../customers/customer.types';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql/pagination';
import { JSONScalar } from '../graphql/scalars';
import type { RequestContext } from '../http/context';
import { Merge, TouchpointEventConnection } from './identity-history.types';

/** The identity audit and profile attributes on a customer. */
@Resolver(() => Customer)
export class CustomerIdentityResolver {
  @Authorized(CAN.readCustomers)
  @FieldResolver(() => TouchpointEventConnection, { description: 'Every touchpoint that linked identifiers to this customer, newest first.' })
  async touchpointHistory(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const size = pageSize(first, 20);
    const rows = await ctx.loaders.touchpointEventsByCustomerId.load({ parentId: customer.id, limit: size + 1, after: decodeCursor(after) });
    return toConnection(rows, size, (r) => encodeCursor(r.sortKey, r.id), () =>
      ctx.loaders.touchpointEventCountByCustomerId.load({ parentId: customer.id }),
    );
  }

  @Authorized(CAN.readCustomers)
  @FieldResolver(() => [Merge], { description: 'Merges into or of this customer, undone ones included, newest first.' })
  merges(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.mergesByCustomerId.load(customer.id);
  }

  @Authorized(CAN.readCustomers)
  @FieldResolver(() => JSONScalar, { description: 'Loyalty and value fields given at touchpoints (e.g. lifetimeValue).' })
  attributes(@Root() customer: Customer & { attributes?: Record<string, unknown> }) {
    return customer.attributes ?? {};
  }
}
