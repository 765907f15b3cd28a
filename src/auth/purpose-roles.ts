import { ConsentPurpose } from '../graphql/enums';
import { DomainError } from '../graphql/errors';
import type { Role } from './roles';

/**
 * Who may take a consented list out of the service for each purpose (issue 22, "purpose bound
 * to role"): marketing reaches people for MARKETING only; SERVICE outreach is a supervisor's
 * decision; PROFILING an admin's. Roles are checked after implication (admin holds them all).
 */
export const PURPOSE_ROLES: Readonly<Record<ConsentPurpose, readonly Role[]>> = {
  [ConsentPurpose.MARKETING]: ['marketing'],
  [ConsentPurpose.SERVICE]: ['supervisor'],
  [ConsentPurpose.PROFILING]: ['admin'],
};

/** True when a viewer with these (effective) roles may use `purpose`. */
export function purposeAllowed(roles: ReadonlySet<Role>, purpose: ConsentPurpose): boolean {
  return PURPOSE_ROLES[purpose].some((r) => roles.has(r));
}

/**
 * FORBIDDEN (with the argument's path in `field`) unless the roles may use the purpose.
 * Usage: `checkPurpose(viewer.roles, input.purpose, 'input.purpose')`
 */
export function checkPurpose(roles: ReadonlySet<Role>, purpose: ConsentPurpose, field: string): void {
  if (!purposeAllowed(roles, purpose)) {
    throw new DomainError('FORBIDDEN', `the purpose ${purpose} needs one of the roles: ${PURPOSE_ROLES[purpose].join(', ')}`, { field });
  }
}
