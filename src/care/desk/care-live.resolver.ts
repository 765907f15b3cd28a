import { Arg, Authorized, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { authorizeSubscription, CAN, type Role } from '../../auth';
import type { RequestContext } from '../../context';
import { EventType, sharedRead } from '../../events';
import type { StoredEvent } from '../../events';
import { Channel, EscalationTeam, SwimLane, DomainError } from '../../graphql';
import { Escalation } from '../../interactions';
import { QueueEvent, QueueEventKind } from './care-live.types';

const QUEUE_EVENTS = new Set<string>([EventType.INTERACTION_RECORDED, EventType.INTERACTION_RESPONDED, EventType.ESCALATION_RAISED, EventType.ESCALATION_RESOLVED,
  EventType.REPLY_DELIVERY_FAILED]);
const ESCALATION_EVENTS = new Set<string>([EventType.ESCALATION_RAISED, EventType.ESCALATION_RESOLVED, EventType.ESCALATION_ACKNOWLEDGED]);

/** SLA_BREACHED reaches escalationChanged (kind ESCALATION) or queueChanged as an UPDATED item (kind INTERACTION). */
const breachOf = (e: StoredEvent, kind: 'ESCALATION' | 'INTERACTION') => e.type === EventType.SLA_BREACHED && e.data.kind === kind;

/** The roles a subscription needs, checked when it starts (FORBIDDEN then, for that subscription only). */
async function liveOf(ctx: RequestContext, roles: readonly Role[], coordinate: string) {
  if (!ctx.live) throw new DomainError('BAD_USER_INPUT', 'subscriptions run over WebSocket (graphql-ws) on /graphql');
  await authorizeSubscription(ctx, roles, coordinate);
  return ctx.live;
}

interface QueueArgs { lane?: SwimLane | null; skillGroup?: string | null; channel?: Channel | null }

@Resolver()
export class CareLiveResolver {
  @Authorized(CAN.workQueue)
  @Subscription(() => QueueEvent, {
    description: 'Agent and up. Care-queue changes (new complaints, answers, escalations) as they commit, filtered like careQueue.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, QueueArgs, RequestContext>) =>
      (await liveOf(context, CAN.workQueue, 'Subscription.queueChanged')).stream(
        (e) => ((QUEUE_EVENTS.has(e.type) && e.data.interactionId != null) || breachOf(e, 'INTERACTION'))
          && (e.type !== EventType.INTERACTION_RECORDED || (e.data.direction === 'INBOUND' && (!args.channel || e.data.channel === args.channel))),
        (e, loaders) => queueEventOf(loaders, e, args),
      ),
  })
  queueChanged(
    @Root() event: QueueEvent,
    @Arg('lane', () => SwimLane, { nullable: true }) _lane?: SwimLane,
    @Arg('skillGroup', () => String, { nullable: true }) _skillGroup?: string,
    @Arg('channel', () => Channel, { nullable: true }) _channel?: Channel,
  ): QueueEvent {
    return event;
  }

  @Authorized(CAN.workQueue)
  @Subscription(() => Escalation, {
    description: 'Agent and up. Escalations raised (by a person or a rule), acknowledged, breached and resolved, as they commit; optionally one team\'s.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { team?: EscalationTeam | null }, RequestContext>) =>
      (await liveOf(context, CAN.workQueue, 'Subscription.escalationChanged')).stream(
        (e) => (ESCALATION_EVENTS.has(e.type) || breachOf(e, 'ESCALATION')) && (!args.team || e.data.team === args.team),
        (e, loaders) => sharedRead(e, 'escalation', () => loaders.escalationById.load(String(e.data.escalationId))),
      ),
  })
  escalationChanged(@Root() escalation: Escalation, @Arg('team', () => EscalationTeam, { nullable: true }) _team?: EscalationTeam): Escalation {
    return escalation;
  }
}

async function queueEventOf(loaders: RequestContext['loaders'], e: StoredEvent, args: QueueArgs): Promise<QueueEvent | null> {
  const interactionId = String(e.data.interactionId);
  const interaction = await sharedRead(e, 'interaction', () => loaders.interactionById.load(interactionId));
  if (!interaction || interaction.direction !== 'INBOUND') return null;
  if ((args.lane && interaction.lane !== args.lane) || (args.channel && interaction.channel !== args.channel)) return null;
  if (args.skillGroup != null && interaction.skillGroup !== args.skillGroup) return null;
  const item = await sharedRead(e, 'queue-item', () => loaders.queueItemById.load(interactionId));
  // A reply that was not delivered puts its post back: new in the queue again.
  const added = e.type === EventType.INTERACTION_RECORDED || e.type === EventType.REPLY_DELIVERY_FAILED;
  if (item) return { kind: added ? QueueEventKind.ADDED : QueueEventKind.UPDATED, interactionId, item, at: e.occurredAt };
  // Recorded but never queued (kept out by a filter rule, or escalated at once): nothing changed in the queue.
  if (e.type === EventType.INTERACTION_RECORDED || !interaction.actionable) return null;
  return { kind: QueueEventKind.REMOVED, interactionId, item: null, at: e.occurredAt };
}
