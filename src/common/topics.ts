/**
 * The one form a topic (or hashtag) is stored and matched in, whoever writes or filters it:
 * ingestion (given topics and hashtags found in the text), influence scores, lane rules and
 * skill-group clusters, segment filters. See docs/topics.md.
 *
 * - surrounding white space is dropped, then any leading `#` (one or more);
 * - lower case (String.prototype.toLowerCase: Unicode, locale-independent);
 * - runs of inner white space, `_` and `-` become one `-`, and `-` at either end is dropped.
 *
 * So `#FuelEconomy`, ` fueleconomy ` are `fueleconomy`, and `Fuel Economy`, `#fuel_economy`,
 * `fuel--economy`, `FUEL - ECONOMY` are all `fuel-economy`. Letters and digits of any script
 * are kept as they are (no accent folding); other punctuation is kept. The result may be
 * empty (`#`, ` - `): callers refuse or drop it.
 * Usage: `normaliseTopic(' #Fuel_Economy ')` -> `'fuel-economy'`
 */
export function normaliseTopic(topic: string): string {
  // Most topics are stored ones, already in this form: answered without a rewrite.
  if (STORED.test(topic)) return topic;
  return topic.trim().replace(/^#+/, '').toLowerCase().replace(/[\s_-]+/g, '-').replace(/^-|-$/g, '');
}

const STORED = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Topics normalised, empty ones dropped, each once, in order of first appearance. */
export function normaliseTopics(topics: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of topics) {
    const n = normaliseTopic(t);
    if (n !== '') out.add(n);
  }
  return [...out];
}

/** The most characters a stored topic has. */
export const MAX_TOPIC = 100;
