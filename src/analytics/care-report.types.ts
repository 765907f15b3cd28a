import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Access, READ } from '../auth';
import { Channel, InteractionCategory, PersonalDataClass } from '../graphql';

export enum SlaGrouping { CHANNEL = 'CHANNEL', BRAND_CHANNEL = 'BRAND_CHANNEL', TIER = 'TIER', AGENT = 'AGENT' }
registerEnumType(SlaGrouping, {
  name: 'SlaGrouping',
  description: 'CHANNEL; BRAND_CHANNEL ("TWITTER:acmecare", "none" for items that reached no brand channel); TIER (the customer\'s tier now); '
    + 'AGENT (who sent the first reply, else who holds the item, else "unassigned").',
});

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Items whose first answer took this long (bands are disjoint and add up to items).' })
export class ResponseBand {
  @Field({ description: '"under 1 h", "under 3 h", "under 24 h", "24 h or more" or "unanswered"' }) label!: string;
  @Field(() => Int, { nullable: true, description: 'The band\'s upper bound in minutes (exclusive); null for the last two.' }) upToMinutes!: number | null;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'SLA attainment of one group: inbound items that arrived in the range.' })
export class SlaAttainment {
  @Field({ description: 'The group: a channel, a brand channel, a tier or an agent id, by groupBy.' }) key!: string;
  @Field(() => Int) items!: number;
  @Field(() => Int, { description: 'Answered (first reply, or resolved) by the item\'s due time; an item with no target: answered at all.' })
  withinTarget!: number;
  @Field(() => Float, { description: 'withinTarget / items.' }) attainment!: number;
  @Field(() => [ResponseBand], { description: 'Time to the first answer, in the business hours of the item\'s target.' }) bands!: ResponseBand[];
}

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'One agent\'s work: the inbound items whose first reply this agent sent in the range.' })
export class AgentMetrics {
  @Field(() => ID, { description: 'The token subject that sent the replies.' }) agentId!: string;
  @Field(() => Int) handled!: number;
  @Field(() => Int, { description: 'Distinct customers among the items handled.' }) customersHelped!: number;
  @Field(() => Float, { nullable: true, description: 'Median time to the first reply, in the business hours of each item\'s target.' })
  medianResponseSeconds!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of items resolved with exactly one reply and not reopened within 7 days (docs/metrics.md).' })
  firstContactResolutionRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of items answered by their due time.' }) slaAttainment!: number | null;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class CategoryCount {
  @Field(() => InteractionCategory) category!: InteractionCategory;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'What people talk about on one channel: counts and sentiment over inbound items, no one person.' })
export class ChannelConversationMap {
  @Field(() => Channel) channel!: Channel;
  @Field(() => [CategoryCount], { description: 'Most frequent first.' }) byCategory!: CategoryCount[];
  @Field(() => Float, { nullable: true, description: 'Mean classifier sentiment (negative below 0).' }) averageSentiment!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of items with sentiment below 0.' }) negativeShare!: number | null;
}
