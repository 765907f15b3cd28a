import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../auth';
import { Customer } from '../customers';
import { Platform, decodeCursor, encodeCursor, pageSize, toConnection, JSONScalar, PersonalDataClass } from '../graphql';
import type { RequestContext } from '../context';
import { Merge, TouchpointEventConnection } from './identity-history.types';
import { ContactPoint, SocialIdentity } from './identity.types';
import type { CustomerLookupService } from './customer-lookup.service';
import type { CustomerReads } from '../customers';

/** A customer by the identifiers they own, their contact points and identities, the identity audit and profile attributes. */
@Resolver(() => Customer)
export class CustomerIdentityResolver {
  constructor(private readonly customerLookupService: CustomerLookupService, private readonly customerReads: CustomerReads) {}

  @Authorized(CAN.readCustomers)
  @Query(() => Customer, { nullable: true, description: 'Find the customer who owns an email, a phone, or a platform handle, in any raw form.' })
  lookupCustomer(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('email', () => String, { nullable: true }) email?: string,
    @Arg('phone', () => String, { nullable: true }) phone?: string,
    @Arg('platform', () => Platform, { nullable: true }) platform?: Platform,
    @Arg('handle', () => String, { nullable: true, description: 'A handle with or without @, or a profile URL.' }) handle?: string,
    @Arg('region', () => String, { nullable: true, description: 'Region for national phone formats (default from DEFAULT_PHONE_REGION).' })
    region?: string,
  ) {
    const args = { email, phone, platform, handle, region };
    const owner = this.customerLookupService.ownerQuery(args);
    return this.customerReads.byOwner(ctx, owner, () => this.customerLookupService.lookup(args), info);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.CONTACT })
  @FieldResolver(() => [ContactPoint])
  async emails(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.contactPointsByCustomerId.load(customer.id)).filter((p) => p.kind === 'EMAIL');
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.CONTACT })
  @FieldResolver(() => [ContactPoint], { description: 'E.164' })
  async phones(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.contactPointsByCustomerId.load(customer.id)).filter((p) => p.kind === 'PHONE');
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
  @FieldResolver(() => [SocialIdentity])
  socialIdentities(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.socialIdentitiesByCustomerId.load(customer.id);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
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

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => [Merge], { description: 'Merges into or of this customer, undone ones included, newest first.' })
  merges(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.mergesByCustomerId.load(customer.id);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => JSONScalar, { description: 'Loyalty and value fields given at touchpoints (e.g. lifetimeValue).' })
  attributes(@Root() customer: Customer & { attributes?: Record<string, unknown> }) {
    return customer.attributes ?? {};
  }
}
