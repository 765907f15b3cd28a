import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../../auth';
import type { RequestContext } from '../../context';
import { Customer, CustomerConnection } from '../../customers';
import { pageSize, type Connection, PersonalDataClass } from '../../graphql';
import { Escalation, Interaction } from '../../interactions';
import {
  Incident, IncidentConnection, IncidentMessage, IncidentPoster, IncidentPosterConnection, IncidentStatus, NotifyIncidentInput, ResolveIncidentInput,
  BroadcastIncidentInput, IncidentBroadcast,
} from './incident.types';
import type { IncidentService } from './incident.service';

/** Incidents: topic bursts with everyone who posted on them, and the messages that reach them. */
@Resolver(() => Incident)
export class IncidentResolver {
  constructor(private readonly incidentService: IncidentService) {}

  @Authorized(CAN.workQueue)
  @Query(() => IncidentConnection, { description: 'Agent and up: incidents, newest first.' })
  incidents(
    @Arg('status', () => IncidentStatus, { nullable: true }) status?: IncidentStatus,
    @Arg('first', () => Int, { defaultValue: 20 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return this.incidentService.incidents({ status, first: pageSize(first, 20), after });
  }

  @Authorized(CAN.workQueue)
  @Query(() => Incident, { nullable: true, description: 'Agent and up.' })
  incident(@Arg('id', () => ID) id: string) {
    return this.incidentService.incident(id);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Incident, {
    description: 'Supervisor and up: the approved message as one reply per poster in the thread of their post, only where the SERVICE '
      + 'consent of that identity is GRANTED and unexpired; once per poster per incident, whatever retries or concurrent calls do.',
  })
  notifyIncident(@Arg('input', () => NotifyIncidentInput) input: NotifyIncidentInput, @Ctx() ctx: RequestContext) {
    return this.incidentService.notify(input, ctx.viewer);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Incident, {
    description: 'Supervisor and up: resolves the incident and its escalation and sends the closing message the same way (once per poster).',
  })
  resolveIncident(@Arg('input', () => ResolveIncidentInput) input: ResolveIncidentInput, @Ctx() ctx: RequestContext) {
    return this.incidentService.resolve(input, ctx.viewer);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Incident, {
    description: 'Supervisor and up: one public post of the text per monitored brand channel, recorded once per incident, channel and text '
      + '(retries and concurrent calls post nothing twice); the text must fit every such channel\'s length limit.',
  })
  broadcastIncident(@Arg('input', () => BroadcastIncidentInput) input: BroadcastIncidentInput, @Ctx() ctx: RequestContext) {
    return this.incidentService.broadcast(input, ctx.viewer);
  }

  @FieldResolver(() => Int, { description: 'Customers the filter of openIncident matched when it was opened (0 for a burst\'s incident).' })
  async affectedCount(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.incidentCountsById.load(incident.id)).affected;
  }

  @FieldResolver(() => [IncidentBroadcast], { description: 'broadcastIncident\'s public posts, one per brand channel and text, oldest first.' })
  broadcasts(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return ctx.loaders.incidentBroadcastsById.load(incident.id);
  }

  @FieldResolver(() => Int, { description: 'Posts that joined: the burst\'s window and every later post on the topic while open.' })
  async postCount(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.incidentCountsById.load(incident.id)).posts;
  }

  @FieldResolver(() => Int, { description: 'Posters (and affected customers of openIncident) reached by at least one message.' })
  async reached(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return (await ctx.loaders.incidentCountsById.load(incident.id)).reached;
  }

  @FieldResolver(() => Escalation, { nullable: true, description: 'The PR/crisis escalation the burst raised.' })
  escalation(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return incident.escalationId ? ctx.loaders.escalationById.load(incident.escalationId) : null;
  }

  @FieldResolver(() => CustomerConnection, { description: 'The customers who posted on it, first poster first (details: posterDetails).' })
  async posters(
    @Root() incident: Incident,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<Customer>> {
    const page = await this.incidentService.posters(incident.id, pageSize(first, 50), after);
    const customers = await Promise.all(page.edges.map((e) => ctx.loaders.customerById.load(e.node.customerId)));
    return { ...page, edges: page.edges.flatMap((e, n) => (customers[n] ? [{ cursor: e.cursor, node: customers[n]! }] : [])) };
  }

  @FieldResolver(() => IncidentPosterConnection, { description: 'The posters with the channel and post their messages answer, and what reached them.' })
  posterDetails(
    @Root() incident: Incident,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return this.incidentService.posters(incident.id, pageSize(first, 50), after);
  }

  @FieldResolver(() => [IncidentMessage], { description: 'Every notifyIncident and resolveIncident call, oldest first.' })
  messages(@Root() incident: Incident, @Ctx() ctx: RequestContext) {
    return ctx.loaders.incidentMessagesById.load(incident.id);
  }
}

@Resolver(() => IncidentPoster)
export class IncidentPosterResolver {
  @FieldResolver(() => Customer, { nullable: true, description: 'Null once the customer is erased.' })
  customer(@Root() poster: IncidentPoster, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(poster.customerId);
  }

  @Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Interaction, { description: 'Their first post on the incident: the thread the messages go to.' })
  post(@Root() poster: IncidentPoster, @Ctx() ctx: RequestContext) {
    return ctx.loaders.interactionById.load(poster.interactionId);
  }

  @Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Interaction, { nullable: true, description: 'The notifyIncident reply they got.' })
  notice(@Root() poster: IncidentPoster, @Ctx() ctx: RequestContext) {
    return poster.noticeId ? ctx.loaders.interactionById.load(poster.noticeId) : null;
  }

  @Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Interaction, { nullable: true, description: 'The closing reply of resolveIncident they got.' })
  closing(@Root() poster: IncidentPoster, @Ctx() ctx: RequestContext) {
    return poster.closingId ? ctx.loaders.interactionById.load(poster.closingId) : null;
  }
}
