import { Field, ID, ObjectType } from 'type-graphql';
import { Channel, InteractionStatus, DateTimeScalar, PersonalDataClass } from '../../graphql';
import { HandoffReason } from '../escalations';
import { Access, READ } from '../../auth';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'One change in an interaction\'s life: escalations, answers, resolutions, hand-offs.' })
export class InteractionEvent {
  @Field({ description: 'ESCALATED, ESCALATION_RESOLVED, RESPONDED, RESOLVED or TAKEN_OFFLINE' }) event!: string;
  @Field(() => InteractionStatus, { nullable: true }) fromStatus!: InteractionStatus | null;
  @Field(() => InteractionStatus, { nullable: true }) toStatus!: InteractionStatus | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field() detail!: string;
  @Field(() => ID, { nullable: true }) escalationId!: string | null;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field({ description: 'Token subject of the person, or rule:<name> for automatic changes.' }) actor!: string;
  @Field(() => DateTimeScalar) at!: Date;
  interactionId!: string;
}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'A conversation moved to another channel ("take it offline"), with the context that went along.' })
export class ConversationHandoff {
  @Field(() => ID) id!: string;
  @Field(() => Channel) fromChannel!: Channel;
  @Field(() => Channel) toChannel!: Channel;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field() context!: string;
  @Field(() => [ID]) carriedInteractionIds!: string[];
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field() handedOffBy!: string;
  @Field(() => DateTimeScalar) handedOffAt!: Date;
  @Field(() => HandoffReason, { nullable: true, description: 'Why it moved (takeOffline\'s handoffReason); null when none was given.' })
  handoffReason!: HandoffReason | null;
  conversationId!: string;
}
