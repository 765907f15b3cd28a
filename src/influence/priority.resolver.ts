import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { PriorityWeightsInput, PriorityWeightsSettings } from './priority.types';

@Resolver()
export class PriorityWeightsResolver {
  @Authorized(CAN.workQueue)
  @Query(() => PriorityWeightsSettings, { description: 'The stored weights of the priority formula.' })
  priorityWeights(@Ctx() ctx: RequestContext) {
    return ctx.services.prioritySettings.settings();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => PriorityWeightsSettings, { description: 'Changes the weights and re-ranks the open queue.' })
  setPriorityWeights(@Arg('input', () => PriorityWeightsInput) input: PriorityWeightsInput, @Ctx() ctx: RequestContext) {
    return ctx.services.prioritySettings.update(input, ctx.viewer.sub);
  }
}
