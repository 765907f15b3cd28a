import type { RequestContext } from '../context';

/**
 * True for a viewer who holds marketing but not the customer-reading roles: such a viewer reads
 * customers only as segment members, under consent. Which Customer fields it may read is each
 * field's declared rule (auth/access.ts, enforced by auth/field-guard.ts).
 */
export function isMarketingOnly(ctx: RequestContext): boolean {
  return ctx.viewer.roles.has('marketing') && !ctx.viewer.roles.has('viewer');
}
