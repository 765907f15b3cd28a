import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Channel, Direction, EscalationStatus, EscalationTeam, InteractionCategory, InteractionStatus, SwimLane } from '../graphql';
import { ConnectionType } from '../graphql';
import { DateTimeScalar } from '../graphql';
import { Access, READ } from '../auth';
import { PersonalDataClass } from '../graphql';

import { Node } from '../customers';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
@ObjectType({ simpleResolvers: true, implements: Node })
export class Interaction {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID) id!: string;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => Channel) channel!: Channel;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => Direction) direction!: Direction;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar) occurredAt!: Date;
  @Field() content!: string;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field() isPublic!: boolean;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @Field(() => Float, { nullable: true, description: '-1 (negative) .. 1 (positive)' }) sentiment!: number | null;
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @Field(() => [String]) topics!: string[];
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => SwimLane) lane!: SwimLane;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => String, { nullable: true }) skillGroup!: string | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => InteractionStatus) status!: InteractionStatus;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, { nullable: true }) respondedAt!: Date | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, { nullable: true }) slaDueAt!: Date | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field({ description: 'False for inbound posts kept out of the care queue: a filter rule (no question, complaint or need), or a post to an unmonitored brand channel.' })
  actionable!: boolean;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => Boolean, { nullable: true, description: 'Outbound replies: whether it was posted in public in the channel the conversation started in.' })
  closedLoop!: boolean | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => String, { nullable: true, description: 'The platform\'s id of the post.' }) externalId!: string | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Waiting on the customer (snoozeInteraction): out of the queue until then or the customer\'s next post; null when not snoozed.',
  })
  snoozedUntil?: Date | null;
  inReplyToId!: string | null;
  customerId!: string;
  conversationId!: string;
  socialIdentityId!: string | null;
  resolvedAt!: Date | null;
  /** The brand channel the post reached (care exposes it as Interaction.brandChannel). */
  brandChannelId!: string | null;
  /** Private data found in a public inbound post, masked (care exposes it as Interaction.pii). */
  pii!: { kind: string; masked: string }[];
  /** Replies: the response template (and its version) the reply came from. */
  templateId!: string | null;
  templateVersion!: number | null;
  /** The agent holding the item (care's claimNextInteraction), counting while assignmentDueAt is ahead; absent on rows built in memory. */
  assignedToId?: string | null;
  assignmentDueAt?: Date | null;
  /** Inbound: the do-not-engage rule that kept the post out of the queue (care exposes it as Interaction.doNotEngageRule). */
  doNotEngageRuleId?: string | null;
  /** Outbound replies: the delivery a connector confirms (care exposes it as Interaction.delivery); null on inbound items. */
  deliveryStatus?: 'PENDING' | 'SENT' | 'FAILED' | null;
  deliveryError?: string | null;
  deliveryUpdatedAt?: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class InteractionConnection extends ConnectionType(Interaction) {}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, implements: Node })
export class Conversation {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID) id!: string;
  @Field(() => [Channel], { description: 'Every channel the thread touched, first touch first.' }) channels!: Channel[];
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Field(() => DateTimeScalar) lastActivityAt!: Date;
  @Field(() => Channel, { description: 'Where the conversation started.' }) originChannel!: Channel;
  @Field(() => Channel, { description: 'Where it continues now (moved by takeOffline or a reply elsewhere).' }) currentChannel!: Channel;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When a public reply closed the loop in the original channel.' })
  loopClosedAt!: Date | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => [String], { description: 'Set by setConversationLabels: trimmed, lower-case, sorted; a filter of careQueue.' }) labels!: string[];
  customerId!: string;
}

@ObjectType({ simpleResolvers: true })
export class ConversationConnection extends ConnectionType(Conversation) {}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, implements: Node })
export class Escalation {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID) id!: string;
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field() reason!: string;
  @Field({ description: 'Raised by a stored rule rather than by a person.' }) automatic!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt!: Date | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => String, { nullable: true }) resolution!: string | null;
  @Field(() => EscalationStatus) status!: EscalationStatus;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => String, { nullable: true, description: 'The token subject of the agent who acknowledged it (took ownership).' }) owner!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) acknowledgedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Raised time plus the team\'s response target, counted in the target\'s business hours.' })
  dueAt!: Date | null;
  @Field({ description: 'The due time passed before anyone acknowledged or resolved it.' }) breached!: boolean;
  interactionId!: string;
  customerId!: string;
}
