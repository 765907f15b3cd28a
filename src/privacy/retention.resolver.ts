import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { RetentionPolicy, RetentionPolicyInput } from './retention.types';

@Resolver()
export class RetentionResolver {
  @Authorized(CAN.administer)
  @Query(() => RetentionPolicy, { description: 'The retention policy the daily job applies (both parts null: off, the default).' })
  retentionPolicy(@Ctx() ctx: RequestContext) {
    return ctx.services.retention.policy();
  }

  @Authorized(CAN.administer)
  @Mutation(() => RetentionPolicy, { description: 'Replaces the retention policy (audited); the next daily run applies it. Setting the same values again writes nothing.' })
  setRetentionPolicy(@Arg('input', () => RetentionPolicyInput) input: RetentionPolicyInput, @Ctx() ctx: RequestContext) {
    return ctx.services.retention.setPolicy(input, ctx.viewer);
  }
}
