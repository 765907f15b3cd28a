import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../../auth';
import { Channel, Tier } from '../../graphql';
import type { RequestContext } from '../../context';
import {
  BusinessHoursInput, BusinessHoursType, CareRulesType, EscalationRuleInput, EscalationRuleType, FilterRuleInput, FilterRuleType,
  LaneRuleInput, LaneRuleType, SkillGroupInput, SkillGroupType, SlaTargetInput, SlaTargetType,
} from './care-rules.types';

/** The stored care rules: agents read them, supervisors change them. */
@Resolver()
export class CareRulesResolver {
  @Authorized(CAN.readCareRules)
  @Query(() => CareRulesType, { description: 'SLA targets, business hours, swim lanes, skill groups, escalation and filter rules.' })
  careRules(@Ctx() ctx: RequestContext) {
    return ctx.services.careRules.load();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => SlaTargetType, { description: 'Creates or replaces the target of a channel (and tier).' })
  setSlaTarget(@Arg('input', () => SlaTargetInput) input: SlaTargetInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.setSlaTarget(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Boolean, { description: 'Removes a tier\'s own target; the tier then follows the channel target.' })
  deleteSlaTarget(@Arg('channel', () => Channel) channel: Channel, @Arg('tier', () => Tier) tier: Tier, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.deleteSlaTarget(channel, tier);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => BusinessHoursType, { description: 'Creates or replaces a business-hours calendar (weekly null: 24x7).' })
  setBusinessHours(@Arg('input', () => BusinessHoursInput) input: BusinessHoursInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.setBusinessHours(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => LaneRuleType, { description: 'Creates or replaces a swim-lane rule by name.' })
  setLaneRule(@Arg('input', () => LaneRuleInput) input: LaneRuleInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.setLaneRule(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Boolean)
  deleteLaneRule(@Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.deleteLaneRule(name);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => SkillGroupType, { description: 'A new skill group with its keyword/hashtag cluster; CONFLICT when the name is taken.' })
  createSkillGroup(@Arg('input', () => SkillGroupInput) input: SkillGroupInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.createSkillGroup(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => SkillGroupType, { description: 'Replaces the cluster of the group named `name` (input.name may rename it).' })
  updateSkillGroup(@Arg('name') name: string, @Arg('input', () => SkillGroupInput) input: SkillGroupInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.updateSkillGroup(name, input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Boolean)
  deleteSkillGroup(@Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.deleteSkillGroup(name);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => EscalationRuleType, { description: 'Creates or replaces an automatic escalation rule by name.' })
  setEscalationRule(@Arg('input', () => EscalationRuleInput) input: EscalationRuleInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.setEscalationRule(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Boolean)
  deleteEscalationRule(@Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.deleteEscalationRule(name);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => FilterRuleType, { description: 'Creates or replaces a non-actionable filter rule by name.' })
  setFilterRule(@Arg('input', () => FilterRuleInput) input: FilterRuleInput, @Ctx() ctx: RequestContext) {
    return ctx.services.careRules.setFilterRule(input, ctx.viewer.sub);
  }
}
