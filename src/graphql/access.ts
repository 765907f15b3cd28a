import { Extensions } from 'type-graphql';
import type { ConsentPurpose, PersonalDataClass } from './enums';

/**
 * The one declaration of who may read a field, the consent it needs and what it holds, stored in
 * the field's (or its type's) GraphQL extensions under `access`. `src/auth/access.ts` is the typed
 * face of it that features use; this layer holds the storage so that `graphql/` itself (page
 * info, edges) can declare its structural types.
 */
export interface FieldRule<R extends string = string> {
  /**
   * Roles that may read the field (role implication applies: `viewer` admits agent,
   * supervisor and admin). Written out per field or type so the matrix is the spec.
   */
  readonly roles: readonly R[];
  /**
   * The consent purpose the customer must hold at the instant of the read for the value to
   * be shown to a role that reads under consent (marketing); unset: none needed.
   */
  readonly purpose?: ConsentPurpose;
  /** What the value is, personal-data-wise. */
  readonly dataClass: PersonalDataClass;
}

/** The extensions key under which a FieldRule is stored on a GraphQL type or field. */
export const ACCESS_KEY = 'access';

/** Stores a (partial) rule on a type or a field: see `Access` in src/auth/access.ts. */
export function accessExtension<R extends string>(rule: Partial<FieldRule<R>>): ClassDecorator & MethodDecorator & PropertyDecorator {
  return Extensions({ [ACCESS_KEY]: rule });
}

/**
 * The roles that together can hold any object (a reader, marketing on a segment member, ingest on
 * what a mutation returns): a rule listing all three needs no check, and every role is one of them
 * or implies one.
 */
export const HOLDER_ROLES = ['viewer', 'marketing', 'ingest'] as const;

/** Structural types (page info, edges, connections): whoever holds the parent may read them. */
export const STRUCTURAL = { roles: HOLDER_ROLES, dataClass: 'OPERATIONAL' as PersonalDataClass } as const;
