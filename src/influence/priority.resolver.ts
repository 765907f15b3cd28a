import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { PriorityWeightsInput, PriorityWeightsSettings } from './priority.types';
import type { PrioritySettingsService } from './priority-settings.service';

@Resolver()
export class PriorityWeightsResolver {
  constructor(private readonly prioritySettingsService: PrioritySettingsService) {}

  @Authorized(CAN.workQueue)
  @Query(() => PriorityWeightsSettings, { description: 'The stored weights of the priority formula.' })
  priorityWeights() {
    return this.prioritySettingsService.settings();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => PriorityWeightsSettings, { description: 'Changes the weights and re-ranks the open queue.' })
  setPriorityWeights(@Arg('input', () => PriorityWeightsInput) input: PriorityWeightsInput, @Ctx() ctx: RequestContext) {
    return this.prioritySettingsService.update(input, ctx.viewer.sub);
  }
}
