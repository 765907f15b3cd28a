import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { DateTimeScalar } from '../graphql';
import { AgentMetrics, ChannelConversationMap, SlaAttainment, SlaGrouping } from './care-report.types';

/** The care leader's reports over [from, to): SLA attainment, agents' work, the conversation map. */
@Resolver()
export class CareReportResolver {
  @Authorized(CAN.supervise)
  @Query(() => [SlaAttainment], { description: 'Supervisor and up: SLA attainment and response bands of the inbound items that arrived in [from, to), per group.' })
  slaReport(
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() ctx: RequestContext,
    @Arg('groupBy', () => SlaGrouping, { defaultValue: SlaGrouping.CHANNEL }) groupBy: SlaGrouping,
    @Arg('labels', () => [String], { nullable: true, description: 'Only items whose conversation carries every one of these labels (setConversationLabels).' }) labels?: string[],
  ) {
    return ctx.services.careReports.slaReport(from, to, groupBy, labels ?? null);
  }

  @Authorized(CAN.supervise)
  @Query(() => [AgentMetrics], { description: 'Supervisor and up: per agent, the items whose first reply the agent sent in [from, to).' })
  agentMetrics(
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() ctx: RequestContext,
    @Arg('labels', () => [String], { nullable: true, description: 'Only items whose conversation carries every one of these labels (setConversationLabels).' }) labels?: string[],
  ) {
    return ctx.services.careReports.agentMetrics(from, to, labels ?? null);
  }

  @Authorized(CAN.readMetrics)
  @Query(() => [ChannelConversationMap], { description: 'Supervisor and up, and marketing (aggregates only): per channel, inbound items by category and their sentiment.' })
  conversationMap(@Arg('from', () => DateTimeScalar) from: Date, @Arg('to', () => DateTimeScalar) to: Date, @Ctx() ctx: RequestContext) {
    return ctx.services.careReports.conversationMap(from, to);
  }
}
