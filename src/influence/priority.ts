import type { InteractionCategory, Tier } from '../graphql';
import { hasChurnSignal } from './churn-rule';
import type { Priority, PriorityReason } from './influence.types';

/**
 * The stored settings of the priority formula (table priority_settings; supervisors change
 * them with setPriorityWeights). Points are additive; the SLA factor multiplies.
 */
export interface PriorityWeights {
  /** Points every open inbound item starts with. */
  base: number;
  tier: Record<Tier, number>;
  /** Points per influence point (influence is 1-10). */
  influencePerPoint: number;
  category: Record<InteractionCategory, number>;
  /** Points at sentiment -1 (scaled linearly; positive sentiment takes points away). */
  negativeSentiment: number;
  /** Points when the text or topics carry a churn signal. */
  churn: number;
  /**
   * Case-insensitive pattern for churn signals, in the churn rule's language: compiled into its
   * TypeScript and SQL forms by src/influence/churn-rule.ts (docs/churn.md).
   */
  churnPattern: string;
  /** The SLA factor doubles every this many minutes (1 at the due time). */
  slaDoublingMinutes: number;
  /** Due time assumed for items that carry no SLA: occurredAt + this. */
  defaultSlaMinutes: number;
}

/** The weights installed by the migration; the stored row is the truth after that. */
export const DEFAULT_PRIORITY_WEIGHTS: PriorityWeights = {
  base: 10,
  tier: { PLATINUM: 40, GOLD: 30, SILVER: 20, BRONZE: 10, NONE: 0 } as Record<Tier, number>,
  influencePerPoint: 5,
  category: { COMPLAINT: 20, QUESTION: 10, SALES_LEAD: 8, PROACTIVE: 3, COMPLIMENT: 2, OTHER: 0 } as Record<InteractionCategory, number>,
  negativeSentiment: 10,
  churn: 25,
  churnPattern: '(cancel|thinking of leaving|switch(ing)? to|close my account|done with (you|this))',
  slaDoublingMinutes: 30,
  defaultSlaMinutes: 1440,
};

/** Influence as it enters the formula: the score and the topic it was measured on (null: overall). */
export interface InfluenceInput {
  score: number;
  topic: string | null;
}

/** What the formula reads about one open inbound interaction. */
export interface PriorityInput {
  tier: Tier;
  influence: InfluenceInput | null;
  category: InteractionCategory;
  sentiment: number | null;
  content: string;
  topics: readonly string[];
  slaDueAt: Date | null;
  occurredAt: Date;
}

