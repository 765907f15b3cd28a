import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { Customer } from '../customers';
import type { RequestContext } from '../context';
import { TouchpointInput } from './touchpoint.inputs';

@Resolver()
export class TouchpointResolver {
  @Authorized(CAN.recordTouchpoints)
  @Mutation(() => Customer, {
    description:
      'Links what the customer gave at a touchpoint to the customer who owns any of it (creating one when none does) and records the consents given there. Identifiers of two different customers: CONFLICT, nothing written.',
  })
  async recordTouchpoint(@Arg('input', () => TouchpointInput) input: TouchpointInput, @Ctx() ctx: RequestContext) {
    const customerId = await ctx.services.touchpointCoalescer.record({ input, viewer: ctx.viewer, requestId: ctx.requestId });
    return ctx.loaders.customerById.load(customerId);
  }

  @Authorized(CAN.recordTouchpoints)
  @Mutation(() => [Customer], {
    description:
      'Up to 1,000 touchpoints in one call, all or nothing, linked in input order by the rules of recordTouchpoint; answers one customer per input, in input order. ' +
      'Every bad item is reported in extensions.errors (index, field, message) and nothing is written. Roles: agent, supervisor, ingest, admin.',
  })
  async recordTouchpoints(@Arg('inputs', () => [TouchpointInput]) inputs: TouchpointInput[], @Ctx() ctx: RequestContext) {
    const customerIds = await ctx.services.touchpoints.recordMany(inputs, ctx.viewer, ctx.requestId);
    return ctx.loaders.customerById.loadMany(customerIds);
  }
}
