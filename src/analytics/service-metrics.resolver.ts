import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { DateTimeScalar } from '../graphql';
import { ServiceMetrics } from './service-metrics.types';

@Resolver()
export class ServiceMetricsResolver {
  @Authorized(CAN.readMetrics)
  @Query(() => ServiceMetrics, { description: 'Service metrics over [from, to).' })
  serviceMetrics(
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() ctx: RequestContext,
    @Arg('timeZone', () => String, { defaultValue: 'UTC', description: 'IANA name; days and hours of the arrival pattern are read in it.' })
    timeZone: string,
  ) {
    return ctx.services.serviceMetrics.metrics(from, to, timeZone);
  }
}
