import { Arg, FieldResolver, Resolver, Root } from 'type-graphql';
import { HandoffReasonCount } from './handoff-metrics.types';
import { ServiceMetrics } from './service-metrics.types';
import type { HandoffMetricsService } from './handoff-metrics.service';

@Resolver(() => ServiceMetrics)
export class HandoffMetricsResolver {
  constructor(private readonly handoffMetricsService: HandoffMetricsService) {}

  @FieldResolver(() => [HandoffReasonCount], { description: 'Conversations moved off their channel in the range, by HandoffReason, most first.' })
  handoffsByReason(
    @Root() metrics: ServiceMetrics,
    @Arg('labels', () => [String], { nullable: true, description: 'Only conversations carrying every one of these labels.' }) labels?: string[],
  ) {
    return this.handoffMetricsService.byReason(metrics.from, metrics.to, labels ?? null);
  }
}
