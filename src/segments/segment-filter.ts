import { badInput, InteractionCategory, Platform, Tier } from '../graphql';
import type { SegmentFilter } from './segment.inputs';
import { checkFilter } from './segment.sql';

const LISTS = { tiers: Tier, platforms: Platform, categories: InteractionCategory } as const;

/**
 * A SegmentFilter from JSON text (the CLI's --filter), with the checks GraphQL would have made.
 * Usage: `parseSegmentFilter('{"tiers":["GOLD"],"interactedSince":"2026-01-01T00:00:00Z"}')`
 */
export function parseSegmentFilter(text: string): SegmentFilter {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badInput('filter', 'filter is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badInput('filter', 'filter must be a JSON object');
  const input = raw as Record<string, unknown>;
  const filter: SegmentFilter = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null) continue;
    if (key in LISTS) {
      const allowed = Object.values(LISTS[key as keyof typeof LISTS]) as string[];
      if (!Array.isArray(value) || !value.every((v) => allowed.includes(v))) {
        throw badInput(`filter.${key}`, `filter.${key} must be a list of ${allowed.join(', ')}`);
      }
      (filter as Record<string, unknown>)[key] = value;
    } else if (key === 'minInfluence' || key === 'maxInfluence') {
      if (typeof value !== 'number') throw badInput(`filter.${key}`, `filter.${key} must be a number`);
      filter[key] = value;
    } else if (key === 'influenceTopic' || key === 'country' || key === 'region' || key === 'city') {
      if (typeof value !== 'string') throw badInput(`filter.${key}`, `filter.${key} must be a string`);
      filter[key] = value;
    } else if (key === 'topics') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badInput('filter.topics', 'filter.topics must be a list of strings');
      filter.topics = value;
    } else if (key === 'interactedSince' || key === 'purchasedSince') {
      const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
      if (Number.isNaN(date.getTime())) throw badInput(`filter.${key}`, `filter.${key} must be an ISO-8601 date-time`);
      filter[key] = date;
    } else if (key === 'products') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badInput('filter.products', 'filter.products must be a list of strings');
      filter.products = value;
    } else if (key === 'minLifetimeValue') {
      if (typeof value !== 'number') throw badInput('filter.minLifetimeValue', 'filter.minLifetimeValue must be a number');
      filter.minLifetimeValue = value;
    } else {
      throw badInput(`filter.${key}`, `filter has no field ${key}`);
    }
  }
  checkFilter(filter);
  return filter;
}
