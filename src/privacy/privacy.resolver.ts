import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Access, CAN } from '../auth';
import { PersonalDataClass, JSONScalar } from '../graphql';
import { DataInventoryEntry } from './privacy.types';
import type { RequestContext } from '../context';
import type { PrivacyService } from './privacy.service';

@Resolver()
export class PrivacyResolver {
  constructor(private readonly privacyService: PrivacyService) {}

  @Authorized(CAN.administer)
  @Query(() => JSONScalar, {
    description: 'Data portability: the customer (and customers merged into it) and every row of every customer-owned table, as one document.',
  })
  exportCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.privacyService.exportCustomer(id, ctx.viewer.sub);
  }

  @Authorized(CAN.administer)
  @Mutation(() => Boolean, {
    description: 'Removes every piece of personal data in one transaction, keeps anonymous rows for aggregates, records the erasure. Idempotent.',
  })
  eraseCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.privacyService.eraseCustomer(id, ctx.viewer.sub);
  }

  @Authorized(CAN.administer)
  @Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
  @Query(() => [DataInventoryEntry], {
    description: 'Every stored column that can hold personal data (all but OPERATIONAL ones), with its class, what erasure does to it and the purposes it serves.',
  })
  dataInventory(): DataInventoryEntry[] {
    return this.privacyService.dataInventory();
  }
}
