import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth/roles';
import { Tier } from '../graphql/enums';
import { pageSize } from '../graphql/pagination';
import type { RequestContext } from '../context';
import { checkCustomerId } from './customer.service';
import { Customer, CustomerConnection } from './customer.types';

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized(CAN.readCustomers)
  @Query(() => Customer, { nullable: true, description: 'A merged customer\'s old id answers with the survivor.' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(checkCustomerId(id));
  }

  @Authorized(CAN.readCustomers)
  @Query(() => CustomerConnection)
  async customers(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('tier', () => Tier, { nullable: true }) tier?: Tier,
    @Arg('search', () => String, { nullable: true, description: 'Part of the display name.' }) search?: string,
  ) {
    const page = await ctx.services.customers.list({ first: pageSize(first, 20), after, tier, search });
    for (const edge of page.edges) ctx.loaders.customerById.prime(edge.node.id, edge.node);
    return page;
  }
}
