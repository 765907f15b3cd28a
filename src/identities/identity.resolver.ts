import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers/customer.types';
import type { RequestContext } from '../http/context';
import { Consent, ConsentEvent, ContactPoint, SocialIdentity } from './identity.types';

@Resolver(() => SocialIdentity)
export class SocialIdentityResolver {
  @FieldResolver(() => [Consent], { description: 'Current state, one per purpose.' })
  consents(@Root() identity: SocialIdentity, @Ctx() ctx: RequestContext) {
    return ctx.loaders.consentsBySocialIdentityId.load(identity.id);
  }

  @FieldResolver(() => [ConsentEvent], { description: 'Every consent event, oldest first.' })
  consentHistory(@Root() identity: SocialIdentity, @Ctx() ctx: RequestContext) {
    return ctx.loaders.consentHistoryBySocialIdentityId.load(identity.id);
  }

  @FieldResolver(() => Customer)
  customer(@Root() identity: SocialIdentity, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(identity.customerId);
  }
}

@Resolver(() => ContactPoint)
export class ContactPointResolver {
  @FieldResolver(() => [Consent], { description: 'Current state, one per purpose.' })
  consents(@Root() contactPoint: ContactPoint, @Ctx() ctx: RequestContext) {
    return ctx.loaders.consentsByContactPointId.load(contactPoint.id);
  }
}
