import { compileSafePattern, UnsafePatternError, type SafePattern } from '../common';

/**
 * The churn rule: the one definition of "this interaction carries a churn signal".
 *
 * An interaction carries a churn signal when one of its topics is `churn` or its text matches
 * the stored churn pattern (priority settings, `churnPattern`). The queue ranks in PostgreSQL and
 * explains the rank in TypeScript, so the rule has two forms; both are generated here from the
 * one stored pattern, and neither engine interprets the supervisor's pattern itself:
 *
 * - the pattern is parsed into a small regular language (literals, `.`, classes, groups,
 *   alternation, quantifiers, `^ $ \b \B \d \w \s` and their negations);
 * - case-insensitivity is spelled out: each letter becomes the class of its case variants, so
 *   both forms are case-sensitive matches of explicit code points (no locale, no `i` flag);
 * - every class (`\d \w \s .` included) is written as explicit code-point ranges, and every
 *   character outside [A-Za-z0-9] as a code-point escape.
 *
 * What is left is the same regular language in both engines; whether a text contains a match
 * of a regular language does not depend on how an engine searches, so `js.test(text)` and
 * `text ~ sql` agree. The TypeScript form runs on the one safe compiler
 * (src/common/safe-pattern.ts, RE2): linear in the text whatever the supervisor saved. test/integration/churn-rule.test.ts checks that on
 * the real database over generated patterns and texts. The database must be UTF-8 (PostgreSQL
 * regexes then work on code points, as a JavaScript `u` regex does).
 *
 * Usage: `const { js, sql } = compileChurnPattern('(cancel|switch(ing)? to)')`;
 * SQL: `content ~ sql` (the stored settings keep it as weights->>'churnPatternSql').
 */

/** The topic that marks an interaction as a churn signal whatever its text says. */
export const CHURN_TOPIC = 'churn';

export interface CompiledChurnPattern {
  /** For `js.test(text)` on the interaction's text (RE2, linear time). */
  js: SafePattern;
  /** A PostgreSQL ARE for `content ~ sql` (case-sensitive operator: the cases are in the pattern). */
  sql: string;
}

/** A pattern outside the churn rule's language; the message names what to change. */
export class ChurnPatternError extends Error {}

/** Quantifier bounds PostgreSQL accepts (RE_DUPMAX). */
const MAX_REPEAT = 255;
export const MAX_PATTERN_LENGTH = 500;

/** Sorted, disjoint, non-adjacent inclusive code-point ranges. */
type Ranges = [number, number][];

type Node =
  | { kind: 'set'; ranges: Ranges }
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'boundary'; negated: boolean }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number | null };

const MAX_CODE_POINT = 0x10ffff;
/** What a text can hold: PostgreSQL text has no NUL, and UTF-8 no surrogates. */
const TEXT_CHARS: Ranges = [[0x1, 0xd7ff], [0xe000, MAX_CODE_POINT]];
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** What JavaScript's \s matches. */
const SPACE: Ranges = normalise([
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a],
  [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
]);

/** Parses and compiles a pattern; throws ChurnPatternError. */
export function compileChurnPattern(pattern: string): CompiledChurnPattern {
  const tree = parse(pattern);
  let js: SafePattern;
  try {
    js = compileSafePattern(emit(tree, 'js'));
  } catch (error) {
    if (error instanceof UnsafePatternError) throw new ChurnPatternError(`churnPattern: ${error.message}`);
    throw error;
  }
  return { js, sql: emit(tree, 'sql') };
}

const compiled = new Map<string, CompiledChurnPattern>();

/** compileChurnPattern, remembered per pattern (a process sees one or two patterns). */
export function churnPatternOf(pattern: string): CompiledChurnPattern {
  let c = compiled.get(pattern);
  if (!c) {
    if (compiled.size >= 100) compiled.clear();
    c = compileChurnPattern(pattern);
    compiled.set(pattern, c);
  }
  return c;
}

/** The churn rule in TypeScript: tagged `churn`, or the text matches the pattern. */
export function hasChurnSignal(content: string, topics: readonly string[], pattern: string): boolean {
  return topics.includes(CHURN_TOPIC) || churnPatternOf(pattern).js.test(content);
}

