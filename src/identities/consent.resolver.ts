import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { SetConsentInput } from './consent.inputs';
import { Consent } from './identity.types';

@Resolver()
export class ConsentResolver {
  @Authorized(CAN.recordConsent)
  @Mutation(() => Consent, { description: 'Grant, deny or withdraw one purpose for one handle or contact point; appended to the history.' })
  setConsent(@Arg('input', () => SetConsentInput) input: SetConsentInput, @Ctx() ctx: RequestContext) {
    return ctx.services.consents.setConsent(input, ctx.viewer.sub);
  }
}
