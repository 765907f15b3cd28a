import { ConsentPurpose, DomainError } from '../graphql';
import type { Role } from './roles';

/**
 * Which role may take a consented list out of the service under which purpose: segment pages,
 * the HTTP and command-line exports, webhooks. The purpose is what the customer said yes to, so
 * the caller cannot pick it freely: a marketing token asking for SERVICE would reach people who
 * refused marketing. Marketing reaches people for MARKETING only; SERVICE outreach is a
 * supervisor's decision; PROFILING an admin's. Roles are the effective ones (admin holds them all).
 */
export const PURPOSE_ROLES: Readonly<Record<ConsentPurpose, readonly Role[]>> = {
  [ConsentPurpose.MARKETING]: ['marketing'],
  [ConsentPurpose.SERVICE]: ['supervisor'],
  [ConsentPurpose.PROFILING]: ['admin'],
};

/** The purposes these (effective) roles may use, in enum order. */
export function purposesFor(roles: ReadonlySet<Role>): ConsentPurpose[] {
  return Object.values(ConsentPurpose).filter((purpose) => PURPOSE_ROLES[purpose].some((role) => roles.has(role)));
}

/**
 * The one check for every path where consented identifiers leave the service: BAD_USER_INPUT for
 * an unknown purpose, FORBIDDEN (naming the argument and the purposes allowed) unless one of the
 * viewer's roles may use `purpose`.
 * Usage: `checkPurposeForRoles(ctx.viewer.roles, purpose)`, `checkPurposeForRoles(by.roles, input.purpose, 'input.purpose')`
 */
export function checkPurposeForRoles(roles: ReadonlySet<Role>, purpose: ConsentPurpose, field = 'purpose'): void {
  if (!Object.values(ConsentPurpose).includes(purpose)) {
    throw new DomainError('BAD_USER_INPUT', `${field} must be one of ${Object.values(ConsentPurpose).join(', ')}`, { field });
  }
  if (PURPOSE_ROLES[purpose].some((role) => roles.has(role))) return;
  throw new DomainError('FORBIDDEN', `purpose ${purpose} needs one of the roles: ${PURPOSE_ROLES[purpose].join(', ')}`, {
    field,
    allowedPurposes: purposesFor(roles),
  });
}
