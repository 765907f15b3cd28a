import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { compileSafePattern, JS_SPACE, UnsafePatternError, type SafeMatch, type SafePattern } from '../../common';
import { normaliseEmail, normalisePhone } from '../../identities';

// Private data in public posts: what the scan finds is shown masked and makes the queue
// suggest taking the conversation offline. It is never linked to a customer (that would be
// fuzzy linking by another name) and its full value is never stored apart from the post.

export enum PiiKind {
  CARD_NUMBER = 'CARD_NUMBER', EMAIL = 'EMAIL', PHONE = 'PHONE', ACCOUNT_NUMBER = 'ACCOUNT_NUMBER',
  POSTAL_ADDRESS = 'POSTAL_ADDRESS', OTHER = 'OTHER',
}

export interface PiiFindingValue {
  kind: PiiKind;
  /** The value with all but a few characters replaced by `*`. */
  masked: string;
}

/**
 * A stored pattern (table pii_patterns), run by the safe compiler (src/common/safe-pattern.ts):
 * RE2 syntax, no backreferences or lookarounds; group 1 is the value when present.
 */
export interface PiiPattern {
  name: string;
  kind: PiiKind;
  pattern: string;
  caseSensitive: boolean;
  enabled: boolean;
}

// The card and phone finders are fixed patterns whose every repetition is bounded (at most
// 19 digits, 22 characters), so even a backtracking engine tries a bounded number of steps per
// position; they keep their lookarounds on RegExp. The email finder has unbounded runs on
// both sides of the "@" and took quadratic time on a long run without one: it runs on RE2.
/** 13-19 digits, optionally grouped by single spaces or dashes. */
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const EMAIL_CANDIDATE = compileSafePattern(`[^${JS_SPACE}@"<>()\\[\\]\\\\,;:]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}`);
/** A phone number as people write one: optional +, digits with spaces, dots, dashes and brackets. */
const PHONE_CANDIDATE = /(?<![\w+])\+?\(?\d[\d ().-]{5,20}\d(?!\w)/g;

/** The matches of a fixed RegExp, in the safe compiler's shape. */
function regexMatches(re: RegExp, text: string): SafeMatch[] {
  return [...text.matchAll(re)].map((m) => ({ index: m.index, text: m[0], group1: m[1] }));
}

/** The Luhn check digit test (ISO/IEC 7812) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** `'4111111111111111'` -> `'************1111'`: everything but the last `keep` characters that are letters or digits. */
export function maskTail(value: string, keep = 4): string {
  const alnum = [...value].filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
  let seen = 0;
  return [...value].map((c) => {
    if (!/[\p{L}\p{N}]/u.test(c)) return c;
    seen += 1;
    return seen > alnum - keep ? c : '*';
  }).join('');
}

/** `'jane.doe@example.com'` -> `'j***@e******.com'`. */
function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  const dot = domain.lastIndexOf('.');
  const host = domain.slice(0, dot);
  return `${local[0]}***@${host[0]}${'*'.repeat(Math.max(1, host.length - 1))}${domain.slice(dot)}`;
}

/** `'+13135550142'` -> `'+1******0142'`: the country code and the last four digits stay. */
function maskPhone(e164: string, region: string): string {
  const cc = parsePhoneNumberFromString(e164, region.toUpperCase() as CountryCode)?.countryCallingCode ?? '';
  const national = e164.slice(1 + cc.length);
  return `+${cc}${'*'.repeat(Math.max(0, national.length - 4))}${national.slice(-4)}`;
}

/** `'221B Baker Street'` -> `'2*** B**** S*****'`: the first character of each word. */
function maskWords(value: string): string {
  return value.replace(/[\p{L}\p{N}]+/gu, (w) => w[0] + '*'.repeat(w.length - 1));
}

/** By case mode, then by pattern: the pattern string itself is the key (its hash is kept on the string, so no key is built per item). */
const compiled = { i: new Map<string, SafePattern | null>(), s: new Map<string, SafePattern | null>() };

/** A stored pattern compiled by the safe compiler; null when RE2 refuses it (the scan skips it). */
export function compilePattern(pattern: string, caseSensitive = false): SafePattern | null {
  const cache = caseSensitive ? compiled.s : compiled.i;
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = compileSafePattern(pattern, { caseInsensitive: !caseSensitive });
    } catch (error) {
      if (!(error instanceof UnsafePatternError)) throw error;
      re = null;
    }
    cache.set(pattern, re);
  }
  return re;
}

/** Every usable stored pattern as one alternation, per list (the cached rules hand the same list to every call). */
const combined = new WeakMap<readonly PiiPattern[], SafePattern | null>();

