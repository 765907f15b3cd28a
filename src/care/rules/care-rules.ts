import type { Channel, EscalationTeam, InteractionCategory, SwimLane, Tier } from '../../graphql';
import type { PiiPattern } from './pii-scan';
import type { DoNotEngageMatchRule } from './do-not-engage';

// The stored rules of the care desk, as the pure functions use them. They are rows in the
// care_* tables (defaults from migration CareWorkflow); CareRulesService loads and edits them.

/** A swim-lane rule: every criterion given must hold; keywords/hashtags: any one of them. */
export interface LaneRule {
  name: string;
  position: number;
  lane: SwimLane;
  channels: Channel[];
  categories: InteractionCategory[];
  keywords: string[];
  hashtags: string[];
  enabled: boolean;
}

/** A skill group and the keyword/hashtag cluster it owns. */
export interface SkillGroupRule {
  name: string;
  position: number;
  keywords: string[];
  hashtags: string[];
}

/** Inbound posts in these categories are kept out of the queue (unless a skill group claimed them). */
export interface FilterRule {
  name: string;
  categories: InteractionCategory[];
  unlessSkillGroup: boolean;
  enabled: boolean;
}

export type EscalationRuleKind = 'TOPIC_THRESHOLD' | 'CHURN';

export interface EscalationRule {
  name: string;
  kind: EscalationRuleKind;
  team: EscalationTeam;
  /** TOPIC_THRESHOLD: this many inbound posts on one topic ... */
  threshold: number | null;
  /** ... within this many minutes. */
  windowMinutes: number | null;
  /** CHURN: any of these phrases. */
  phrases: string[];
  enabled: boolean;
}

export interface SlaTarget {
  channel: Channel;
  /** null: every tier without a row of its own. */
  tier: Tier | null;
  responseMinutes: number;
  businessHours: string;
}

/** Opening hours of one weekday (ISO: Monday = 1 .. Sunday = 7), local wall time "HH:MM"; closes may be "24:00". */
export interface OpeningHours {
  day: number;
  opens: string;
  closes: string;
}

export interface BusinessHours {
  name: string;
  /** IANA time zone, e.g. America/New_York. */
  timeZone: string;
  /** null: open 24x7. */
  weekly: OpeningHours[] | null;
}

export interface CareRules {
  lanes: LaneRule[];
  skillGroups: SkillGroupRule[];
  filters: FilterRule[];
  escalations: EscalationRule[];
  slaTargets: SlaTarget[];
  businessHours: BusinessHours[];
  /** Stored patterns of the PII scan (account/order numbers, postal addresses). */
  piiPatterns: PiiPattern[];
  /** The active do-not-engage rules (do-not-engage.ts), oldest first. */
  doNotEngage: DoNotEngageMatchRule[];
}
