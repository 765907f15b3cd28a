import { Field, ID, InputType, Int } from 'type-graphql';
import { Channel, EscalationTeam, DateTimeScalar } from '../../graphql';
import { HandoffReason } from '../escalations';

@InputType()
export class RespondInput {
  @Field(() => ID, { description: 'The inbound interaction answered.' }) interactionId!: string;
  @Field() content!: string;
  @Field(() => Channel, { nullable: true, description: 'Default: the conversation\'s current channel.' }) channel?: Channel | null;
  @Field(() => Boolean, { nullable: true, description: 'Default: public when answering in the public channel the post came from.' })
  isPublic?: boolean | null;
  @Field({ defaultValue: false, description: 'Also resolve the interaction (stops its SLA clock for good).' }) resolve!: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Default: now.' }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The response template the reply came from (see responseSuggestions): recorded with the reply.' })
  templateId?: string | null;
  @Field(() => Int, { nullable: true, description: 'With templateId: the version used; default: the template\'s current version.' })
  templateVersion?: number | null;
}

@InputType()
export class EscalateInput {
  @Field(() => ID) interactionId!: string;
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field() reason!: string;
}

@InputType()
export class ResolveEscalationInput {
  @Field(() => ID) escalationId!: string;
  @Field() resolution!: string;
  @Field({ defaultValue: true, description: 'Resolve the interaction too (when no other escalation of it is open).' })
  resolveInteraction!: boolean;
}

@InputType()
export class TakeOfflineInput {
  @Field(() => ID) conversationId!: string;
  @Field(() => Channel, { description: 'Where the conversation continues, e.g. PHONE.' }) toChannel!: Channel;
  @Field({ description: 'What the next agent needs to know (order, vehicle, what was promised).' }) context!: string;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Interactions carried with the hand-off; default: the whole thread.' })
  carryInteractionIds?: string[] | null;
  @Field(() => HandoffReason, { nullable: true, description: 'Why it moves off its channel (counted by serviceMetrics.handoffsByReason); reason stays the free text.' })
  handoffReason?: HandoffReason | null;
}
