import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access, READ, CAN } from '../auth';
import type { RequestContext } from '../context';
import { Customer } from '../customers';
import { PersonalDataClass } from '../graphql';
import { BlockedIdentifier, BlockIdentifierInput, DetachIdentifierInput, MergePreview } from './identity-safeguards.types';
import type { IdentityRulesService } from './identity-rules.service';
import type { DetachService } from './detach.service';
import type { MergePreviewService } from './merge-preview.service';

/** Blocked identifiers, opt-out keywords, detaching one identifier, previewing a merge: supervisors and admins. */
@Resolver()
export class IdentitySafeguardsResolver {
  constructor(private readonly identityRulesService: IdentityRulesService, private readonly detachService: DetachService, private readonly mergePreviewService: MergePreviewService) {}

  @Authorized(CAN.supervise)
  @Query(() => [BlockedIdentifier], { description: 'The live blocks, oldest first.' })
  blockedIdentifiers() {
    return this.identityRulesService.list();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => BlockedIdentifier, {
    description: 'The value (or every value the pattern matches) never links customers from now on: touchpoints and ingestion leave it out. '
      + 'Blocking what is already blocked answers the live block. Lift it with unblockIdentifier.',
  })
  blockIdentifier(@Arg('input', () => BlockIdentifierInput) input: BlockIdentifierInput, @Ctx() ctx: RequestContext) {
    return this.identityRulesService.block(input, ctx.viewer);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => Boolean, { description: 'Lifts a block (it stays in the history); true when this call lifted it, false when it was lifted before.' })
  unblockIdentifier(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.identityRulesService.unblock(id, ctx.viewer);
  }

  @Authorized(CAN.supervise)
  @Query(() => [String], { description: 'The words that, as the whole of an inbound SMS or WhatsApp message, withdraw MARKETING for its sender.' })
  optOutKeywords() {
    return this.identityRulesService.optOutKeywords();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => [String], { description: 'Replaces the opt-out keywords (one word each, upper-cased; at most 50). Answers the list as stored.' })
  setOptOutKeywords(@Arg('keywords', () => [String]) keywords: string[], @Ctx() ctx: RequestContext) {
    return this.identityRulesService.setOptOutKeywords(keywords, ctx.viewer);
  }

  @Authorized(CAN.mergeCustomers)
  @Mutation(() => Customer, {
    description: 'Moves one email, phone or handle of the customer, with its consent history, to a new customer (audited, IDENTIFIER_DETACHED). '
      + 'Answers the new customer. The last identifier of a customer is CONFLICT. mergeCustomers brings it back.',
  })
  async detachIdentifier(@Arg('input', () => DetachIdentifierInput) input: DetachIdentifierInput, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(await this.detachService.detach(input, ctx.viewer));
  }

  @Authorized(CAN.mergeCustomers)
  @Query(() => MergePreview, { description: 'What mergeCustomers(survivorId, mergedId) would move, table by table, and any conflict; writes nothing.' })
  mergePreview(@Arg('survivorId', () => ID) survivorId: string, @Arg('mergedId', () => ID) mergedId: string) {
    return this.mergePreviewService.preview(survivorId, mergedId);
  }
}

@Resolver(() => MergePreview)
export class MergePreviewResolver {
  @Access({ roles: READ.supervisors, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer, { description: 'The customer that would stay.' })
  survivor(@Root() preview: MergePreview, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(preview.survivorId);
  }

  @Access({ roles: READ.supervisors, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer, { description: 'The customer whose rows would move.' })
  merged(@Root() preview: MergePreview, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(preview.mergedId);
  }
}
