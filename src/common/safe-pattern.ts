import { RE2JS } from 're2js';

/**
 * The one compiler of every pattern the service runs over people's text: stored PII patterns,
 * the churn pattern, keyword rules and the email finder. Patterns run on RE2 (the `re2js`
 * port), an automaton engine whose time is linear in the text whatever the pattern: a
 * supervisor cannot save a pattern that takes exponential time (`(a+)+$`), and a 10,000
 * character post cannot make a finder quadratic. JavaScript's RegExp backtracks, so no
 * pattern from storage reaches it.
 *
 * RE2 cannot express backreferences or lookarounds (they are what needs backtracking): such a
 * pattern is refused here with UnsafePatternError, which saving paths turn into BAD_USER_INPUT.
 * Syntax is RE2's (docs/security-and-operations.md#stored-patterns-are-linear-time): `\d \w \s \b`
 * are ASCII, `\p{L}` works, `\x{1F600}` is a code point.
 *
 * Usage: `const p = compileSafePattern('(cancel|switch(ing)? to)', { caseInsensitive: true }); p.test(text)`
 */

/**
 * The members of JavaScript's `\s`, for use inside a class (`[^${JS_SPACE}@]`): RE2's `\s` is
 * ASCII only, and a pattern written for RegExp expects no-break and other unicode spaces too.
 */
export const JS_SPACE = '\\t-\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';

/** A pattern RE2 refuses; the message says why, for a BAD_USER_INPUT answer. */
export class UnsafePatternError extends Error {}

/** One match: where it starts (UTF-16 index, as String.prototype.slice counts), its text, and group 1 when it took part. */
export interface SafeMatch {
  index: number;
  text: string;
  group1: string | undefined;
}

export interface SafePattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in the text. */
  test(text: string): boolean;
  /** Every match, left to right, not overlapping (an empty match advances one character). */
  matchAll(text: string): SafeMatch[];
}

export interface SafePatternOptions {
  caseInsensitive?: boolean;
}

function refuse(error: unknown): never {
  const why = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
  throw new UnsafePatternError(`pattern not accepted (${why}); backreferences and lookarounds are not supported`);
}

/** Compiles a pattern for linear-time matching; throws UnsafePatternError. */
export function compileSafePattern(source: string, options: SafePatternOptions = {}): SafePattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    refuse(error);
  }
  return {
    source,
    test: (text) => re.test(text),
    matchAll: (text) => [...re.matchAll(text)].map((m) => ({ index: m.index ?? 0, text: m[0], group1: m[1] ?? undefined })),
  };
}
