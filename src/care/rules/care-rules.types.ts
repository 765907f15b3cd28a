import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Channel, EscalationTeam, InteractionCategory, SwimLane, Tier, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

// GraphQL shapes of the stored care rules; supervisors edit them through mutations.

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'Opening hours of one weekday, local wall time.' })
@InputType('OpeningHoursInput')
export class OpeningHoursType {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday .. 7 = Sunday.' }) day!: number;
  @Field({ description: 'HH:MM' }) opens!: string;
  @Field({ description: 'HH:MM, at most 24:00' }) closes!: string;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'A named calendar of opening hours in a time zone; the SLA clock only runs while open.' })
export class BusinessHoursType {
  @Field() name!: string;
  @Field({ description: 'IANA time zone, e.g. America/New_York.' }) timeZone!: string;
  @Field(() => [OpeningHoursType], { nullable: true, description: 'null: open 24x7.' }) weekly!: OpeningHoursType[] | null;
}

@InputType()
export class BusinessHoursInput {
  @Field() name!: string;
  @Field() timeZone!: string;
  @Field(() => [OpeningHoursType], { nullable: true, description: 'Leave out (null) for 24x7.' }) weekly?: OpeningHoursType[] | null;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'Response-time target for a channel, optionally for one tier.' })
export class SlaTargetType {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Tier, { nullable: true, description: 'null: every tier without its own target.' }) tier!: Tier | null;
  @Field(() => Int) responseMinutes!: number;
  @Field({ description: 'Name of the BusinessHours calendar the clock runs in.' }) businessHours!: string;
}

@InputType()
export class SlaTargetInput {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Tier, { nullable: true }) tier?: Tier | null;
  @Field(() => Int) responseMinutes!: number;
  @Field(() => String, { nullable: true, defaultValue: 'always' }) businessHours!: string | null;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'Swim-lane rule: every criterion given must hold (keywords/hashtags: any one); first by position wins.' })
export class LaneRuleType {
  @Field() name!: string;
  @Field(() => Int) position!: number;
  @Field(() => SwimLane) lane!: SwimLane;
  @Field(() => [Channel]) channels!: Channel[];
  @Field(() => [InteractionCategory]) categories!: InteractionCategory[];
  @Field(() => [String]) keywords!: string[];
  @Field(() => [String]) hashtags!: string[];
  @Field() enabled!: boolean;
}

@InputType()
export class LaneRuleInput {
  @Field() name!: string;
  @Field(() => Int) position!: number;
  @Field(() => SwimLane) lane!: SwimLane;
  @Field(() => [Channel], { defaultValue: [] }) channels!: Channel[];
  @Field(() => [InteractionCategory], { defaultValue: [] }) categories!: InteractionCategory[];
  @Field(() => [String], { defaultValue: [], description: 'Whole words; a trailing * matches word starts.' }) keywords!: string[];
  @Field(() => [String], { defaultValue: [] }) hashtags!: string[];
  @Field({ defaultValue: true }) enabled!: boolean;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'A skill group and the keyword/hashtag cluster it owns.' })
export class SkillGroupType {
  @Field() name!: string;
  @Field(() => Int) position!: number;
  @Field(() => [String]) keywords!: string[];
  @Field(() => [String]) hashtags!: string[];
}

@InputType()
export class SkillGroupInput {
  @Field() name!: string;
  @Field(() => Int, { description: 'Lower positions are tried first.' }) position!: number;
  @Field(() => [String], { defaultValue: [] }) keywords!: string[];
  @Field(() => [String], { defaultValue: [] }) hashtags!: string[];
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'TOPIC_THRESHOLD: threshold inbound posts on one topic within windowMinutes; CHURN: any of the phrases.' })
export class EscalationRuleType {
  @Field() name!: string;
  @Field() kind!: string;
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field(() => Int, { nullable: true }) threshold!: number | null;
  @Field(() => Int, { nullable: true }) windowMinutes!: number | null;
  @Field(() => [String]) phrases!: string[];
  @Field() enabled!: boolean;
}

@InputType()
export class EscalationRuleInput {
  @Field() name!: string;
  @Field({ description: 'TOPIC_THRESHOLD or CHURN' }) kind!: string;
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field(() => Int, { nullable: true }) threshold?: number | null;
  @Field(() => Int, { nullable: true }) windowMinutes?: number | null;
  @Field(() => [String], { defaultValue: [] }) phrases!: string[];
  @Field({ defaultValue: true }) enabled!: boolean;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'Inbound posts in these categories stay out of the queue (actionable = false).' })
export class FilterRuleType {
  @Field() name!: string;
  @Field(() => [InteractionCategory]) categories!: InteractionCategory[];
  @Field({ description: 'Keep a post in the queue anyway when a skill group claimed it.' }) unlessSkillGroup!: boolean;
  @Field() enabled!: boolean;
}

@InputType()
export class FilterRuleInput {
  @Field() name!: string;
  @Field(() => [InteractionCategory]) categories!: InteractionCategory[];
  @Field({ defaultValue: true }) unlessSkillGroup!: boolean;
  @Field({ defaultValue: true }) enabled!: boolean;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'Every stored care rule.' })
export class CareRulesType {
  @Field(() => [SlaTargetType]) slaTargets!: SlaTargetType[];
  @Field(() => [BusinessHoursType]) businessHours!: BusinessHoursType[];
  @Field(() => [LaneRuleType]) lanes!: LaneRuleType[];
  @Field(() => [SkillGroupType]) skillGroups!: SkillGroupType[];
  @Field(() => [EscalationRuleType]) escalations!: EscalationRuleType[];
  @Field(() => [FilterRuleType]) filters!: FilterRuleType[];
}
