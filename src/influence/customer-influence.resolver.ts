import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers/customer.types';
import type { RequestContext } from '../http/context';
import { InfluenceScore } from './influence.types';

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
}
