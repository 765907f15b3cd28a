import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers/customer.types';
import type { RequestContext } from '../context';
import { InfluenceScore, Priority } from './influence.types';
import { customerPriority } from './priority';

@Resolver(() => Customer)
export class CustomerInfluenceResolver {
  @FieldResolver(() => InfluenceScore, { nullable: true, description: 'Latest overall score; null if never scored.' })
  async influence(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    return scores.find((s) => s.topic === null && s.platform === null) ?? null;
  }

  @FieldResolver(() => [InfluenceScore], { description: 'Latest score per topic.' })
  async influenceByTopic(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    return scores.filter((s) => s.topic !== null);
  }

  @FieldResolver(() => Priority, { description: 'Standing priority from tier and influence, with the reasons.' })
  async priority(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    const scores = await ctx.loaders.latestInfluenceByCustomerId.load(customer.id);
    // Scores ingested without PROFILING consent are kept but never used to rank anyone.
    const overall = scores.find((s) => s.topic === null && s.platform === null && !s.flagged);
    return customerPriority(customer.tier, overall?.score ?? null, await ctx.services.prioritySettings.weights());
  }
}
