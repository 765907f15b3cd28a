import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { Incident } from '../care';
import { OpenIncidentInput } from './incident-audience.inputs';

@Resolver()
export class IncidentAudienceResolver {
  @Authorized(CAN.supervise)
  @Mutation(() => Incident, {
    description: 'Supervisor and up: opens an incident by hand on a topic, with the affected customers by segment filter (posters or not); '
      + 'the optional message reaches each of them and each poster once, only where SERVICE consent allows. The same topic and filter '
      + 'again while it is open is a retry (nothing opened twice, nobody reached twice); another filter on an open topic is CONFLICT.',
  })
  openIncident(@Arg('input', () => OpenIncidentInput) input: OpenIncidentInput, @Ctx() ctx: RequestContext) {
    return ctx.services.incidentAudience.open(input, ctx.viewer);
  }
}
