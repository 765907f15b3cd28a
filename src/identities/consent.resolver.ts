import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import type { RequestContext } from '../context';
import { SetConsentInput } from './consent.inputs';
import { Consent } from './identity.types';
import type { ConsentService } from './consent.service';

@Resolver()
export class ConsentResolver {
  constructor(private readonly consentService: ConsentService) {}

  @Authorized(CAN.recordConsent)
  @Mutation(() => Consent, { description: 'Grant, deny or withdraw one purpose for one handle or contact point; appended to the history.' })
  setConsent(@Arg('input', () => SetConsentInput) input: SetConsentInput, @Ctx() ctx: RequestContext) {
    return this.consentService.setConsent(input, ctx.viewer.sub);
  }
}
