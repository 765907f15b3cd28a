import { Extensions } from 'type-graphql';
import type { ConsentPurpose, PersonalDataClass } from '../graphql/enums';
import type { Role } from './roles';

/**
 * The one declaration of who may read a field, the consent it needs and what it holds.
 * Put `@Access({...})` on an object type (the default for all its fields) or on a field (which
 * overrides the type's). Every path that shows a field reads this: the field guard of the
 * schema, the marketing guard, compiled reads and fast paths, subscription and webhook
 * payloads, erasure and export. A field of an object type with no rule of its own or of its
 * type fails a test.
 */
export interface FieldRule {
  /**
   * Roles that may read the field (role implication applies: `viewer` admits agent,
   * supervisor and admin). Written out per field so the matrix is the spec.
   */
  readonly roles: readonly Role[];
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

/** Declares the rule of a type (default for its fields) or of one field. */
export function Access(rule: FieldRule): ClassDecorator & MethodDecorator & PropertyDecorator {
  return Extensions({ [ACCESS_KEY]: rule });
}
