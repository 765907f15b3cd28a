import type { AuthChecker } from 'type-graphql';
import { DomainError } from '../graphql/errors';
import type { RequestContext } from '../http/context';
import type { Role } from './roles';

/** Coordinates already audited as refused in a request: a refused field inside a list is logged once. */
const auditedDenials = new WeakMap<RequestContext, Set<string>>();

/**
 * `@Authorized(...roles)`: the viewer needs one of the roles (after role implication, so
 * `@Authorized('viewer')` also admits agent, supervisor and admin). A wrong role is FORBIDDEN,
 * and the attempt goes to the audit log as ACCESS_DENIED with the schema coordinate as subject.
 */
export const authChecker: AuthChecker<RequestContext, Role> = async ({ context, info }, roles) => {
  if (roles.length === 0 || roles.some((role) => context.viewer.roles.has(role))) return true;
  const coordinate = `${info.parentType.name}.${info.fieldName}`;
  const seen = auditedDenials.get(context) ?? new Set<string>();
  auditedDenials.set(context, seen);
  if (!seen.has(coordinate)) {
    seen.add(coordinate);
    await context.services.audit.recordDenied({
      actor: context.viewer,
      subject: coordinate,
      requestId: context.requestId,
      details: { required: roles, held: [...context.viewer.roles].sort() },
    });
  }
  throw new DomainError('FORBIDDEN', `this operation needs one of the roles: ${roles.join(', ')}`);
};
