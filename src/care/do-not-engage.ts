import { hasAnyKeyword } from './text-match';

/** An active do-not-engage rule as ingestion matches it: normalised handles, keywords as stored. */
export interface DoNotEngageMatchRule {
  id: string;
  handles: string[];
  keywords: string[];
}

interface Matcher {
  /** handle -> the oldest active rule naming it. */
  byHandle: Map<string, string>;
  /** Every rule's keywords as one list: most posts hit none, and one prefiltered test settles it. */
  allKeywords: string[];
  rules: readonly DoNotEngageMatchRule[];
}

// Rules are read again only when care_rules_version moves (CareRulesService.cached), so the
// same array comes back call after call: build its lookup once per array.
const matchers = new WeakMap<readonly DoNotEngageMatchRule[], Matcher>();

function matcherOf(rules: readonly DoNotEngageMatchRule[]): Matcher {
  let matcher = matchers.get(rules);
  if (!matcher) {
    const byHandle = new Map<string, string>();
    for (const r of rules) for (const h of r.handles) if (!byHandle.has(h)) byHandle.set(h, r.id);
    matcher = { byHandle, allKeywords: [...new Set(rules.flatMap((r) => r.keywords))], rules };
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
  if (!hasAnyKeyword(folded, matcher.allKeywords)) return null;
  return matcher.rules.find((r) => hasAnyKeyword(folded, r.keywords))?.id ?? null;
}
