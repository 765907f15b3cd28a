import { Arg, Authorized, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { authorizeSubscription, CAN } from '../auth';
import type { RequestContext } from '../context';
import { checkCustomerId } from '../customers';
import { EventType, sharedRead } from '../events';
import { DomainError } from '../graphql';
import { Interaction } from './interaction.types';

const ACTIVITY = new Set<string>([EventType.INTERACTION_RECORDED, EventType.INTERACTION_RESPONDED]);

/** What the subscription follows: the customer asked for and the survivor that answers for it now. */
async function followed(ctx: RequestContext, customerId: string): Promise<Set<string>> {
  if (!ctx.live) throw new DomainError('BAD_USER_INPUT', 'subscriptions run over WebSocket (graphql-ws) on /graphql');
  await authorizeSubscription(ctx, CAN.readCustomers, 'Subscription.customerActivity');
  const customer = await ctx.loaders.customerById.load(checkCustomerId(customerId));
  if (!customer) throw new DomainError('NOT_FOUND', `customer ${customerId} does not exist`, { field: 'customerId' });
  return new Set([customerId, customer.id]);
}

@Resolver()
export class CustomerActivityResolver {
  @Authorized(CAN.readCustomers)
  @Subscription(() => Interaction, {
    description: 'Viewer and up. Each interaction of the customer (new ones, inbound and outbound, and ones answered) as it commits: a 360 screen stays current.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { customerId: string }, RequestContext>) => {
      const ids = await followed(context, args.customerId);
      return context.live!.stream(
        (e) => ACTIVITY.has(e.type) && e.customerId !== null && ids.has(e.customerId),
        (e, loaders) => sharedRead(e, 'interaction', () => loaders.interactionById.load(String(e.data.interactionId))),
      );
    },
  })
  customerActivity(@Root() interaction: Interaction, @Arg('customerId', () => ID) _customerId: string): Interaction {
    return interaction;
  }
}
