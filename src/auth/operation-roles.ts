import { getMetadataStorage } from 'type-graphql';
import type { Role } from './roles';

/**
 * The roles of a root operation's `@Authorized`, read back from type-graphql's metadata, so a
 * path that answers the operation without type-graphql (src/fast-paths/) admits exactly whom the
 * resolver admits, from the resolver's one declaration. Call it once the resolvers are loaded
 * (the schema built). Throws for an operation without roles: nothing may be answered unchecked.
 * Usage: `const roles = operationRoles('mutation', 'claimNextInteraction')`
 */
export function operationRoles(kind: 'query' | 'mutation' | 'subscription', name: string): readonly Role[] {
  const md = getMetadataStorage();
  const handlers = kind === 'query' ? md.queries : kind === 'mutation' ? md.mutations : md.subscriptions;
  const handler = handlers.find((h) => h.schemaName === name);
  const authorized = handler && md.authorizedFields.find((a) => a.target === handler.target && a.fieldName === handler.methodName);
  if (!authorized || authorized.roles.length === 0) throw new Error(`${kind} ${name} declares no roles (@Authorized)`);
  return authorized.roles as Role[];
}
