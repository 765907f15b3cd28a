import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Access, READ, CAN } from '../../auth';
import type { RequestContext } from '../../context';
import { PersonalDataClass, DateTimeScalar } from '../../graphql';
import { Conversation, Interaction } from '../../interactions';
import { InteractionNote } from './interaction-note.types';
import type { SnoozeService } from './snooze.service';
import type { InteractionNoteService } from './interaction-note.service';
import type { ConversationLabelService } from './conversation-label.service';

/** Waiting on the customer: snooze, private notes, labels (docs/care.md, "Waiting on the customer"). */
@Resolver()
export class CareWaitingResolver {
  constructor(private readonly snoozeService: SnoozeService, private readonly interactionNoteService: InteractionNoteService, private readonly conversationLabelService: ConversationLabelService) {}

  @Authorized(CAN.workCare)
  @Mutation(() => Interaction, {
    description: 'Out of the queue and of claimNextInteraction until `until` (at most 30 days ahead) or the customer\'s next post in the conversation, '
      + 'whichever comes first; the SLA due time moves by the pause. Resolved: CONFLICT; held by another agent: CONFLICT.',
  })
  snoozeInteraction(
    @Arg('interactionId', () => ID) interactionId: string,
    @Arg('until', () => DateTimeScalar) until: Date,
    @Ctx() ctx: RequestContext,
  ) {
    return this.snoozeService.snooze(interactionId, until, ctx.viewer.sub);
  }

  @Authorized(CAN.workCare)
  @Mutation(() => InteractionNote, {
    description: 'A private note (1-4,000 characters; agents only). Each @agentId of a care agent is a mention (NOTE_MENTION); other @words are not. '
      + 'Idempotent on idempotencyKey: a retry returns the first note; the key reused for another note is CONFLICT.',
  })
  addNote(
    @Arg('interactionId', () => ID) interactionId: string,
    @Arg('text', () => String) text: string,
    @Ctx() ctx: RequestContext,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ) {
    return this.interactionNoteService.add({ interactionId, text, idempotencyKey }, ctx.viewer.sub);
  }

  @Authorized(CAN.workCare)
  @Mutation(() => Conversation, {
    description: 'Replaces the conversation\'s labels: trimmed, lower-case, without repeats; at most 20 of 1-50 characters. A filter of careQueue.',
  })
  setConversationLabels(
    @Arg('conversationId', () => ID) conversationId: string,
    @Arg('labels', () => [String]) labels: string[],
  ) {
    return this.conversationLabelService.set(conversationId, labels);
  }
}

@Resolver(() => Interaction)
export class InteractionNotesResolver {
  @Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => [InteractionNote], { description: 'Private notes of agents (addNote), oldest first: agents only.' })
  notes(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.notesByInteractionId.load(interaction.id);
  }
}
