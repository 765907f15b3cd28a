import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { Customer } from '../customers';
import type { RequestContext } from '../context';
import { DuplicateCandidate } from './identity-history.types';

@Resolver(() => DuplicateCandidate)
export class DuplicateCandidateResolver {
  @Authorized(CAN.readCustomers)
  @Query(() => [DuplicateCandidate], { description: 'Customers who may be the same person, with the evidence, best first. Never merged automatically.' })
  async duplicateCandidates(@Arg('customerId', () => ID) customerId: string, @Ctx() ctx: RequestContext) {
    const found = await ctx.services.duplicates.find(customerId);
    const customers = await ctx.loaders.customerById.loadMany(found.map((c) => c.customerId));
    return found.flatMap((c, i) => {
      const customer = customers[i];
      return customer && !(customer instanceof Error) ? [{ ...c, customer: customer as Customer }] : [];
    });
  }
}
