import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Platform, DateTimeScalar, PersonalDataClass, ConsentPurpose, Stored } from '../graphql';
import { Access, READ } from '../auth';

@Access({ roles: READ.holders, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true })
export class InfluenceScore {
  @Stored((s) => `${s}.score::numeric::float8`, 'plain')
  @Field(() => Float, { description: '1 .. 10' }) score!: number;
  @Stored('topic', 'text')
  @Field(() => String, { nullable: true, description: 'null: overall' }) topic!: string | null;
  @Stored('platform', 'quoted')
  @Field(() => Platform, { nullable: true, description: 'null: across platforms' }) platform!: Platform | null;
  @Stored('source', 'text')
  @Field({ description: 'Who computed it.' }) source!: string;
  @Stored('measured_at', 'date')
  @Field(() => DateTimeScalar) measuredAt!: Date;
  @Field(() => Float, { nullable: true, description: 'Change against the previous score of the same topic/platform.' })
  trend!: number | null;
  @Stored('computed', 'plain')
  @Field({ description: 'Computed by this service (the default scorer) rather than ingested.' }) computed!: boolean;
  @Stored('flagged', 'plain')
  @Field({ description: 'Ingested while the customer had not granted PROFILING consent: kept, but not used for priority.' })
  flagged!: boolean;
  @Stored('customer_id') customerId!: string;
  /** Read with the score (the loaders): the customer holds PROFILING at the instant of this read. */
  profilingNow?: boolean;
}

/**
 * A score that may be used to rank or be shown to marketing at this read: measured with
 * PROFILING consent (not flagged) and the customer still holds it now (withdrawal and expiry
 * count at once). A score read without `profilingNow` (a write's answer) is not usable.
 */
export function usableForProfiling(score: InfluenceScore): boolean {
  return !score.flagged && score.profilingNow === true;
}

@InputType({ description: 'A score from any provider; scores are history and never overwritten.' })
export class InfluenceScoreInput {
  @Field(() => ID) customerId!: string;
  @Field(() => Float, { description: '1 .. 10' }) score!: number;
  @Field({ description: 'Who measured it (provider name).' }) source!: string;
  @Field(() => String, { nullable: true, description: 'Topic the score is about; null: overall.' }) topic?: string | null;
  @Field(() => Platform, { nullable: true, description: 'Platform the score is about; null: across platforms.' }) platform?: Platform | null;
  @Field(() => DateTimeScalar) measuredAt!: Date;
  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe: the same key with the same content answers the first result and writes nothing; with other content: CONFLICT.',
  })
  idempotencyKey?: string | null;
}

@InputType({ description: 'A follower count seen by a listening tool.' })
export class FollowerCountInput {
  @Field(() => ID) socialIdentityId!: string;
  @Field(() => Int) followerCount!: number;
}

@Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true })
export class PriorityReason {
  @Field() factor!: string;
  @Field(() => Float) contribution!: number;
  @Field() detail!: string;
}

@Access({ roles: READ.readersAndMarketing, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true })
export class Priority {
  @Field(() => Float) score!: number;
  @Field(() => [PriorityReason], { description: 'Each factor\'s contribution; they add up to score.' }) reasons!: PriorityReason[];
}

@Access({ roles: READ.readers, purpose: ConsentPurpose.PROFILING, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true, description: 'A follower count as it was seen at one time (kept whenever the count changed).' })
export class FollowerCountPoint {
  @Field(() => Platform) platform!: Platform;
  @Field(() => Int) followerCount!: number;
  @Field(() => DateTimeScalar, { description: 'When this service learnt the count.' }) measuredAt!: Date;
}
