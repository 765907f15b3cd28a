import { SwimLane, type Channel, type InteractionCategory } from '../../graphql';
import type { FilterRule, LaneRule, SkillGroupRule } from './care-rules';
import { hasAnyKeyword } from './text-match';
import { normaliseTopic } from '../../common';

/** What routing looks at: the folded text (text-match foldText) and the topics/hashtags. */
export interface Routable {
  channel: Channel;
  category: InteractionCategory;
  folded: string;
  topics: readonly string[];
}

// Rule lists arrive once per call and are read once per item: sort each list once.
const sortedLists = new WeakMap<readonly { position: number }[], readonly { position: number }[]>();

function byPosition<T extends { position: number }>(rules: readonly T[]): readonly T[] {
  let sorted = sortedLists.get(rules);
  if (!sorted) {
    sorted = [...rules].sort((a, b) => a.position - b.position);
    sortedLists.set(rules, sorted);
  }
  return sorted as readonly T[];
}

// Normalising each rule's hashtags once per loaded rule set, not once per item and rule.
const normalisedTags = new WeakMap<readonly string[], readonly string[]>();

function normalised(hashtags: readonly string[]): readonly string[] {
  let tags = normalisedTags.get(hashtags);
  if (!tags) {
    tags = hashtags.map(normaliseTopic);
    normalisedTags.set(hashtags, tags);
  }
  return tags;
}

function hitsCluster(item: Routable, keywords: readonly string[], hashtags: readonly string[]): boolean {
  if (hasAnyKeyword(item.folded, keywords)) return true;
  return hashtags.length > 0 && item.topics.length > 0 && normalised(hashtags).some((h) => item.topics.includes(h));
}

/**
 * The swim lane: the first enabled rule (by position) whose every given criterion holds
 * (channel in channels, category in categories, a keyword or hashtag hit); CUSTOMER_SERVICE when none does.
 * Usage: `laneFor(rules.lanes, { channel: 'TWITTER', category: 'SALES_LEAD', folded, topics })`
 */
export function laneFor(rules: readonly LaneRule[], item: Routable): SwimLane {
  for (const rule of byPosition(rules)) {
    if (!rule.enabled) continue;
    if (rule.channels.length > 0 && !rule.channels.includes(item.channel)) continue;
    if (rule.categories.length > 0 && !rule.categories.includes(item.category)) continue;
    if ((rule.keywords.length > 0 || rule.hashtags.length > 0) && !hitsCluster(item, rule.keywords, rule.hashtags)) continue;
    return rule.lane;
  }
  return SwimLane.CUSTOMER_SERVICE;
}

/** The first skill group (by position) whose cluster the text or tags hit, or null. */
export function skillGroupFor(groups: readonly SkillGroupRule[], item: Pick<Routable, 'folded' | 'topics'>): string | null {
  for (const group of byPosition(groups)) {
    if (hitsCluster(item as Routable, group.keywords, group.hashtags)) return group.name;
  }
  return null;
}

/**
 * Whether an inbound post belongs in the queue: most brand mentions are not actionable
 * (no question, complaint or need), and an enabled filter rule drops its categories.
 */
export function isActionable(filters: readonly FilterRule[], category: InteractionCategory, skillGroup: string | null): boolean {
  return !filters.some((f) => f.enabled && f.categories.includes(category) && !(f.unlessSkillGroup && skillGroup !== null));
}