/**
 * The churn rule in SQL, over the stored weights `w` (jsonb): the same two conditions. The
 * pattern part reads the SQL form the settings store beside the pattern (see
 * PrioritySettingsService and migration 1795720000000).
 */
export function churnSignalSql(w: string, content: string, topics: string): string {
  return `(${content} ~ (${w}->>'churnPatternSql') OR '${CHURN_TOPIC}' = ANY(${topics}))`;
}

// ---- parsing -------------------------------------------------------------------------------

function parse(pattern: string): Node {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new ChurnPatternError(`churnPattern must be 1-${MAX_PATTERN_LENGTH} characters`);
  }
  const chars = [...pattern];
  let pos = 0;
  const fail = (what: string): never => {
    throw new ChurnPatternError(`churnPattern: ${what} at character ${pos + 1}`);
  };
  const peek = () => chars[pos];

  function alternation(): Node {
    const options = [sequence()];
    while (peek() === '|') {
      pos++;
      options.push(sequence());
    }
    return options.length === 1 ? options[0] : { kind: 'alt', options };
  }

  function sequence(): Node {
    const items: Node[] = [];
    while (pos < chars.length && peek() !== '|' && peek() !== ')') items.push(quantified());
    // An empty alternative matches every text: almost certainly a typo.
    if (items.length === 0) fail('an empty alternative or group');
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  }

  function quantified(): Node {
    const node = atom();
    const q = quantifier();
    if (!q) return node;
    if (node.kind === 'start' || node.kind === 'end' || node.kind === 'boundary') fail('a quantifier on an anchor');
    // Lazy and greedy quantifiers find a match in the same texts.
    if (peek() === '?') pos++;
    if (quantifierAhead()) fail('a quantifier after a quantifier');
    // (a*)* means (a*), and JavaScript's backtracking can take exponential time over it.
    if (holdsRepeat(node)) fail('a quantifier on a group that holds a quantifier');
    return { kind: 'repeat', node, ...q };
  }

  function quantifierAhead(): boolean {
    const c = peek();
    return c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d/.test(chars.slice(pos, pos + 2).join('')));
  }

  function quantifier(): { min: number; max: number | null } | null {
    const c = peek();
    if (c === '*') return pos++, { min: 0, max: null };
    if (c === '+') return pos++, { min: 1, max: null };
    if (c === '?') return pos++, { min: 0, max: 1 };
    if (c !== '{') return null;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(pos, pos + 12).join(''));
    if (!m) return fail('a "{" that is not a quantifier {n}, {n,} or {n,m} (write \\{ for the character)');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
    if (min > MAX_REPEAT || (max !== null && max > MAX_REPEAT)) fail(`a repetition count above ${MAX_REPEAT}`);
    if (max !== null && max < min) fail('a quantifier {n,m} with m < n');
    pos += m[0].length;
    return { min, max };
  }

  function atom(): Node {
    const c = chars[pos++];
    switch (c) {
      case '(': {
        if (peek() === '?') fail('"(?": lookarounds and group options mean different things in PostgreSQL; use only alternation, groups, classes and quantifiers');
        const inner = alternation();
        if (peek() !== ')') fail('a "(" without its ")"');
        pos++;
        // A group may be quantified even when it holds only an anchor: "(^)?".
        return inner.kind === 'start' || inner.kind === 'end' || inner.kind === 'boundary' ? { kind: 'seq', items: [inner] } : inner;
      }
      case ')': return fail('a ")" without its "("');
      case '[': return classAtom();
      case ']': return fail('a "]" without its "[" (write \\] for the character)');
      case '}': return fail('a "}" without its "{" (write \\} for the character)');
      case '{': pos--; return fail('a quantifier with nothing to repeat');
      case '*': case '+': case '?': pos--; return fail('a quantifier with nothing to repeat');
      case '.': return { kind: 'set', ranges: TEXT_CHARS };
      case '^': return { kind: 'start' };
      case '$': return { kind: 'end' };
      case '\\': return escapeAtom();
      default: return { kind: 'set', ranges: caseClosure([[c.codePointAt(0)!, c.codePointAt(0)!]]) };
    }
  }

  function escapeAtom(): Node {
    const c = chars[pos++];
    if (c === 'b' || c === 'B') return { kind: 'boundary', negated: c === 'B' };
    const cls = classEscape(c);
    if (cls) return { kind: 'set', ranges: cls };
    return { kind: 'set', ranges: caseClosure([single(charEscape(c))]) };
  }

  /** \d \D \w \W \s \S, or null. They mean the same in any case. */
  function classEscape(c: string | undefined): Ranges | null {
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      default: return null;
    }
  }

  /** The code point of \n \r \t \f \v or an escaped punctuation character. */
  function charEscape(c: string | undefined): number {
    if (c === undefined) return fail('a "\\" at the end');
    const control: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b };
    if (c in control) return control[c];
    if (/^[!-/:-@[-`{-~]$/.test(c)) return c.codePointAt(0)!;
    pos--;
    return fail(`"\\${c}", which is not supported (escapes: \\d \\w \\s \\b, their capitals, \\n \\r \\t \\f \\v and punctuation)`);
  }

  function classAtom(): Node {
    let negated = false;
    if (peek() === '^') {
      negated = true;
      pos++;
    }
    const parts: Ranges = [];
    let first = true;
    while (true) {
      const c = chars[pos];
      if (c === undefined) fail('a "[" without its "]"');
      if (c === ']') {
        if (first) fail('an empty class "[]" (write \\] for the character)');
        pos++;
        break;
      }
      first = false;
      // PostgreSQL reads "[:", "[." and "[=" as POSIX classes; JavaScript as characters.
      if (c === '[') fail('a "[" inside a class (write \\[ for the character)');
      const lo = classChar();
      if (Array.isArray(lo)) {
        parts.push(...lo);
        continue;
      }
      if (chars[pos] === '-' && chars[pos + 1] !== undefined && chars[pos + 1] !== ']') {
        pos++;
        if (chars[pos] === '[') fail('a "[" inside a class (write \\[ for the character)');
        const hi = classChar();
        if (Array.isArray(hi)) fail('a range that ends in a class escape');
        if ((hi as number) < lo) fail('a range whose end comes before its start');
        parts.push(...caseClosure([[lo, hi as number]]));
      } else {
        parts.push(...caseClosure([single(lo)]));
      }
    }
    const ranges = normalise(parts);
    return { kind: 'set', ranges: negated ? complement(ranges) : ranges };
  }

  /** One class member: a code point, or the ranges of \d \w \s and their capitals. */
  function classChar(): number | Ranges {
    const c = chars[pos++];
    if (c !== '\\') return c.codePointAt(0)!;
    const e = chars[pos++];
    if (e === 'b' || e === 'B') {
      pos--;
      return fail('"\\b" inside a class');
    }
    return classEscape(e) ?? charEscape(e);
  }

  const tree = alternation();
  if (pos < chars.length) fail('a ")" without its "("');
  return tree;
}

function holdsRepeat(node: Node): boolean {
  switch (node.kind) {
    case 'repeat': return true;
    case 'seq': return node.items.some(holdsRepeat);
    case 'alt': return node.options.some(holdsRepeat);
    default: return false;
  }
}

// ---- code-point sets -----------------------------------------------------------------------

function single(cp: number): [number, number] {
  return [cp, cp];
}

function normalise(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return intersect(out, TEXT_CHARS);
}

function intersect(a: Ranges, b: Ranges): Ranges {
  const out: Ranges = [];
  for (const [alo, ahi] of a) {
    for (const [blo, bhi] of b) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return out;
}

/** The text characters outside the (normalised) set. */
function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalise(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return normalise(out);
}

/**
 * Case variants: two characters are the same letter when one is the other's upper or lower
 * case (a single character), transitively: {k, K, U+212A KELVIN SIGN}, {s, S, ſ}, {ß, ẞ}.
 * Built once, from the code points below U+20000 that have a case (none above).
 */
let variantClasses: Map<number, number[]> | null = null;

function variantsOf(cp: number): number[] | undefined {
  if (!variantClasses) {
    const parent = new Map<number, number>();
    const find = (x: number): number => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const union = (a: number, b: number) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra, rb);
    };
    for (let x = 0; x < 0x20000; x++) {
      if (x >= 0xd800 && x <= 0xdfff) continue;
      const s = String.fromCodePoint(x);
      for (const v of [s.toLowerCase(), s.toUpperCase()]) {
        const y = v.codePointAt(0)!;
        if (y !== x && v.length === String.fromCodePoint(y).length) union(x, y);
      }
    }
    const classes = new Map<number, number[]>();
    for (const x of parent.keys()) {
      const r = find(x);
      classes.set(r, [...(classes.get(r) ?? []), x]);
    }
    variantClasses = new Map();
    for (const members of classes.values()) {
      if (members.length < 2) continue;
      for (const m of members) variantClasses.set(m, members);
    }
  }
  return variantClasses.get(cp);
}

/** The set with every case variant of its members added. */
function caseClosure(ranges: Ranges): Ranges {
  const out: Ranges = [...ranges];
  for (const [lo, hi] of ranges) {
    if (lo === hi) {
      for (const m of variantsOf(lo) ?? []) out.push(single(m));
      continue;
    }
    variantsOf(0);
    for (const [cp, members] of variantClasses!) {
      if (cp >= lo && cp <= hi) for (const m of members) out.push(single(m));
    }
  }
  return normalise(out);
}

// ---- emitting ------------------------------------------------------------------------------

type Dialect = 'js' | 'sql';

const WORD_CLASS: Node = { kind: 'set', ranges: WORD };

function emit(node: Node, d: Dialect): string {
  switch (node.kind) {
    case 'set': return emitSet(node.ranges, d);
    case 'start': return '^';
    case 'end': return '$';
    case 'boundary': {
      // Between a word character and a non-word one (or an end): RE2's \b is exactly that, over
      // the ASCII word characters of WORD. PostgreSQL's \y would judge by the locale's letters,
      // so the SQL form spells it with lookarounds.
      if (d === 'js') return node.negated ? '\\B' : '\\b';
      const w = emit(WORD_CLASS, d);
      return node.negated
        ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`
        : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    }
    case 'seq': return node.items.map((n) => emit(n, d)).join('');
    case 'alt': return `(?:${node.options.map((n) => emit(n, d)).join('|')})`;
    case 'repeat': {
      const inner = node.node.kind === 'seq' || node.node.kind === 'repeat' ? `(?:${emit(node.node, d)})` : emit(node.node, d);
      const { min, max } = node;
      const q = max === null ? (min === 0 ? '*' : min === 1 ? '+' : `{${min},}`)
        : min === 0 && max === 1 ? '?'
        : min === max ? `{${min}}`
        : `{${min},${max}}`;
      return inner + q;
    }
  }
}

