import { Field, ID, ObjectType } from 'type-graphql';
import { Channel, InteractionStatus } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'One change in an interaction\'s life: escalations, answers, resolutions, hand-offs.' })
export class InteractionEvent {
  @Field({ description: 'ESCALATED, ESCALATION_RESOLVED, RESPONDED, RESOLVED or TAKEN_OFFLINE' }) event!: string;
  @Field(() => InteractionStatus, { nullable: true }) fromStatus!: InteractionStatus | null;
  @Field(() => InteractionStatus, { nullable: true }) toStatus!: InteractionStatus | null;
  @Field() detail!: string;
  @Field(() => ID, { nullable: true }) escalationId!: string | null;
  @Field({ description: 'Token subject of the person, or rule:<name> for automatic changes.' }) actor!: string;
  @Field(() => DateTimeScalar) at!: Date;
  interactionId!: string;
}

@ObjectType({ description: 'A conversation moved to another channel ("take it offline"), with the context that went along.' })
export class ConversationHandoff {
  @Field(() => ID) id!: string;
  @Field(() => Channel) fromChannel!: Channel;
  @Field(() => Channel) toChannel!: Channel;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() context!: string;
  @Field(() => [ID]) carriedInteractionIds!: string[];
  @Field() handedOffBy!: string;
  @Field(() => DateTimeScalar) handedOffAt!: Date;
  conversationId!: string;
}
