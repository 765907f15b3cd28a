import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Tier } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';
import { Access, READ } from '../auth/access';
import { PersonalDataClass } from '../graphql/enums';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true })
export class TierChange {
  @Field(() => Tier) tier!: Tier;
  @Field(() => Tier) previousTier!: Tier;
  @Field({ description: 'Why: "set by <user>" or the tier rule that applied.' }) reason!: string;
  @Field() changedBy!: string;
  @Field(() => DateTimeScalar) changedAt!: Date;
  customerId!: string;
}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
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

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class TierRulesApplied {
  @Field(() => Int, { description: 'Customers that carry at least one rule attribute.' }) examined!: number;
  @Field(() => Int, { description: 'Customers whose tier changed (each change is in their tier history).' }) changed!: number;
}
