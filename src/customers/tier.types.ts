import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Tier, DateTimeScalar, PersonalDataClass } from '../graphql';
import { Access, READ } from '../auth';

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
@ObjectType({
  simpleResolvers: true,
  description: 'A customer that meets every condition the rule names (a numeric attribute at least minValue, owning a product, owning a product of a category) reaches the tier (highest tier wins).',
})
export class TierRule {
  @Field(() => ID) id!: string;
  @Field(() => Tier) tier!: Tier;
  @Field(() => String, { nullable: true, description: 'Key in the customer attributes given at touchpoints, e.g. lifetimeValue; null for a rule on purchases only.' })
  attribute!: string | null;
  @Field(() => Float, { nullable: true }) minValue!: number | null;
  @Field(() => String, { nullable: true, description: 'The customer bought this product (case-insensitive).' }) product!: string | null;
  @Field(() => String, { nullable: true, description: 'The customer bought a product of this category (case-insensitive).' }) category!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field() createdBy!: string;
}

@InputType({ description: 'Name at least one condition: attribute with minValue, product, category (all named must hold).' })
export class TierRuleInput {
  @Field(() => Tier) tier!: Tier;
  @Field(() => String, { nullable: true, description: 'With minValue.' }) attribute?: string | null;
  @Field(() => Float, { nullable: true, description: 'With attribute.' }) minValue?: number | null;
  @Field(() => String, { nullable: true, description: 'Owning this product (1-200 characters).' }) product?: string | null;
  @Field(() => String, { nullable: true, description: 'Owning a product of this category (1-100 characters).' }) category?: string | null;
}

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class TierRulesApplied {
  @Field(() => Int, { description: 'Customers that carry at least one rule attribute, or a purchase while a rule names a product or category.' }) examined!: number;
  @Field(() => Int, { description: 'Customers whose tier changed (each change is in their tier history).' }) changed!: number;
}
