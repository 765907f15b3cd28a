import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, DateTimeScalar, PersonalDataClass } from '../graphql';
import { BrandChannel } from '../care';
import { Access, READ } from '../auth';

export enum HeatLevel { HOT = 'HOT', MEDIUM = 'MEDIUM', MILD = 'MILD' }
registerEnumType(HeatLevel, { name: 'HeatLevel', description: 'HOT >= 50 actionable items a day, MEDIUM >= 20, MILD >= 1.' });

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class ChannelCount {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class TopicCount {
  @Field() topic!: string;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Time from an inbound item to its first response.' })
export class ChannelDuration {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int, { description: 'Responded items measured.' }) count!: number;
  @Field(() => Float) medianSeconds!: number;
  @Field(() => Float) p90Seconds!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class ChannelHeat {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int, { description: 'Actionable inbound items in the range.' }) count!: number;
  @Field(() => Float, { description: 'count / days in the range.' }) perDay!: number;
  @Field(() => HeatLevel, { nullable: true, description: 'null below one a day.' }) level!: HeatLevel | null;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class HourCount {
  @Field(() => Int, { description: '1 Monday .. 7 Sunday, in the requested time zone.' }) dayOfWeek!: number;
  @Field(() => Int, { description: '0 .. 23, in the requested time zone.' }) hour!: number;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Inbound items that reached one brand channel, and how they were answered.' })
export class BrandChannelMetrics {
  @Field(() => BrandChannel, { description: 'Removed ones too, while they have items in the range.' }) brandChannel!: BrandChannel;
  @Field(() => Int, { description: 'Inbound items in the range.' }) count!: number;
  @Field(() => Int, { description: 'Of them, answered (first response).' }) answered!: number;
  @Field(() => Int, { description: 'Of them, actionable and never answered nor resolved.' }) unanswered!: number;
  @Field(() => Float, { nullable: true, description: 'Median seconds to first response; null when none was answered.' }) medianSeconds!: number | null;
  @Field(() => Float, { nullable: true }) p90Seconds!: number | null;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Replies sent in the range from one version of a response template.' })
export class TemplateReplyCount {
  @Field(() => ID) templateId!: string;
  @Field({ description: 'The template\'s current name.' }) name!: string;
  @Field(() => Int) version!: number;
  @Field(() => Int) replies!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Inbound posts one do-not-engage rule kept out of the queue in the range.' })
export class DoNotEngageCount {
  @Field(() => ID) ruleId!: string;
  @Field({ description: 'The rule\'s current name.' }) name!: string;
  @Field(() => Int) count!: number;
}

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'What care leaders ask for, over [from, to). Definitions: README, "Service metrics".' })
export class ServiceMetrics {
  @Field(() => DateTimeScalar) from!: Date;
  @Field(() => DateTimeScalar) to!: Date;
  @Field() timeZone!: string;
  @Field(() => Float) days!: number;
  @Field(() => Int, { description: 'Distinct customers whose complaint or question was answered or resolved.' }) customersHelped!: number;
  @Field(() => Int, { description: 'Distinct customers whose compliment was answered.' }) customersThanked!: number;
  @Field(() => [ChannelCount], { description: 'Inbound complaints and questions by channel.' }) volumeBySource!: ChannelCount[];
  @Field(() => [TopicCount], { description: 'Top 10 topics of inbound complaints.' }) topComplaints!: TopicCount[];
  @Field(() => [TopicCount], { description: 'Top 10 topics of inbound questions.' }) topInquiries!: TopicCount[];
  @Field(() => [ChannelDuration], { description: 'Median and p90 seconds to first response.' }) responseTimeBySource!: ChannelDuration[];
  @Field(() => [ChannelCount], { description: 'Escalations raised in the range, by channel of the interaction.' }) escalationsBySource!: ChannelCount[];
  @Field(() => [ChannelHeat]) heatMap!: ChannelHeat[];
  @Field(() => [HourCount], { description: 'Inbound arrivals by day of week and hour; cells with no arrivals are left out.' }) arrivalPattern!: HourCount[];
  @Field(() => Int, { description: 'Actionable inbound items never answered nor resolved.' }) unanswered!: number;
  @Field(() => [BrandChannelMetrics], { description: 'Inbound items by the brand channel they reached (items that named none are left out).' })
  byBrandChannel!: BrandChannelMetrics[];
  @Field(() => [TemplateReplyCount], { description: 'Replies in the range by response template and version, most used first.' })
  repliesByTemplate!: TemplateReplyCount[];
  @Field(() => Int, { description: 'Incidents opened in the range (topic bursts that tripped the threshold rule).' }) incidents!: number;
  @Field(() => Int, { description: 'Posters of the incidents opened in the range whom a message (notification or closing) reached, once per incident.' })
  incidentPostersReached!: number;
  @Field(() => [DoNotEngageCount], { description: 'Inbound posts kept out of the queue by each do-not-engage rule, most first.' })
  doNotEngageFiltered!: DoNotEngageCount[];
}
