import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, ID, Info, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../../auth';
import { Channel, SwimLane, pageSize } from '../../graphql';
import type { RequestContext } from '../../context';
import { QueueItemConnection } from './care-queue.types';
import type { CareQueueService } from './care-queue.service';
import type { CustomerReads } from '../../customers';

@Resolver()
export class CareQueueResolver {
  constructor(private readonly careQueueService: CareQueueService, private readonly customerReads: CustomerReads) {}

  @Authorized(CAN.workQueue)
  @Query(() => QueueItemConnection, { description: 'What to answer next: open inbound interactions, highest priority first.' })
  async careQueue(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('lane', () => SwimLane, { nullable: true }) lane?: SwimLane,
    @Arg('skillGroup', () => String, { nullable: true }) skillGroup?: string,
    @Arg('channel', () => Channel, { nullable: true }) channel?: Channel,
    @Arg('unassigned', () => Boolean, { nullable: true, description: 'Only items no agent holds (claimNextInteraction).' }) unassigned?: boolean,
    @Arg('assignedTo', () => ID, { nullable: true, description: 'Only the items this agent (a token subject) holds.' }) assignedTo?: string,
    @Arg('labels', () => [String], { nullable: true, description: 'Only items whose conversation carries every one of these labels (setConversationLabels).' })
    labels?: string[],
  ) {
    const page = await this.careQueueService.queue({ first: pageSize(first, 50), after, lane, skillGroup, channel, unassigned, assignedTo, labels });
    for (const edge of page.edges) ctx.loaders.interactionById.prime(edge.node.interaction.id, edge.node.interaction);
    // The items' customers and what is selected of them: one more statement for the whole page.
    await this.customerReads.prime(ctx, page.edges.map((e) => e.node.interaction.customerId), info, ['edges', 'node', 'interaction', 'customer']);
    return page;
  }
}
