import type { AuthChecker } from 'type-graphql';
import { DomainError } from '../graphql';
import type { RequestContext } from '../context';
import type { Role } from './roles';

/**
 * Coordinates already audited as refused in a request, with their write: a refused field
 * inside a list, or asked for under two aliases, is logged once, and every refusal of it
 * waits for that write. (The first failing field can end the response: a second alias that
 * threw at once would answer the client before the entry was written.)
 */
const auditedDenials = new WeakMap<RequestContext, Map<string, Promise<void>>>();

/**
 * `@Authorized(...roles)`: the viewer needs one of the roles (after role implication, so
 * `@Authorized('viewer')` also admits agent, supervisor and admin). A wrong role is FORBIDDEN,
 * and the attempt goes to the audit log as ACCESS_DENIED with the schema coordinate as subject.
 */
export const authChecker: AuthChecker<RequestContext, Role> = async ({ context, info }, roles) => {
  if (roles.length === 0 || roles.some((role) => context.viewer.roles.has(role))) return true;
  return refuse(context, `${info.parentType.name}.${info.fieldName}`, roles, 'this operation');
};

/**
 * FORBIDDEN ("<what> needs one of the roles: ..."), after the ACCESS_DENIED entry for `coordinate`
 * is written (once per coordinate and request). Every refusal goes through here: operations
 * (@Authorized), fields (the declared rules, field-guard.ts), subscriptions, Query.node.
 */
export async function refuse(context: RequestContext, coordinate: string, roles: readonly Role[], what: string): Promise<never> {
  const seen = auditedDenials.get(context) ?? new Map<string, Promise<void>>();
  auditedDenials.set(context, seen);
  let written = seen.get(coordinate);
  if (!written) {
    // recordDenied logs a failed write instead of rejecting: the caller still gets FORBIDDEN.
    written = context.services.audit.recordDenied({
      actor: context.viewer,
      subject: coordinate,
      requestId: context.requestId,
      details: { required: [...roles], held: [...context.viewer.roles].sort() },
    });
    seen.set(coordinate, written);
  }
  await written;
  throw new DomainError('FORBIDDEN', `${what} needs one of the roles: ${roles.join(', ') || '(none declared)'}`);
}

/**
 * The role check of a subscription, made when it starts (type-graphql's @Authorized runs per
 * payload, too late to refuse the subscription itself): FORBIDDEN, audited like a refused query.
 */
export async function authorizeSubscription(context: RequestContext, roles: readonly Role[], coordinate: string): Promise<void> {
  return authorizeRoles(context, roles, coordinate, 'this subscription');
}

/**
 * A role check made inside a resolver, when the roles depend on what was found (Query.node: the
 * type of the object behind an id). FORBIDDEN and audited with `coordinate` as subject.
 * Usage: `await authorizeRoles(ctx, CAN.workQueue, 'Query.node(Incident)', 'reading an incident')`
 */
export async function authorizeRoles(context: RequestContext, roles: readonly Role[], coordinate: string, what = 'this operation'): Promise<void> {
  if (roles.some((role) => context.viewer.roles.has(role))) return;
  await refuse(context, coordinate, roles, what);
}
