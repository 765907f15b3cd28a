import { Arg, Authorized, Ctx, FieldResolver, Float, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Access, CAN } from '../auth';
import { Customer } from '../customers';
import { ConsentPurpose, PersonalDataClass, decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql';
import type { RequestContext } from '../context';
import { Purchase, PurchaseConnection, PurchaseInput, PURCHASE_READERS } from './purchase.types';
import type { PurchaseService } from './purchase.service';

@Resolver()
export class PurchaseResolver {
  constructor(private readonly purchaseService: PurchaseService) {}

  @Authorized(CAN.recordPurchases)
  @Mutation(() => [Purchase], {
    description:
      'Up to 1,000 purchases in one call, all or nothing, one per input in input order. Every bad item is reported in extensions.errors '
      + '(index, field, message) and nothing is written; a retry with the same keys and content answers the first rows and writes nothing. Roles: ingest, admin.',
  })
  recordPurchases(@Arg('inputs', () => [PurchaseInput]) inputs: PurchaseInput[], @Ctx() ctx: RequestContext) {
    return this.purchaseService.record(inputs, ctx.viewer.sub);
  }
}

@Resolver(() => Customer)
export class CustomerPurchasesResolver {
  @Access({ roles: PURCHASE_READERS, purpose: ConsentPurpose.MARKETING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => PurchaseConnection, { description: 'Newest first. Marketing sees them only while the customer holds MARKETING.' })
  async purchases(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const size = pageSize(first, 20);
    const keyset = decodeCursor(after);
    const rows = await ctx.loaders.purchasesByCustomerId.load({ parentId: customer.id, limit: size + 1, after: keyset });
    return toConnection(rows, size, (r) => encodeCursor(r.sortKey, r.id), () => ctx.loaders.purchaseCountByCustomerId.load({ parentId: customer.id }));
  }

  @Access({ roles: PURCHASE_READERS, purpose: ConsentPurpose.MARKETING, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => Float, {
    nullable: true,
    description: 'Sum of the purchase amounts when they are all in one currency (the purchases say which); null with no amount or several currencies.',
  })
  lifetimeValue(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.lifetimeValueByCustomerId.load(customer.id);
  }
}
