import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Customer } from '../customers';
import { pageSize } from '../graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { FollowerCountInput, InfluenceScore, InfluenceScoreInput } from './influence.types';

@Resolver()
export class InfluenceResolver {
  @Authorized(CAN.ingestScores)
  @Mutation(() => InfluenceScore, { description: 'Adds a score from any provider to the history; flagged when the customer has not granted PROFILING.' })
  recordInfluenceScore(@Arg('input', () => InfluenceScoreInput) input: InfluenceScoreInput, @Ctx() ctx: RequestContext) {
    return ctx.services.influence.record(input);
  }

  @Authorized(CAN.ingestScores)
  @Mutation(() => [InfluenceScore], { description: 'Runs the default scorer for the customers; returns the scores that changed. Nothing for customers without PROFILING consent.' })
  recomputeInfluence(@Arg('customerIds', () => [ID]) customerIds: string[], @Ctx() ctx: RequestContext) {
    return ctx.services.influence.recompute(customerIds);
  }

  @Authorized(CAN.ingestScores)
  @Mutation(() => [InfluenceScore], {
    description: 'Stores follower counts seen by a listening tool and re-scores the owners; returns the scores that changed. ' +
      'idempotencyKey: a retry of the same counts answers the first result and writes nothing; the key with other counts: CONFLICT.',
  })
  recordFollowerCounts(
    @Arg('inputs', () => [FollowerCountInput]) inputs: FollowerCountInput[],
    @Ctx() ctx: RequestContext,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string | null,
  ) {
    return ctx.services.influence.recordFollowerCounts(inputs, idempotencyKey);
  }

  @Authorized(CAN.workQueue)
  @Query(() => [Customer], {
    description: 'The customers most influential on a topic (their newest overall score on it), highest first, ties by id; ' +
      'only customers who hold PROFILING consent now and whose score was measured with it. first: 0 .. 100.',
  })
  async influencersOnTopic(
    @Arg('topic', () => String) topic: string,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { defaultValue: 10 }) first: number,
  ) {
    const ids = await ctx.services.influence.influencersOnTopic(topic, pageSize(first, 10));
    await ctx.services.customer360.prime(ctx, ids, info, []);
    const customers = await ctx.loaders.customerById.loadMany(ids);
    return customers.filter((c): c is Customer => c !== null && !(c instanceof Error));
  }
}
