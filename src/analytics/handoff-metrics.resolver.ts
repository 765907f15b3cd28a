import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../context';
import { HandoffReasonCount } from './handoff-metrics.types';
import { ServiceMetrics } from './service-metrics.types';

@Resolver(() => ServiceMetrics)
export class HandoffMetricsResolver {
  @FieldResolver(() => [HandoffReasonCount], { description: 'Conversations moved off their channel in the range, by HandoffReason, most first.' })
  handoffsByReason(
    @Root() metrics: ServiceMetrics,
    @Ctx() ctx: RequestContext,
    @Arg('labels', () => [String], { nullable: true, description: 'Only conversations carrying every one of these labels.' }) labels?: string[],
  ) {
    return ctx.services.handoffMetrics.byReason(metrics.from, metrics.to, labels ?? null);
  }
}
