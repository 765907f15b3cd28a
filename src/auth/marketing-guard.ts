import type { MiddlewareFn } from 'type-graphql';
import { DomainError } from '../graphql/errors';
import type { RequestContext } from '../context';

/**
 * Customer fields a marketing-only token may read on a segment member. Everything else on
 * Customer (emails, phones, handles, interactions, conversations, and any field added later)
 * is refused: a marketing token gets identifiers only through SegmentMember, which lists the
 * consented ones. Allow-list, so a new Customer field is closed until someone opens it here.
 */
const MARKETING_CUSTOMER_FIELDS = new Set([
  '__typename', 'id', 'displayName', 'tier', 'city', 'region', 'country', 'createdAt', 'influence', 'influenceByTopic', 'priority',
]);

/** True for a viewer who holds marketing but not the customer-reading roles. */
export function isMarketingOnly(ctx: RequestContext): boolean {
  return ctx.viewer.roles.has('marketing') && !ctx.viewer.roles.has('viewer');
}

/** Global middleware: FORBIDDEN for Customer fields outside the allow-list when the viewer is marketing-only. */
export const marketingCustomerGuard: MiddlewareFn<RequestContext> = ({ context, info }, next) => {
  if (info.parentType.name === 'Customer' && !MARKETING_CUSTOMER_FIELDS.has(info.fieldName) && isMarketingOnly(context)) {
    throw new DomainError(
      'FORBIDDEN',
      `Customer.${info.fieldName} is not available to the marketing role: use the consented identifiers of the segment member`,
    );
  }
  return next();
};
