import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { InteractionCategory, Tier, DateTimeScalar, PersonalDataClass } from '../graphql';
import { Access, READ } from '../auth';

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class TierPoints {
  @Field(() => Tier) tier!: Tier;
  @Field(() => Float) points!: number;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class CategoryPoints {
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Field(() => Float) points!: number;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'The stored weights of the priority formula (see README, "Priority").' })
export class PriorityWeightsSettings {
  @Field(() => Float, { description: 'Points every open inbound item starts with.' }) base!: number;
  @Field(() => [TierPoints]) tierPoints!: TierPoints[];
  @Field(() => Float, { description: 'Points per influence point (1-10 scale).' }) influencePerPoint!: number;
  @Field(() => [CategoryPoints]) categoryPoints!: CategoryPoints[];
  @Field(() => Float, { description: 'Points at sentiment -1; positive sentiment takes points away.' }) negativeSentiment!: number;
  @Field(() => Float, { description: 'Points for a churn signal.' }) churn!: number;
  @Field({ description: 'Case-insensitive pattern that marks a churn signal.' }) churnPattern!: string;
  @Field(() => Int, { description: 'The SLA factor doubles every this many minutes.' }) slaDoublingMinutes!: number;
  @Field(() => Int, { description: 'Due time assumed for items without an SLA: occurredAt + this.' }) defaultSlaMinutes!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field() updatedBy!: string;
}

@InputType()
export class TierPointsInput {
  @Field(() => Tier) tier!: Tier;
  @Field(() => Float) points!: number;
}

@InputType()
export class CategoryPointsInput {
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Field(() => Float) points!: number;
}

@InputType({ description: 'Only the fields given change; the open queue is re-ranked in the same transaction.' })
export class PriorityWeightsInput {
  @Field(() => Float, { nullable: true }) base?: number | null;
  @Field(() => [TierPointsInput], { nullable: true }) tierPoints?: TierPointsInput[] | null;
  @Field(() => Float, { nullable: true }) influencePerPoint?: number | null;
  @Field(() => [CategoryPointsInput], { nullable: true }) categoryPoints?: CategoryPointsInput[] | null;
  @Field(() => Float, { nullable: true }) negativeSentiment?: number | null;
  @Field(() => Float, { nullable: true }) churn?: number | null;
  @Field(() => String, { nullable: true }) churnPattern?: string | null;
  @Field(() => Int, { nullable: true }) slaDoublingMinutes?: number | null;
  @Field(() => Int, { nullable: true }) defaultSlaMinutes?: number | null;
}
