import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../../auth';
import type { RequestContext } from '../../context';
import { DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Interaction } from '../../interactions';
import { holds } from './agent.service';
import { Agent, AgentInput } from './agent.types';
import type { AgentService } from './agent.service';


/** Agents and the claim of queue items (the ACD side of the desk). */
@Resolver()
export class AgentResolver {
  constructor(private readonly agentService: AgentService) {}

  @Authorized(CAN.supervise)
  @Query(() => [Agent], { description: 'Supervisor and up: every agent, by id.' })
  agents() {
    return this.agentService.agents();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Agent, { description: 'Supervisor and up: creates or replaces an agent (the id is their token subject).' })
  setAgent(@Arg('input', () => AgentInput) input: AgentInput, @Ctx() ctx: RequestContext) {
    return this.agentService.setAgent(input, ctx.viewer);
  }

  @Authorized(CAN.workQueue)
  @Mutation(() => Interaction, {
    nullable: true,
    description: 'Agent and up: assigns to the agent (default: the caller; another agent: supervisors) the highest-priority open item '
      + 'of the care queue they may take (skill groups, lanes, tiers, channels) and nobody holds, within their capacity; null when none.',
  })
  claimNextInteraction(@Arg('agentId', () => ID, { nullable: true }) agentId: string | undefined, @Ctx() ctx: RequestContext) {
    return this.agentService.claimNext(this.agentService.actingAgent(agentId, ctx.viewer));
  }

  @Authorized(CAN.workQueue)
  @Mutation(() => Interaction, { description: 'Agent and up: gives an item the caller holds back to the queue (supervisors: anyone\'s).' })
  releaseInteraction(@Arg('interactionId', () => ID) interactionId: string, @Ctx() ctx: RequestContext) {
    return this.agentService.release(interactionId, ctx.viewer);
  }
}

@Resolver(() => Interaction)
export class InteractionAssignmentResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Agent, { nullable: true, description: 'The agent holding the item (claimed, not yet answered, not expired).' })
  assignedTo(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return holds(interaction) ? ctx.loaders.agentById.load(interaction.assignedToId!) : null;
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When the assignment returns to the queue if the item is not answered.' })
  assignedUntil(@Root() interaction: Interaction) {
    return holds(interaction) ? interaction.assignmentDueAt : null;
  }
}
