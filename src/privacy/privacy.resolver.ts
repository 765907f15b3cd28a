import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Access } from '../auth';
import { CAN } from '../auth';
import { PersonalDataClass } from '../graphql';
import { DataInventoryEntry } from './privacy.types';
import { JSONScalar } from '../graphql';
import type { RequestContext } from '../context';

@Resolver()
export class PrivacyResolver {
  @Authorized(CAN.administer)
  @Query(() => JSONScalar, {
    description: 'Data portability: the customer (and customers merged into it) and every row of every customer-owned table, as one document.',
  })
  exportCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.services.privacy.exportCustomer(id, ctx.viewer.sub);
  }

  @Authorized(CAN.administer)
  @Mutation(() => Boolean, {
    description: 'Removes every piece of personal data in one transaction, keeps anonymous rows for aggregates, records the erasure. Idempotent.',
  })
  eraseCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.services.privacy.eraseCustomer(id, ctx.viewer.sub);
  }

  @Authorized(CAN.administer)
  @Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
  @Query(() => [DataInventoryEntry], {
    description: 'Every stored column that can hold personal data (all but OPERATIONAL ones), with its class, what erasure does to it and the purposes it serves.',
  })
  dataInventory(@Ctx() ctx: RequestContext): DataInventoryEntry[] {
    return ctx.services.privacy.dataInventory();
  }
}
