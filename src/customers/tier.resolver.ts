import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../auth';
import { Customer } from './customer.types';
import { Tier, PersonalDataClass } from '../graphql';
import type { RequestContext } from '../context';
import { TierChange, TierRule, TierRuleInput, TierRulesApplied } from './tier.types';
import type { TierService } from './tier.service';

@Resolver(() => Customer)
export class TierResolver {
  constructor(private readonly tierService: TierService) {}

  @Authorized(CAN.supervise)
  @Mutation(() => Customer, { description: 'Sets the tier by hand; the change is kept in tierHistory.' })
  async setTier(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('tier', () => Tier) tier: Tier,
    @Ctx() ctx: RequestContext,
  ) {
    const id = await this.tierService.setTier(customerId, tier, ctx.viewer.sub);
    return ctx.loaders.customerById.load(id);
  }

  @Authorized(CAN.readCustomers)
  @Query(() => [TierRule], { description: 'The tier rules in force, highest threshold first.' })
  tierRules() {
    return this.tierService.rules();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => [TierRule], { description: 'Replaces the tier rules (the old ones are retired, not deleted).' })
  setTierRules(@Arg('rules', () => [TierRuleInput]) rules: TierRuleInput[], @Ctx() ctx: RequestContext) {
    return this.tierService.setRules(rules, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => TierRulesApplied, { description: 'Applies the tier rules to every customer that carries a rule attribute.' })
  applyTierRules(@Ctx() ctx: RequestContext) {
    return this.tierService.applyRules(ctx.viewer.sub);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PROFILING })
  @FieldResolver(() => [TierChange], { description: 'Every tier change, newest first.' })
  tierHistory(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.tierHistoryByCustomerId.load(customer.id);
  }
}
