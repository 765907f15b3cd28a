import type { EscalationRule } from './care-rules';
import { keywordsIn } from './text-match';

/**
 * The first enabled churn rule whose phrases the folded text contains, with the phrases
 * that matched ("cancel my account" -> retention), or null.
 */
export function churnRuleHit(rules: readonly EscalationRule[], folded: string): { rule: EscalationRule; phrases: string[] } | null {
  for (const rule of rules) {
    if (!rule.enabled || rule.kind !== 'CHURN') continue;
    const phrases = keywordsIn(folded, rule.phrases);
    if (phrases.length > 0) return { rule, phrases };
  }
  return null;
}
