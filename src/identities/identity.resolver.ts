import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers';
import { DateTimeScalar, PersonalDataClass } from '../graphql';
import type { RequestContext } from '../context';
import { Consent, ConsentEvent, ContactPoint, SocialIdentity } from './identity.types';
import { Access, READ } from '../auth';

const CONSENTS = 'One per purpose: the newest decision at `asOf` (default now); a grant past its expiry reads EXPIRED.';
const AS_OF = 'A past instant, to prove what was allowed then (e.g. when a campaign ran).';

@Resolver(() => SocialIdentity)
export class SocialIdentityResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => [Consent], { description: CONSENTS })
  consents(
    @Root() identity: SocialIdentity,
    @Ctx() ctx: RequestContext,
    @Arg('asOf', () => DateTimeScalar, { nullable: true, description: AS_OF }) asOf?: Date | null,
  ) {
    return ctx.loaders.consentsBySocialIdentityId.load({ identityId: identity.id, asOf: asOf ?? null });
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => [ConsentEvent], { description: 'Every consent event, oldest first.' })
  consentHistory(@Root() identity: SocialIdentity, @Ctx() ctx: RequestContext) {
    return ctx.loaders.consentHistoryBySocialIdentityId.load(identity.id);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer)
  customer(@Root() identity: SocialIdentity, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(identity.customerId);
  }
}

@Resolver(() => ContactPoint)
export class ContactPointResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => [Consent], { description: CONSENTS })
  consents(
    @Root() contactPoint: ContactPoint,
    @Ctx() ctx: RequestContext,
    @Arg('asOf', () => DateTimeScalar, { nullable: true, description: AS_OF }) asOf?: Date | null,
  ) {
    return ctx.loaders.consentsByContactPointId.load({ identityId: contactPoint.id, asOf: asOf ?? null });
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => [ConsentEvent], { description: 'Every consent event, oldest first.' })
  consentHistory(@Root() contactPoint: ContactPoint, @Ctx() ctx: RequestContext) {
    return ctx.loaders.consentHistoryByContactPointId.load(contactPoint.id);
  }
}
