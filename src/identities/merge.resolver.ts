import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../auth';
import { Customer } from '../customers';
import type { RequestContext } from '../context';
import { Merge } from './identity-history.types';
import { PersonalDataClass } from '../graphql';
import type { MergeService } from './merge.service';

@Resolver(() => Merge)
export class MergeResolver {
  constructor(private readonly mergeService: MergeService) {}

  @Authorized(CAN.mergeCustomers)
  @Mutation(() => Merge, { description: 'Moves everything of mergedId to survivorId in one transaction; mergedId keeps resolving to the survivor. Undo with undoMerge.' })
  mergeCustomers(
    @Arg('survivorId', () => ID) survivorId: string,
    @Arg('mergedId', () => ID) mergedId: string,
    @Ctx() ctx: RequestContext,
  ) {
    return this.mergeService.merge(survivorId, mergedId, ctx.viewer);
  }

  @Authorized(CAN.mergeCustomers)
  @Mutation(() => [Customer], { description: 'Restores both customers; answers [survivor, merged customer]. The rule for rows added after the merge is in README, "Identity".' })
  async undoMerge(@Arg('mergeId', () => ID) mergeId: string, @Ctx() ctx: RequestContext) {
    const ids = await this.mergeService.undo(mergeId, ctx.viewer);
    return Promise.all(ids.map((id) => ctx.loaders.customerById.load(id)));
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer, { description: 'The customer everything moved to (or the one it answers with now).' })
  survivor(@Root() merge: Merge, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(merge.survivorId);
  }
}
