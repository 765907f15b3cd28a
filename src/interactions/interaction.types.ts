import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Channel, Direction, EscalationTeam, InteractionCategory, InteractionStatus, SwimLane } from '../graphql/enums';
import { ConnectionType } from '../graphql/pagination';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType()
export class Interaction {
  @Field(() => ID) id!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Direction) direction!: Direction;
  @Field(() => DateTimeScalar) occurredAt!: Date;
  @Field() content!: string;
  @Field() isPublic!: boolean;
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Field(() => Float, { nullable: true, description: '-1 (negative) .. 1 (positive)' }) sentiment!: number | null;
  @Field(() => [String]) topics!: string[];
  @Field(() => SwimLane) lane!: SwimLane;
  @Field(() => String, { nullable: true }) skillGroup!: string | null;
  @Field(() => InteractionStatus) status!: InteractionStatus;
  @Field(() => DateTimeScalar, { nullable: true }) respondedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) slaDueAt!: Date | null;
  customerId!: string;
  conversationId!: string;
  socialIdentityId!: string | null;
  resolvedAt!: Date | null;
}

@ObjectType()
export class InteractionConnection extends ConnectionType(Interaction) {}

@ObjectType()
export class Conversation {
  @Field(() => ID) id!: string;
  @Field(() => [Channel], { description: 'Every channel the thread touched, first touch first.' }) channels!: Channel[];
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Field(() => DateTimeScalar) lastActivityAt!: Date;
  customerId!: string;
}

@ObjectType()
export class ConversationConnection extends ConnectionType(Conversation) {}

@ObjectType()
export class Escalation {
  @Field(() => ID) id!: string;
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field() reason!: string;
  @Field({ description: 'Raised by a stored rule rather than by a person.' }) automatic!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => String, { nullable: true }) resolution!: string | null;
  interactionId!: string;
  customerId!: string;
}
