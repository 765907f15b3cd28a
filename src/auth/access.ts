/** The typed declaration of field rules: roles, consent purpose, data class (storage in graphql/access.ts). */
import { accessExtension, HOLDER_ROLES, type FieldRule as StoredRule } from '../graphql';
import type { Role } from './roles';

/**
 * Declares the rule of a type (the default of its fields) or of one field: who may read it, the
 * consent purpose it needs, what it holds. A field's declaration overrides its type's property by
 * property: `@Access({ dataClass: CONTACT })` keeps the type's roles. Roles and data class must be
 * known for every field, one way or the other (test/integration/field-rules.test.ts). Every path
 * that shows a field reads this: the field guard of the schema (auth/field-guard.ts), compiled
 * reads and fast paths, subscription payloads.
 */
export function Access(rule: Partial<FieldRule>): ClassDecorator & MethodDecorator & PropertyDecorator {
  return accessExtension(rule);
}

/** A declared rule, with the roles of this service (src/graphql/access.ts stores it). */
export type FieldRule = StoredRule<Role>;
export { ACCESS_KEY } from '../graphql';

/**
 * Who may read, by name. A field's rule lists roles before implication (`viewer` admits agent,
 * supervisor and admin; admin holds every role).
 */
export const READ = {
  /** Whoever was handed the object: the field that returned it was checked (connections, edges, ids). */
  holders: [...HOLDER_ROLES] as Role[],
  /** People reading customer 360s. */
  readers: ['viewer'] as Role[],
  /** Readers, and marketing on a segment member (a consented view). */
  readersAndMarketing: ['viewer', 'marketing'] as Role[],
  /** Readers, and the ingest job reading back what identifies what it wrote. */
  readersAndIngest: ['viewer', 'ingest'] as Role[],
  agents: ['agent'] as Role[],
  supervisors: ['supervisor'] as Role[],
  /** Aggregate metrics: supervisors and marketing. */
  metrics: ['supervisor', 'marketing'] as Role[],
  /** Consented segment members: marketing (MARKETING) and supervisors (SERVICE). */
  segments: ['marketing', 'supervisor'] as Role[],
  admins: ['admin'] as Role[],
};
