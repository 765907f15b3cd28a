import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access, READ, CAN } from '../../auth';
import type { RequestContext } from '../../context';
import { PersonalDataClass } from '../../graphql';
import { Interaction } from '../../interactions';
import { DoNotEngageRule, DoNotEngageRuleInput } from './do-not-engage.types';
import { deliveryOf } from './reply-delivery.service';
import { ReplyDelivery, ReplyDeliveryInput } from './reply-delivery.types';
import type { DoNotEngageService } from './do-not-engage.service';
import type { ReplyDeliveryService } from './reply-delivery.service';

/** Do-not-engage rules (agents read, supervisors set) and the delivery confirmations of channel connectors. */
@Resolver()
export class DoNotEngageResolver {
  constructor(private readonly doNotEngageService: DoNotEngageService, private readonly replyDeliveryService: ReplyDeliveryService) {}

  @Authorized(CAN.readCareRules)
  @Query(() => [DoNotEngageRule], { description: 'agent+. Every do-not-engage rule, active ones first, with what each filtered.' })
  doNotEngageRules() {
    return this.doNotEngageService.list();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => DoNotEngageRule, { description: 'supervisor+. Creates a do-not-engage rule, or replaces one (id); active: false removes it. Audited.' })
  setDoNotEngageRule(@Arg('input', () => DoNotEngageRuleInput) input: DoNotEngageRuleInput, @Ctx() ctx: RequestContext) {
    return this.doNotEngageService.set(input, ctx.viewer);
  }

  @Authorized(CAN.confirmDelivery)
  @Mutation(() => Interaction, {
    description: 'ingest (a channel connector). The reply was posted (SENT, with the platform\'s id) or could not be (FAILED, with the error: '
      + 'REPLY_DELIVERY_FAILED, and the post it answered is back in the queue). Answers the reply.',
  })
  recordReplyDelivery(@Arg('input', () => ReplyDeliveryInput) input: ReplyDeliveryInput, @Ctx() ctx: RequestContext) {
    return this.replyDeliveryService.record(input, ctx.viewer.sub);
  }
}

@Resolver(() => Interaction)
export class InteractionDeliveryResolver {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => ReplyDelivery, { nullable: true, description: 'Outbound replies: whether a connector posted it. null on inbound items.' })
  delivery(@Root() interaction: Interaction) {
    return deliveryOf(interaction);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => ID, { nullable: true, description: 'Inbound: the do-not-engage rule that kept the post out of the queue (see doNotEngageRules).' })
  doNotEngageRuleId(@Root() interaction: Interaction) {
    return interaction.doNotEngageRuleId ?? null;
  }
}
