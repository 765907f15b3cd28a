import type { AuthChecker } from 'type-graphql';
import { DomainError } from '../graphql/errors';
import type { RequestContext } from '../http/context';
import type { Role } from './roles';

/**
 * `@Authorized(...roles)`: the viewer needs one of the roles (after role implication, so
 * `@Authorized('viewer')` also admits agent, supervisor and admin). A wrong role is FORBIDDEN.
 */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  if (roles.length === 0 || roles.some((role) => context.viewer.roles.has(role))) return true;
  throw new DomainError('FORBIDDEN', `this operation needs one of the roles: ${roles.join(', ')}`);
};
