import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { isMarketingOnly } from '../auth/marketing-guard';
import { Customer } from '../customers/customer.types';
import type { RequestContext } from '../context';
import { InfluenceScore, Priority, usableForProfiling } from './influence.types';
import { customerPriority } from './priority';
import { Access, READ } from '../auth/access';
import { PersonalDataClass, ConsentPurpose } from '../graphql/enums';

@Resolver(() => Customer)
export class CustomerInfluenceResolver {
  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => InfluenceScore, {
    nullable: true,
    description: 'Latest overall score; null if never scored. Marketing sees it only while the customer holds PROFILING and the score was measured with it.',
  })
  async influence(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await visibleScores(customer, ctx);
    return scores.find((s) => s.topic === null && s.platform === null) ?? null;
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => [InfluenceScore], { description: 'Latest score per topic (for marketing: as `influence`).' })
  async influenceByTopic(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await visibleScores(customer, ctx);
    return scores.filter((s) => s.topic !== null);
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => Priority, { description: 'Standing priority from tier and influence, with the reasons.' })
  async priority(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    // Scores ingested without PROFILING consent, or of a customer who no longer holds it, are kept but never rank anyone.
    const overall = scores.find((s) => s.topic === null && s.platform === null && usableForProfiling(s));
    return customerPriority(customer.tier, overall?.score ?? null, await ctx.services.prioritySettings.weights());
  }
}

/** The customer's latest scores as this viewer may see them: a marketing-only viewer reads under PROFILING consent. */
async function visibleScores(customer: Customer, ctx: RequestContext): Promise<InfluenceScore[]> {
  const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
  return isMarketingOnly(ctx) ? scores.filter(usableForProfiling) : scores;
}
