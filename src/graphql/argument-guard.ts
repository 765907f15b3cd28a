import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { badInput } from './errors';

/**
 * Text PostgreSQL cannot store, refused in one place for every argument of every field before
 * its resolver runs: a NUL character (`text` cannot hold one: "invalid byte sequence for
 * encoding UTF8: 0x00") and half of a surrogate pair (no UTF-8 encoding). Both are valid in a
 * GraphQL string, so no scalar refuses them, and a service that stored the string answered
 * INTERNAL_SERVER_ERROR. Object keys (a JSON argument's) are checked too, and an argument
 * nested deeper than any input type goes (a JSON value) is refused before anything walks it.
 */

/** Deeper than any input type of the schema nests; a JSON argument past it is refused. */
export const MAX_ARGUMENT_DEPTH = 32;

/** Any NUL or surrogate code unit: most strings hold neither, and one scan settles it. */
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** What is wrong with a string for PostgreSQL text, or null. */
export function textProblem(value: string): string | null {
  if (!SUSPECT.test(value)) return null;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0) return 'a NUL character';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'an unpaired surrogate (invalid UTF-16)';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'an unpaired surrogate (invalid UTF-16)';
  }
  return null;
}

/** The path and problem of the first unstorable text in an argument value, or null. */
export function argumentProblem(value: unknown, path: string, depth = 0): { path: string; problem: string } | null {
  const found = problemAt(value, depth);
  return found && { path: path + found.steps.reverse().join(''), problem: found.problem };
}

/**
 * The walk behind argumentProblem. The path is assembled only for the value found (its steps
 * collected on the way back up, innermost first): a bulk argument of 1,000 items holds about ten
 * thousand values, and building a path string for each one cost more than checking it.
 */
function problemAt(value: unknown, depth: number): { steps: string[]; problem: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { steps: [], problem } : null;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (depth >= MAX_ARGUMENT_DEPTH) return { steps: [], problem: `more than ${MAX_ARGUMENT_DEPTH} levels of nesting` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = problemAt(value[i], depth + 1);
      if (found) return (found.steps.push(`[${i}]`), found);
    }
    return null;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const keyProblem = textProblem(key);
    if (keyProblem) return { steps: [], problem: `a key with ${keyProblem}` };
    const found = problemAt((value as Record<string, unknown>)[key], depth + 1);
    if (found) return (found.steps.push(`.${key}`), found);
  }
  return null;
}

/**
 * Puts the check in front of every field that takes arguments (src/schema.ts, once when the
 * schema is built): BAD_USER_INPUT naming the argument, e.g. `input.keywords[2] holds a NUL
 * character`, for a call whose arguments hold unstorable text. Fields without arguments (nearly
 * all of a response) are left as they are, so the check costs nothing there.
 */
export function applyArgumentGuard(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const check = (args: Record<string, unknown>) => {
        for (const [name, value] of Object.entries(args)) {
          const found = argumentProblem(value, name);
          if (found) throw badInput(found.path, `${found.path} holds ${found.problem}, which cannot be stored`);
        }
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        check(args);
        return resolve(source, args, context, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (source, args, context, info) => {
          check(args);
          return subscribe(source, args, context, info);
        };
      }
    }
  }
  return schema;
}
