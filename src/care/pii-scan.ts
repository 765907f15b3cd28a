import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { normaliseEmail, normalisePhone } from '../identities/normalise';

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

/** A stored pattern (table pii_patterns): a JavaScript regular expression; group 1 is the value when present. */
export interface PiiPattern {
  name: string;
  kind: PiiKind;
  pattern: string;
  caseSensitive: boolean;
  enabled: boolean;
}

/** 13-19 digits, optionally grouped by single spaces or dashes. */
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const EMAIL_CANDIDATE = /[^\s@"<>()[\]\\,;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** A phone number as people write one: optional +, digits with spaces, dots, dashes and brackets. */
const PHONE_CANDIDATE = /(?<![\w+])\+?\(?\d[\d ().-]{5,20}\d(?!\w)/g;

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
const compiled = { i: new Map<string, RegExp | null>(), s: new Map<string, RegExp | null>() };

/** The pattern as a global unicode RegExp; null when it does not compile. */
export function compilePattern(pattern: string, caseSensitive = false): RegExp | null {
  const cache = caseSensitive ? compiled.s : compiled.i;
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, caseSensitive ? 'gu' : 'giu');
    } catch {
      re = null;
    }
    cache.set(pattern, re);
  }
  return re;
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
  const claim = (start: number, end: number) => {
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end);
  };
  const scan = (re: RegExp, take: (m: RegExpExecArray) => { start: number; end: number; kind: PiiKind; masked: string } | null) => {
    re.lastIndex = 0;
    const hits: { start: number; end: number; kind: PiiKind; masked: string }[] = [];
    for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
      if (m[0] === '') {
        re.lastIndex += 1;
        continue;
      }
      const hit = take(m);
      if (hit) hits.push(hit);
    }
    for (const h of hits) {
      claim(h.start, h.end);
      found.push({ at: h.start, kind: h.kind, masked: h.masked });
    }
  };

  scan(CARD_CANDIDATE, (m) => {
    const digits = m[0].replace(/\D/g, '');
    return luhnValid(digits) ? { start: m.index, end: m.index + m[0].length, kind: PiiKind.CARD_NUMBER, masked: maskTail(m[0]) } : null;
  });
  for (const p of patterns) {
    const re = p.enabled ? compilePattern(p.pattern, p.caseSensitive) : null;
    if (!re) continue;
    scan(re, (m) => {
      const value = m[1] ?? m[0];
      const start = m.index + (m[1] !== undefined ? m[0].indexOf(m[1]) : 0);
      const masked = p.kind === PiiKind.POSTAL_ADDRESS ? maskWords(value) : maskTail(value, value.length > 6 ? 3 : 1);
      return { start, end: start + value.length, kind: p.kind, masked };
    });
  }
  scan(EMAIL_CANDIDATE, (m) => {
    try {
      const email = normaliseEmail(m[0].replace(/\.+$/, ''));
      return { start: m.index, end: m.index + m[0].length, kind: PiiKind.EMAIL, masked: maskEmail(email) };
    } catch {
      return null;
    }
  });
  scan(PHONE_CANDIDATE, (m) => {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) return null;
    try {
      const e164 = normalisePhone(m[0], region);
      return { start: m.index, end: m.index + m[0].length, kind: PiiKind.PHONE, masked: maskPhone(e164, region) };
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
