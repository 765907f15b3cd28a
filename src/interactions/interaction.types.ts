import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Channel, Direction, EscalationStatus, EscalationTeam, InteractionCategory, InteractionStatus, SwimLane, ConnectionType, DateTimeScalar, PersonalDataClass, Stored } from '../graphql';
import { Access, READ } from '../auth';

import { Node } from '../customers';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
@ObjectType({ simpleResolvers: true, implements: Node })
export class Interaction {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID) id!: string;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('channel', 'quoted')
  @Field(() => Channel) channel!: Channel;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('direction', 'quoted')
  @Field(() => Direction) direction!: Direction;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('occurred_at', 'date')
  @Field(() => DateTimeScalar) occurredAt!: Date;
  @Stored('content', 'text')
  @Field() content!: string;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('is_public', 'plain')
  @Field() isPublic!: boolean;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('category', 'quoted')
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @Stored((i) => `${i}.sentiment::numeric::float8`, 'plain')
  @Field(() => Float, { nullable: true, description: '-1 (negative) .. 1 (positive)' }) sentiment!: number | null;
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @Stored('topics', 'text')
  @Field(() => [String]) topics!: string[];
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('lane', 'quoted')
  @Field(() => SwimLane) lane!: SwimLane;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('skill_group', 'text')
  @Field(() => String, { nullable: true }) skillGroup!: string | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('status', 'quoted')
  @Field(() => InteractionStatus) status!: InteractionStatus;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('responded_at', 'date')
  @Field(() => DateTimeScalar, { nullable: true }) respondedAt!: Date | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('sla_due_at', 'date')
  @Field(() => DateTimeScalar, { nullable: true }) slaDueAt!: Date | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('actionable', 'plain')
  @Field({ description: 'False for inbound posts kept out of the care queue: a filter rule (no question, complaint or need), or a post to an unmonitored brand channel.' })
  actionable!: boolean;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('closed_loop', 'plain')
  @Field(() => Boolean, { nullable: true, description: 'Outbound replies: whether it was posted in public in the channel the conversation started in.' })
  closedLoop!: boolean | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('external_id', 'text')
  @Field(() => String, { nullable: true, description: 'The platform\'s id of the post.' }) externalId!: string | null;
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Waiting on the customer (snoozeInteraction): out of the queue until then or the customer\'s next post; null when not snoozed.',
  })
  @Stored((i) => `CASE WHEN ${i}.snoozed_until > now() THEN ${i}.snoozed_until END`, 'date') snoozedUntil?: Date | null;
  @Stored('in_reply_to_id') inReplyToId!: string | null;
  @Stored('customer_id') customerId!: string;
  @Stored('conversation_id') conversationId!: string;
  @Stored('social_identity_id') socialIdentityId!: string | null;
  @Stored('resolved_at', 'date') resolvedAt!: Date | null;
  /** The brand channel the post reached (care exposes it as Interaction.brandChannel). */
  @Stored('brand_channel_id') brandChannelId!: string | null;
  /** Private data found in a public inbound post, masked (care exposes it as Interaction.pii). */
  @Stored('pii') pii!: { kind: string; masked: string }[];
  /** Replies: the response template (and its version) the reply came from. */
  @Stored('template_id') templateId!: string | null;
  @Stored('template_version') templateVersion!: number | null;
  /** The agent holding the item (care's claimNextInteraction), counting while assignmentDueAt is ahead; absent on rows built in memory. */
  @Stored('assigned_to') assignedToId?: string | null;
  @Stored('assignment_due_at', 'date') assignmentDueAt?: Date | null;
  /** Inbound: the do-not-engage rule that kept the post out of the queue (care exposes it as Interaction.doNotEngageRule). */
  @Stored('do_not_engage_rule_id') doNotEngageRuleId?: string | null;
  /** Outbound replies: the delivery a connector confirms (care exposes it as Interaction.delivery); null on inbound items. */
  @Stored('delivery_status') deliveryStatus?: 'PENDING' | 'SENT' | 'FAILED' | null;
  @Stored('delivery_error') deliveryError?: string | null;
  @Stored('delivery_updated_at', 'date') deliveryUpdatedAt?: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class InteractionConnection extends ConnectionType(Interaction) {}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, implements: Node })
export class Conversation {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID) id!: string;
  @Stored('channels', 'text')
  @Field(() => [Channel], { description: 'Every channel the thread touched, first touch first.' }) channels!: Channel[];
  @Stored('started_at', 'date')
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Stored('last_activity_at', 'date')
  @Field(() => DateTimeScalar) lastActivityAt!: Date;
  @Stored('origin_channel', 'quoted')
  @Field(() => Channel, { description: 'Where the conversation started.' }) originChannel!: Channel;
  @Stored('current_channel', 'quoted')
  @Field(() => Channel, { description: 'Where it continues now (moved by takeOffline or a reply elsewhere).' }) currentChannel!: Channel;
  @Stored('loop_closed_at', 'date')
  @Field(() => DateTimeScalar, { nullable: true, description: 'When a public reply closed the loop in the original channel.' })
  loopClosedAt!: Date | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Stored('labels', 'text')
  @Field(() => [String], { description: 'Set by setConversationLabels: trimmed, lower-case, sorted; a filter of careQueue.' }) labels!: string[];
  @Stored('customer_id') customerId!: string;
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
