import { Arg, Ctx, FieldResolver, Float, Int, Resolver, Root, Info } from 'type-graphql';
import { Customer } from '../customers';
import type { GraphQLResolveInfo } from 'graphql';
import { fieldReadUnderConsent, Access, READ } from '../auth';
import type { RequestContext } from '../context';
import { FollowerCountPoint, InfluenceScore, Priority, usableForProfiling } from './influence.types';
import { customerPriority } from './priority';
import { PersonalDataClass, ConsentPurpose, Platform, pageSize } from '../graphql';
import type { PrioritySettingsService } from './priority-settings.service';

@Resolver(() => Customer)
export class CustomerInfluenceResolver {
  constructor(private readonly prioritySettingsService: PrioritySettingsService) {}

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => InfluenceScore, {
    nullable: true,
    description: 'Latest overall score; null if never scored. Marketing sees it only while the customer holds PROFILING and the score was measured with it.',
  })
  async influence(@Root() customer: Customer, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const scores = await visibleScores(customer, ctx, info);
    return scores.find((s) => s.topic === null && s.platform === null) ?? null;
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => [InfluenceScore], { description: 'Latest score per topic (for marketing: as `influence`).' })
  async influenceByTopic(@Root() customer: Customer, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const scores = await visibleScores(customer, ctx, info);
    return scores.filter((s) => s.topic !== null);
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => Priority, { description: 'Standing priority from tier and influence, with the reasons.' })
  async priority(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    // Scores ingested without PROFILING consent, or of a customer who no longer holds it, are kept but never rank anyone.
    const overall = scores.find((s) => s.topic === null && s.platform === null && usableForProfiling(s));
    return customerPriority(customer.tier, overall?.score ?? null, await this.prioritySettingsService.weights());
  }

  @Access({ roles: READ.readers, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => [FollowerCountPoint], { description: 'Follower counts over time, newest first: a point whenever a count changed (all platforms unless one is named).' })
  followerHistory(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('platform', () => Platform, { nullable: true }) platform: Platform | null,
    @Arg('first', () => Int, { defaultValue: 30, description: '0 .. 100' }) first: number,
  ) {
    return ctx.loaders.followerHistoryByKey.load({ customerId: customer.id, platform: platform ?? null, first: pageSize(first, 30) });
  }

  @Access({ roles: READ.readers, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => Float, {
    nullable: true,
    description: 'Growth of the followers of all identities over the last 30 days, as a share: (now - then) / then; null without a count 30 or more days old (docs/influence-and-priority.md).',
  })
  networkTrend(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.networkTrendByCustomerId.load(customer.id);
  }
}

/**
 * The customer's latest scores as this viewer may see them. Under consent (the field guard has
 * already withheld the field from a customer without PROFILING) only the scores measured with it.
 */
async function visibleScores(customer: Customer, ctx: RequestContext, info: GraphQLResolveInfo): Promise<InfluenceScore[]> {
  const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
  return fieldReadUnderConsent(info, ctx.viewer.roles) ? scores.filter(usableForProfiling) : scores;
}
