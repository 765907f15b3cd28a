import { Channel, Direction, Platform } from '../graphql';
import { compileSafePattern, type SafePattern } from '../common';
import { emailKey, handleKey, phoneKey, type IdentifierKey, type NormalisedIdentifiers } from './identity-linker';

// The identity rules as pure data and functions: which identifiers never link anyone
// (blocked), and which inbound words withdraw MARKETING (opt-out keywords). Stored in
// identifier_blocks and opt_out_keywords, cached per identity_rules_version by
// IdentityRulesService; applied by touchpoints and ingestion.

export type IdentifierKind = 'EMAIL' | 'PHONE' | 'HANDLE';

/** A live block as stored (identifier_blocks). `value` is the normalised value or the pattern's source. */
export interface StoredBlock {
  id: string;
  kind: IdentifierKind;
  platform: Platform | null;
  value: string;
  isPattern: boolean;
  reason: string;
}

/** One identifier left out because a block matched it. */
export interface BlockHit {
  kind: IdentifierKind;
  value: string;
  blockId: string;
  reason: string;
}

export interface IdentityRules {
  /** False when nothing is blocked (the common case: callers skip the per-identifier checks). */
  blocking: boolean;
  /** The blocking block of an identifier, or null. */
  blockOf(kind: IdentifierKind, value: string, platform?: Platform | null): StoredBlock | null;
  /** Upper-cased opt-out keywords. */
  optOutKeywords: ReadonlySet<string>;
}

/** A pattern matches the whole normalised value, ignoring case: `.*@example\.com` blocks a domain, `example` alone blocks nothing. */
export function compileBlockPattern(source: string): SafePattern {
  return compileSafePattern(`^(?:${source})$`, { caseInsensitive: true });
}

/** The rules from the stored rows. Exact values are a set lookup; patterns are tried only for values no exact block holds. */
export function compileIdentityRules(blocks: readonly StoredBlock[], keywords: readonly string[]): IdentityRules {
  const exact = new Map<IdentifierKey, StoredBlock>();
  const patterns: { block: StoredBlock; pattern: SafePattern }[] = [];
  for (const b of blocks) {
    if (b.isPattern) patterns.push({ block: b, pattern: compileBlockPattern(b.value) });
    else exact.set(keyOf(b.kind, b.value, b.platform), b);
  }
  return {
    blocking: blocks.length > 0,
    optOutKeywords: new Set(keywords.map((k) => k.toUpperCase())),
    blockOf(kind, value, platform = null) {
      const hit = exact.get(keyOf(kind, value, platform));
      if (hit) return hit;
      for (const p of patterns) {
        if (p.block.kind !== kind || (p.block.platform !== null && p.block.platform !== platform)) continue;
        if (p.pattern.test(value)) return p.block;
      }
      return null;
    },
  };
}

function keyOf(kind: IdentifierKind, value: string, platform: Platform | null): IdentifierKey {
  return kind === 'EMAIL' ? emailKey(value) : kind === 'PHONE' ? phoneKey(value) : handleKey(platform ?? '', value);
}

/**
 * The identifiers without the blocked ones, and what was left out. A blocked identifier is
 * neither looked up nor linked: it joins, creates and merges no customer.
 * Usage: `const { ids, hits } = withoutBlocked(rules, item.ids)`
 */
export function withoutBlocked(rules: IdentityRules, ids: NormalisedIdentifiers): { ids: NormalisedIdentifiers; hits: BlockHit[] } {
  const hits: BlockHit[] = [];
  if (!rules.blocking) return { ids, hits };
  const keep = (kind: IdentifierKind, value: string, platform?: Platform) => {
    const block = rules.blockOf(kind, value, platform);
    if (block) hits.push({ kind, value, blockId: block.id, reason: block.reason });
    return block === null;
  };
  if (ids.emails.length + ids.phones.length + ids.handles.length === 0) return { ids, hits };
  const kept = {
    emails: ids.emails.filter((e) => keep('EMAIL', e)),
    phones: ids.phones.filter((p) => keep('PHONE', p)),
    handles: ids.handles.filter((h) => keep('HANDLE', h.handle, h.platform)),
  };
  return hits.length === 0 ? { ids, hits } : { ids: kept, hits };
}

/** Channels where a one-word reply is the customer's way to opt out (carriers' STOP convention). */
const OPT_OUT_CHANNELS: ReadonlySet<Channel> = new Set([Channel.SMS, Channel.WHATSAPP]);

/**
 * Whether an interaction is an opt-out: inbound on SMS or WhatsApp, and its whole text, without
 * surrounding spaces and punctuation, is one of the keywords ("Stop.", " STOP ", "stop!" are;
 * "stop sending me the old offer" is a message for a person). START is not a keyword: it grants nothing.
 */
export function isOptOut(rules: IdentityRules, message: { channel: Channel; direction: Direction; content: string }): boolean {
  if (message.direction !== Direction.INBOUND || !OPT_OUT_CHANNELS.has(message.channel)) return false;
  const word = message.content.trim().replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '').toUpperCase();
  return word.length > 0 && word.length <= 30 && rules.optOutKeywords.has(word);
}
