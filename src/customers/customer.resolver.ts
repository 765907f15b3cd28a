import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, ID, Info, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { Tier, pageSize } from '../graphql';
import type { RequestContext } from '../context';
import { checkCustomerId } from './customer.service';
import { Customer, CustomerConnection } from './customer.types';
import type { CustomerReads } from './customer-reads';

@Resolver(() => Customer)
export class CustomerResolver {
  constructor(private readonly customerReads: CustomerReads) {}

  @Authorized(CAN.readCustomers)
  @Query(() => Customer, { nullable: true, description: 'A merged customer\'s old id answers with the survivor.' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    return this.customerReads.byId(ctx, checkCustomerId(id), info);
  }

  @Authorized(CAN.readCustomers)
  @Query(() => CustomerConnection)
  customers(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('tier', () => Tier, { nullable: true }) tier?: Tier,
    @Arg('search', () => String, { nullable: true, description: 'Part of the display name.' }) search?: string,
  ) {
    return this.customerReads.list(ctx, { first: pageSize(first, 20), after, tier, search }, info);
  }
}
