import { keywordsIn } from './text-match';

/** An active do-not-engage rule as ingestion matches it: normalised handles, keywords as stored. */
export interface DoNotEngageMatchRule {
  id: string;
  handles: string[];
  keywords: string[];
}

interface Matcher {
  /** handle -> the oldest active rule naming it. */
  byHandle: Map<string, string>;
  /** Every rule's keywords as one list, oldest rule first: most posts hit none, and one prefiltered test settles it. */
  allKeywords: string[];
  /** keyword -> the oldest active rule naming it. */
  byKeyword: Map<string, string>;
}

// Rules are read again only when care_rules_version moves (CareRulesService.cached), so the
// same array comes back call after call: build its lookup once per array.
const matchers = new WeakMap<readonly DoNotEngageMatchRule[], Matcher>();

function matcherOf(rules: readonly DoNotEngageMatchRule[]): Matcher {
  let matcher = matchers.get(rules);
  if (!matcher) {
    const byHandle = new Map<string, string>();
    const byKeyword = new Map<string, string>();
    for (const r of rules) {
      for (const h of r.handles) if (!byHandle.has(h)) byHandle.set(h, r.id);
      for (const k of r.keywords) if (!byKeyword.has(k)) byKeyword.set(k, r.id);
    }
    matcher = { byHandle, allKeywords: [...byKeyword.keys()], byKeyword };
    matchers.set(rules, matcher);
  }
  return matcher;
}

/**
 * The do-not-engage rule an inbound post falls under, or null: its author's handle (normalised,
 * as identities store it) is one of a rule's handles, or its folded text (text-match.ts foldText)
 * contains one of a rule's keywords as a whole word. Handles win over keywords; among several
 * rules the oldest. Keywords run through the keyword prefilter and the linear-time compiler
 * (text-match.ts, common/safe-pattern.ts).
 * Usage: `doNotEngageRuleFor(rules.doNotEngage, 'trollface', foldText(content))` -> rule id or null
 */
export function doNotEngageRuleFor(rules: readonly DoNotEngageMatchRule[], handle: string | null, folded: string): string | null {
  if (rules.length === 0) return null;
  const matcher = matcherOf(rules);
  const byHandle = handle === null ? undefined : matcher.byHandle.get(handle);
  if (byHandle) return byHandle;
  // The keywords found, in list order: the first belongs to the oldest rule that matches.
  const [keyword] = keywordsIn(folded, matcher.allKeywords);
  return keyword === undefined ? null : matcher.byKeyword.get(keyword)!;
}
