import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Platform, Tier } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ simpleResolvers: true })
export class InfluenceScore {
  @Field(() => Float, { description: '1 .. 10' }) score!: number;
  @Field(() => String, { nullable: true, description: 'null: overall' }) topic!: string | null;
  @Field(() => Platform, { nullable: true, description: 'null: across platforms' }) platform!: Platform | null;
  @Field({ description: 'Who computed it.' }) source!: string;
  @Field(() => DateTimeScalar) measuredAt!: Date;
  @Field(() => Float, { nullable: true, description: 'Change against the previous score of the same topic/platform.' })
  trend!: number | null;
  @Field({ description: 'Computed by this service (the default scorer) rather than ingested.' }) computed!: boolean;
  @Field({ description: 'Ingested while the customer had not granted PROFILING consent: kept, but not used for priority.' })
  flagged!: boolean;
  customerId!: string;
}

@InputType({ description: 'A score from any provider; scores are history and never overwritten.' })
export class InfluenceScoreInput {
  @Field(() => ID) customerId!: string;
  @Field(() => Float, { description: '1 .. 10' }) score!: number;
  @Field({ description: 'Who measured it (provider name).' }) source!: string;
  @Field(() => String, { nullable: true, description: 'Topic the score is about; null: overall.' }) topic?: string | null;
  @Field(() => Platform, { nullable: true, description: 'Platform the score is about; null: across platforms.' }) platform?: Platform | null;
  @Field(() => DateTimeScalar) measuredAt!: Date;
}

@InputType({ description: 'A follower count seen by a listening tool.' })
export class FollowerCountInput {
  @Field(() => ID) socialIdentityId!: string;
  @Field(() => Int) followerCount!: number;
}

@ObjectType({ simpleResolvers: true })
export class PriorityReason {
  @Field() factor!: string;
  @Field(() => Float) contribution!: number;
  @Field() detail!: string;
}

@ObjectType({ simpleResolvers: true })
export class Priority {
  @Field(() => Float) score!: number;
  @Field(() => [PriorityReason], { description: 'Each factor\'s contribution; they add up to score.' }) reasons!: PriorityReason[];
}

@ObjectType({ simpleResolvers: true })
export class TierChange {
  @Field(() => Tier) tier!: Tier;
  @Field(() => Tier) previousTier!: Tier;
  @Field({ description: 'Why: "set by <user>" or the tier rule that applied.' }) reason!: string;
  @Field() changedBy!: string;
  @Field(() => DateTimeScalar) changedAt!: Date;
  customerId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A customer whose numeric attribute is at least minValue reaches the tier (highest tier wins).' })
export class TierRule {
  @Field(() => ID) id!: string;
  @Field(() => Tier) tier!: Tier;
  @Field({ description: 'Key in the customer attributes given at touchpoints, e.g. lifetimeValue.' }) attribute!: string;
  @Field(() => Float) minValue!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field() createdBy!: string;
}

@InputType()
export class TierRuleInput {
  @Field(() => Tier) tier!: Tier;
  @Field() attribute!: string;
  @Field(() => Float) minValue!: number;
}

@ObjectType({ simpleResolvers: true })
export class TierRulesApplied {
  @Field(() => Int, { description: 'Customers that carry at least one rule attribute.' }) examined!: number;
  @Field(() => Int, { description: 'Customers whose tier changed (each change is in their tier history).' }) changed!: number;
}
