import type { Role } from '../auth/roles';
import { DomainError } from '../graphql/errors';
import { ConsentPurpose } from '../graphql/enums';

/**
 * Which role may take a consented list out of the service under which purpose. The purpose is
 * what the customer said yes to, so the caller cannot pick it freely: a marketing token asking
 * for SERVICE would reach people who refused marketing. Roles are the effective ones (admin
 * implies supervisor and marketing, so it may use all three).
 */
export const PURPOSE_ROLES: Readonly<Record<ConsentPurpose, readonly Role[]>> = {
  [ConsentPurpose.MARKETING]: ['marketing'],
  [ConsentPurpose.SERVICE]: ['supervisor', 'admin'],
  [ConsentPurpose.PROFILING]: ['admin'],
};

/** The purposes these (effective) roles may use, in enum order. */
export function purposesFor(roles: ReadonlySet<Role>): ConsentPurpose[] {
  return Object.values(ConsentPurpose).filter((purpose) => PURPOSE_ROLES[purpose].some((role) => roles.has(role)));
}

/**
 * The one check for every path where consented identifiers leave the service (segment pages,
 * the HTTP and command-line exports, webhooks): FORBIDDEN unless one of the viewer's roles
 * may use `purpose`.
 * Usage: `checkPurposeForRoles(ctx.viewer.roles, purpose)`
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