function emitSet(ranges: Ranges, d: Dialect): string {
  // Nothing matches the empty set; neither RE2 nor PostgreSQL has [] for it.
  if (ranges.length === 0) return d === 'js' ? '[^\\x{0}-\\x{10ffff}]' : '[^\\u0001-\\ud7ff\\ue000-\\U0010ffff]';
  if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) return emitChar(ranges[0][0], d);
  // A set that holds most characters is shorter as the complement, but only in PostgreSQL:
  // a negated class also takes NUL and surrogates, which RE2 could meet in a JavaScript string
  // (a lone surrogate) and PostgreSQL text never holds. Listed, a class holds only TEXT_CHARS.
  const rest = complement(ranges);
  const [negate, listed] = d === 'sql' && rest.length < ranges.length ? ['^', rest] : ['', ranges];
  if (negate && listed.length === 0) return '.';
  // Negated (PostgreSQL only), the class also takes NUL and surrogates, which no text holds there.
  const body = listed.map(([lo, hi]) => (lo === hi ? emitChar(lo, d) : `${emitChar(lo, d)}-${emitChar(hi, d)}`)).join('');
  return `[${negate}${body}]`;
}

function emitChar(cp: number, d: Dialect): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return String.fromCodePoint(cp);
  const hex = cp.toString(16);
  if (d === 'js') return `\\x{${hex}}`;
  return cp <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}
