import { Arg, Authorized, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { DateTimeScalar } from '../graphql';
import { ServiceMetrics } from './service-metrics.types';
import type { ServiceMetricsService } from './service-metrics.service';

@Resolver()
export class ServiceMetricsResolver {
  constructor(private readonly serviceMetricsService: ServiceMetricsService) {}

  @Authorized(CAN.readMetrics)
  @Query(() => ServiceMetrics, { description: 'Service metrics over [from, to).' })
  serviceMetrics(
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Arg('timeZone', () => String, { defaultValue: 'UTC', description: 'IANA name; days and hours of the arrival pattern are read in it.' })
    timeZone: string,
  ) {
    return this.serviceMetricsService.metrics(from, to, timeZone);
  }
}
