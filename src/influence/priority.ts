import type { Tier } from '../graphql/enums';
import type { Priority } from './influence.types';

/** Points each tier adds: higher tiers reach faster agents. */
export const TIER_POINTS: Record<Tier, number> = { PLATINUM: 40, GOLD: 30, SILVER: 20, BRONZE: 10, NONE: 0 };
/** Points per influence point (influence is on a 1-10 scale). */
export const INFLUENCE_POINTS = 5;

/**
 * A customer's standing priority from tier and overall influence (0-90), with the
 * contribution of each factor. Interaction-level urgency (SLA, sentiment, churn) is added
 * where an interaction is being ranked.
 * Usage: `customerPriority('GOLD', 7.5)` -> `{ score: 67.5, reasons: [...] }`
 */
export function customerPriority(tier: Tier, influence: number | null): Priority {
  const tierPoints = TIER_POINTS[tier];
  const influencePoints = influence === null ? 0 : Math.round(influence * INFLUENCE_POINTS * 100) / 100;
  return {
    score: tierPoints + influencePoints,
    reasons: [
      { factor: 'tier', contribution: tierPoints, detail: `${tier} tier adds ${tierPoints}` },
      {
        factor: 'influence',
        contribution: influencePoints,
        detail: influence === null ? 'never scored: adds 0' : `influence ${influence}/10 x ${INFLUENCE_POINTS} adds ${influencePoints}`,
      },
    ],
  };
}
