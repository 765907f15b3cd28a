import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../../auth';
import type { RequestContext } from '../../context';
import { ConversationHandoff, InteractionEvent } from './care.types';
import { isSlaBreached } from '../rules';
import { EscalateInput, ResolveEscalationInput, RespondInput, TakeOfflineInput } from './care.inputs';
import { Conversation, Escalation, Interaction } from '../../interactions';
import { PersonalDataClass } from '../../graphql';
import type { CareDeskService } from './care-desk.service';

/** Care-desk writes: answers, escalations and hand-offs (recording interactions is intake's). */
@Resolver()
export class CareDeskResolver {
  constructor(private readonly careDeskService: CareDeskService) {}

  @Authorized(CAN.workCare)
  @Mutation(() => Interaction, { description: 'Records the outbound reply and stops the SLA clock of the interaction answered, which is returned.' })
  respondToInteraction(@Arg('input', () => RespondInput) input: RespondInput, @Ctx() ctx: RequestContext) {
    return this.careDeskService.respond(input, ctx.viewer.sub);
  }

  @Authorized(CAN.workCare)
  @Mutation(() => Escalation)
  escalateInteraction(@Arg('input', () => EscalateInput) input: EscalateInput, @Ctx() ctx: RequestContext) {
    return this.careDeskService.escalate(input, ctx.viewer.sub, ctx.requestId);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Escalation)
  resolveEscalation(@Arg('input', () => ResolveEscalationInput) input: ResolveEscalationInput, @Ctx() ctx: RequestContext) {
    return this.careDeskService.resolveEscalation(input, ctx.viewer.sub);
  }

  @Authorized(CAN.workCare)
  @Mutation(() => Conversation, { description: 'Moves a conversation to another channel (e.g. Twitter to phone), keeping the thread.' })
  takeOffline(@Arg('input', () => TakeOfflineInput) input: TakeOfflineInput, @Ctx() ctx: RequestContext) {
    return this.careDeskService.takeOffline(input, ctx.viewer.sub);
  }
}

@Resolver(() => Interaction)
export class InteractionCareResolver {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => Boolean, { description: 'Due, not responded to and not resolved.' })
  slaBreached(@Root() interaction: Interaction) {
    return isSlaBreached(interaction);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => [InteractionEvent], { description: 'Escalations, answers, resolutions and hand-offs, oldest first.' })
  history(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.historyByInteractionId.load(interaction.id);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => [Interaction], { description: 'Replies to this interaction (e.g. the agent\'s answers), oldest first.' })
  replies(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.repliesByInteractionId.load(interaction.id);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Interaction, { nullable: true, description: 'The interaction this one answers.' })
  inReplyTo(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return interaction.inReplyToId ? ctx.loaders.interactionById.load(interaction.inReplyToId) : null;
  }
}

@Resolver(() => Conversation)
export class ConversationCareResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => [ConversationHandoff], { description: 'Every move to another channel, oldest first.' })
  handoffs(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    return ctx.loaders.handoffsByConversationId.load(conversation.id);
  }
}

@Resolver(() => Escalation)
export class EscalationCareResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Conversation, { description: 'The conversation the escalation carries.' })
  async conversation(@Root() escalation: Escalation, @Ctx() ctx: RequestContext) {
    const interaction = await ctx.loaders.interactionById.load(escalation.interactionId);
    return ctx.loaders.conversationById.load(interaction!.conversationId);
  }
}
