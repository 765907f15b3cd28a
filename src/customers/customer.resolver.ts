import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { CAN } from '../auth/roles';
import { Platform, Tier } from '../graphql/enums';
import { pageSize } from '../graphql/pagination';
import type { RequestContext } from '../http/context';
import { ContactPoint, SocialIdentity } from '../identities/identity.types';
import { Priority } from '../influence/influence.types';
import { customerPriority } from '../influence/priority';
import { CustomerService } from './customer.service';
import { Customer, CustomerConnection } from './customer.types';

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized(CAN.readCustomers)
  @Query(() => Customer, { nullable: true, description: 'A merged customer\'s old id answers with the survivor.' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(CustomerService.checkId(id));
  }

  @Authorized(CAN.readCustomers)
  @Query(() => Customer, { nullable: true, description: 'Find the customer who owns an email, a phone, or a platform handle, in any raw form.' })
  async lookupCustomer(
    @Ctx() ctx: RequestContext,
    @Arg('email', () => String, { nullable: true }) email?: string,
    @Arg('phone', () => String, { nullable: true }) phone?: string,
    @Arg('platform', () => Platform, { nullable: true }) platform?: Platform,
    @Arg('handle', () => String, { nullable: true, description: 'A handle with or without @, or a profile URL.' }) handle?: string,
    @Arg('region', () => String, { nullable: true, description: 'Region for national phone formats (default from DEFAULT_PHONE_REGION).' })
    region?: string,
  ) {
    const id = await ctx.services.customers.lookup({ email, phone, platform, handle, region });
    return id ? ctx.loaders.customerById.load(id) : null;
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

  @Authorized(CAN.readCustomers)
  @FieldResolver(() => [ContactPoint])
  async emails(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.contactPointsByCustomerId.load(customer.id)).filter((p) => p.kind === 'EMAIL');
  }

  @Authorized(CAN.readCustomers)
  @FieldResolver(() => [ContactPoint], { description: 'E.164' })
  async phones(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.contactPointsByCustomerId.load(customer.id)).filter((p) => p.kind === 'PHONE');
  }

  @Authorized(CAN.readCustomers)
  @FieldResolver(() => [SocialIdentity])
  socialIdentities(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.socialIdentitiesByCustomerId.load(customer.id);
  }

  @FieldResolver(() => Priority, { description: 'Standing priority from tier and influence, with the reasons.' })
  async priority(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    // Scores ingested without PROFILING consent are kept but never used to rank anyone.
    const overall = scores.find((s) => s.topic === null && s.platform === null && !s.flagged);
    return customerPriority(customer.tier, overall?.score ?? null, await ctx.services.prioritySettings.weights());
  }
}