export interface InteractionPriority extends Priority {
  /** The static part (sum of the additive factors, at least 1). */
  base: number;
  /** Epoch seconds; ascending order = descending score at any instant (the "virtual deadline"). */
  queueKey: number;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The churn rule (src/influence/churn-rule.ts): the text matches the churn pattern or the interaction is tagged `churn`. */
export { hasChurnSignal };

/** The effective SLA due time: the stored one, or occurredAt + defaultSlaMinutes. */
export function effectiveDueAt(input: Pick<PriorityInput, 'slaDueAt' | 'occurredAt'>, w: PriorityWeights): Date {
  return input.slaDueAt ?? new Date(input.occurredAt.getTime() + w.defaultSlaMinutes * 60_000);
}

function tierReason(tier: Tier, w: PriorityWeights): PriorityReason {
  const points = w.tier[tier] ?? 0;
  return { factor: 'tier', contribution: points, detail: `${tier} tier adds ${points}` };
}

function influenceReason(influence: InfluenceInput | null, w: PriorityWeights): PriorityReason {
  if (influence === null) return { factor: 'influence', contribution: 0, detail: 'never scored: adds 0' };
  const points = influence.score * w.influencePerPoint;
  const on = influence.topic === null ? 'overall' : `on topic "${influence.topic}"`;
  return { factor: 'influence', contribution: points, detail: `influence ${round(influence.score, 2)}/10 ${on} x ${w.influencePerPoint} adds ${round(points, 2)}` };
}

/**
 * A customer's standing priority from tier and overall influence, with each factor's
 * contribution. Interaction urgency (category, sentiment, churn, SLA) is added by
 * interactionPriority where an interaction is being ranked.
 * Usage: `customerPriority('GOLD', 7.5)` -> `{ score: 67.5, reasons: [...] }`
 */
export function customerPriority(tier: Tier, influence: number | null, w: PriorityWeights = DEFAULT_PRIORITY_WEIGHTS): Priority {
  const reasons = [tierReason(tier, w), influenceReason(influence === null ? null : { score: influence, topic: null }, w)];
  return { score: reasons.reduce((sum, r) => sum + r.contribution, 0), reasons };
}

/**
 * Doublings of the SLA factor at most: past them (a day overdue at the default 30 minutes) an
 * item scores base x 2^48 (~2.8e14, still an exact integer in a double, so reasons add up).
 * Uncapped, a seeded item weeks overdue scored ~9e302 (2^1000 before a double overflows): a
 * number no client can show or compare sensibly. Scores of items within the cap keep the
 * queue's order; the queue itself never reads the score (it follows queueKey, finite for any due).
 */
export const MAX_SLA_DOUBLINGS = 48;

/**
 * The priority of one open inbound interaction at `now`:
 *   base  = max(1, base + tier + influence x perPoint + category - sentiment x negativeSentiment + churn)
 *   score = base x 2^((now - due) / slaDoublingMinutes)
 * The SLA factor is 1 at the due time, doubles every slaDoublingMinutes after it and halves
 * every slaDoublingMinutes before it, so it rises steeply near breach, up to 2^MAX_SLA_DOUBLINGS. Because the time
 * enters only as a common factor, the order of two items never changes as time passes:
 * score_a > score_b <=> queueKey_a < queueKey_b with queueKey = due - doubling x log2(base).
 * `reasons` add up to `score`: the SLA reason contributes base x (factor - 1).
 * Usage: `interactionPriority(input, weights, new Date())`
 */
export function interactionPriority(input: PriorityInput, w: PriorityWeights, now: Date): InteractionPriority {
  const additive: PriorityReason[] = [
    { factor: 'base', contribution: w.base, detail: `every open inbound item starts at ${w.base}` },
    tierReason(input.tier, w),
    influenceReason(input.influence, w),
  ];
  const categoryPoints = w.category[input.category] ?? 0;
  additive.push({ factor: 'category', contribution: categoryPoints, detail: `${input.category} adds ${categoryPoints}` });
  const sentimentPoints = input.sentiment === null ? 0 : -input.sentiment * w.negativeSentiment;
  additive.push({
    factor: 'sentiment',
    contribution: sentimentPoints,
    detail: input.sentiment === null ? 'no sentiment: adds 0' : `sentiment ${input.sentiment} ${sentimentPoints >= 0 ? 'adds' : 'takes'} ${round(Math.abs(sentimentPoints), 2)}`,
  });
  const churn = hasChurnSignal(input.content, input.topics, w.churnPattern);
  additive.push({ factor: 'churn', contribution: churn ? w.churn : 0, detail: churn ? `churn signal adds ${w.churn}` : 'no churn signal: adds 0' });
  const sum = additive.reduce((s, r) => s + r.contribution, 0);
  if (sum < 1) additive.push({ factor: 'floor', contribution: 1 - sum, detail: 'the static part never goes below 1' });
  const base = Math.max(1, sum);

  const due = effectiveDueAt(input, w);
  const periods = (now.getTime() - due.getTime()) / (w.slaDoublingMinutes * 60_000);
  const factor = 2 ** Math.min(periods, MAX_SLA_DOUBLINGS);
  const minutes = Math.round(Math.abs(now.getTime() - due.getTime()) / 60_000);
  const when = periods < 0 ? `due in ${minutes} min` : `${minutes} min past due`;
  const sla: PriorityReason = {
    factor: 'sla',
    contribution: base * (factor - 1),
    detail: `${when}${input.slaDueAt ? '' : ' (default SLA)'}: x${factor < 0.001 ? factor.toExponential(2) : round(factor)} (doubles every ${w.slaDoublingMinutes} min)`,
  };
  return {
    score: base * factor,
    base,
    queueKey: queueKeyOf(base, due, w),
    reasons: [...additive, sla],
  };
}

/** The virtual deadline in epoch seconds: the due time moved earlier by doubling x log2(base). */
export function queueKeyOf(base: number, due: Date, w: PriorityWeights): number {
  return due.getTime() / 1000 - w.slaDoublingMinutes * 60 * Math.log2(base);
}
