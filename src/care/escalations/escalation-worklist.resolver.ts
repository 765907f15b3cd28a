import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../../auth';
import type { RequestContext } from '../../context';
import { EscalationStatus, EscalationTeam, pageSize } from '../../graphql';
import { Escalation } from '../../interactions';
import { EscalationConnection, EscalationTarget, EscalationTargetInput } from './escalation-worklist.types';
import type { EscalationWorklistService } from './escalation-worklist.service';

/** Escalation worklists: a team's escalations, most urgent first, and taking ownership of one. */
@Resolver()
export class EscalationWorklistResolver {
  constructor(private readonly escalationWorklistService: EscalationWorklistService) {}

  @Authorized(CAN.workQueue)
  @Query(() => EscalationConnection, {
    description: 'Agent and up: a team\'s worklist, most urgent first: breached escalations first, then by due time (then id).',
  })
  escalations(
    @Arg('team', () => EscalationTeam, { nullable: true }) team?: EscalationTeam,
    @Arg('status', () => EscalationStatus, { nullable: true }) status?: EscalationStatus,
    @Arg('breached', () => Boolean, { nullable: true }) breached?: boolean,
    @Arg('first', () => Int, { defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return this.escalationWorklistService.escalations({ team, status, breached, first: pageSize(first, 50), after });
  }

  @Authorized(CAN.workCare)
  @Mutation(() => Escalation, {
    description: 'Agent of that team (an active agent whose skill groups name the team) or supervisor: takes ownership. '
      + 'Another owner already: CONFLICT; resolved: CONFLICT; the owner again: the escalation, nothing written.',
  })
  acknowledgeEscalation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.escalationWorklistService.acknowledge(id, ctx.viewer);
  }

  @Authorized(CAN.readCareRules)
  @Query(() => [EscalationTarget], { description: 'Agent and up: each team\'s response target (defaults: RETENTION 60 min, PR_CRISIS 30, others 240, in office hours).' })
  escalationTargets() {
    return this.escalationWorklistService.targets();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => EscalationTarget, { description: 'Supervisor and up: creates or replaces a team\'s response target (idempotent).' })
  setEscalationTarget(@Arg('input', () => EscalationTargetInput) input: EscalationTargetInput, @Ctx() ctx: RequestContext) {
    return this.escalationWorklistService.setTarget(input, ctx.viewer.sub);
  }
}