/**
 * One pass that tells whether any stored pattern matches: most posts hold none, and RE2 in
 * JavaScript is slow enough that one pass instead of one per pattern matters on the ingest path.
 * Null: no such pass (it could not be built); the patterns then run one by one, as they would anyway.
 */
function anyStoredPattern(patterns: readonly PiiPattern[]): SafePattern | null {
  let any = combined.get(patterns);
  if (any === undefined) {
    const usable = patterns.filter((p) => p.enabled && compilePattern(p.pattern, p.caseSensitive));
    try {
      any = compileSafePattern(usable.map((p) => (p.caseSensitive ? `(?:${p.pattern})` : `(?i:${p.pattern})`)).join('|') || '[^\\x{0}-\\x{10FFFF}]');
    } catch (error) {
      if (!(error instanceof UnsafePatternError)) throw error;
      any = null;
    }
    combined.set(patterns, any);
  }
  return any;
}

/** `'a@b.com...'` -> `'a@b.com'`, by a loop: /\.+$/ takes quadratic time on a long run of dots. */
function trimTrailingDots(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2e) end--;
  return value.slice(0, end);
}

/**
 * The private data in a text, in the order it appears, each value once. Cards first (Luhn),
 * then the stored patterns, emails, and phones through the contact-point normaliser, each on
 * what the earlier ones left: an order number is not also a phone number.
 * Usage: `scanPii('card 4111 1111 1111 1111, mail me at jo@example.com', patterns, 'US')`
 *   -> `[{ kind: 'CARD_NUMBER', masked: '**** **** **** 1111' }, { kind: 'EMAIL', masked: 'j***@e******.com' }]`
 */
export function scanPii(text: string, patterns: readonly PiiPattern[], region: string): PiiFindingValue[] {
  const found: { at: number; kind: PiiKind; masked: string }[] = [];
  let rest = text;
  type Hit = { start: number; end: number; kind: PiiKind; masked: string };
  // What a finder took is blanked before the next one reads the text; one rebuild per finder,
  // not one per hit (a post with thousands of hits would be copied thousands of times).
  const scan = (matches: (text: string) => SafeMatch[], take: (m: SafeMatch) => Hit | null) => {
    const hits: Hit[] = [];
    for (const m of matches(rest)) {
      if (m.text === '') continue;
      const hit = take(m);
      if (hit) hits.push(hit);
    }
    if (hits.length === 0) return;
    let blanked = '';
    let at = 0;
    for (const h of hits) {
      blanked += rest.slice(at, h.start) + ' '.repeat(h.end - h.start);
      at = h.end;
      found.push({ at: h.start, kind: h.kind, masked: h.masked });
    }
    rest = blanked + rest.slice(at);
  };

  scan((t) => regexMatches(CARD_CANDIDATE, t), (m) => {
    const digits = m.text.replace(/\D/g, '');
    return luhnValid(digits) ? { start: m.index, end: m.index + m.text.length, kind: PiiKind.CARD_NUMBER, masked: maskTail(m.text) } : null;
  });
  const any = anyStoredPattern(patterns);
  for (const p of any === null || any.test(rest) ? patterns : []) {
    const re = p.enabled ? compilePattern(p.pattern, p.caseSensitive) : null;
    if (!re) continue;
    scan((t) => re.matchAll(t), (m) => {
      const value = m.group1 ?? m.text;
      const start = m.index + (m.group1 !== undefined ? m.text.indexOf(m.group1) : 0);
      const masked = p.kind === PiiKind.POSTAL_ADDRESS ? maskWords(value) : maskTail(value, value.length > 6 ? 3 : 1);
      return { start, end: start + value.length, kind: p.kind, masked };
    });
  }
  scan((t) => EMAIL_CANDIDATE.matchAll(t), (m) => {
    try {
      const email = normaliseEmail(trimTrailingDots(m.text));
      return { start: m.index, end: m.index + m.text.length, kind: PiiKind.EMAIL, masked: maskEmail(email) };
    } catch {
      return null;
    }
  });
  scan((t) => regexMatches(PHONE_CANDIDATE, t), (m) => {
    const digits = m.text.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) return null;
    try {
      const e164 = normalisePhone(m.text, region);
      return { start: m.index, end: m.index + m.text.length, kind: PiiKind.PHONE, masked: maskPhone(e164, region) };
    } catch {
      return null;
    }
  });

  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .filter((f) => {
      const key = `${f.kind}:${f.masked}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ kind, masked }) => ({ kind, masked }));
}
