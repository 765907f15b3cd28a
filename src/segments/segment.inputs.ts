import { Field, Float, InputType } from 'type-graphql';
import { InteractionCategory, Platform, Tier, DateTimeScalar } from '../graphql';

/** Who is in a segment; every given field must hold (AND), list fields match any of their values (OR). */
@InputType()
export class SegmentFilter {
  @Field(() => [Tier], { nullable: true }) tiers?: Tier[] | null;
  @Field(() => Float, { nullable: true, description: 'Latest overall score (or latest score on influenceTopic), 1..10.' })
  minInfluence?: number | null;
  @Field(() => Float, { nullable: true }) maxInfluence?: number | null;
  @Field(() => String, { nullable: true, description: 'Alone: has a score on this topic; with min/max: that score is in range.' })
  influenceTopic?: string | null;
  @Field(() => [Platform], {
    nullable: true,
    description: 'Members need a consented handle on one of these platforms; only those handles are returned.',
  })
  platforms?: Platform[] | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Has an interaction at or after this instant.' })
  interactedSince?: Date | null;
  @Field(() => [InteractionCategory], { nullable: true, description: 'Has an interaction of one of these categories.' })
  categories?: InteractionCategory[] | null;
  @Field(() => [String], { nullable: true, description: 'Has an interaction tagged with one of these topics.' })
  topics?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Country code, case-insensitive.' }) country?: string | null;
  // Purchases (issue 27): profiling, so any of these targets only customers who hold PROFILING.
  @Field(() => [String], { nullable: true, description: 'Bought one of these products (case-insensitive; with purchasedSince: since then). Needs PROFILING.' })
  products?: string[] | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Bought something at or after this instant. Needs PROFILING.' })
  purchasedSince?: Date | null;
  @Field(() => Float, { nullable: true, description: 'lifetimeValue at least this (a customer with several currencies has none). Needs PROFILING.' })
  minLifetimeValue?: number | null;
  // Issue 26: an outage in one state or town.
  @Field(() => String, { nullable: true, description: 'Region (state, province) as stored on the customer, case-insensitive.' })
  region?: string | null;
  @Field(() => String, { nullable: true, description: 'City (town) as stored on the customer, case-insensitive.' }) city?: string | null;
}
