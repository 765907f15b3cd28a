import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers/customer.types';
import type { RequestContext } from '../context';
import { InfluenceScore, Priority } from './influence.types';
import { customerPriority } from './priority';
import { Access, READ } from '../auth/access';
import { PersonalDataClass, ConsentPurpose } from '../graphql/enums';

@Resolver(() => Customer)
export class CustomerInfluenceResolver {
  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => InfluenceScore, { nullable: true, description: 'Latest overall score; null if never scored.' })
  async influence(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    return scores.find((s) => s.topic === null && s.platform === null) ?? null;
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => [InfluenceScore], { description: 'Latest score per topic.' })
  async influenceByTopic(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    return scores.filter((s) => s.topic !== null);
  }

  @Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => Priority, { description: 'Standing priority from tier and influence, with the reasons.' })
  async priority(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    // Scores ingested without PROFILING consent are kept but never used to rank anyone.
    const overall = scores.find((s) => s.topic === null && s.platform === null && !s.flagged);
    return customerPriority(customer.tier, overall?.score ?? null, await ctx.services.prioritySettings.weights());
  }
}
