import { normaliseTopics } from '../common/topics';

/**
 * Keyword and hashtag matching shared by the classifier and the stored rules. Keywords
 * match whole words (so "app" does not hit "happy"); a trailing `*` matches any word that
 * starts with it ("sustainab*" hits "sustainable" and "sustainability").
 */

/** Lower-cased text with curly apostrophes made straight, for matching. */
export function foldText(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
}

/** `'Love the #MPG on my #Fuel_Economy!'` -> `['mpg', 'fuel-economy']` (src/common/topics.ts), in order of first use. */
export function hashtagsOf(text: string): string[] {
  // Most posts carry no hashtag: skip the unicode regex for them.
  if (!text.includes('#')) return [];
  return normaliseTopics([...text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_-]+)/gu)].map((m) => m[1]));
}

/** The keywords of the list that occur in the folded text (folded by foldText). */
export function keywordsIn(folded: string, keywords: readonly string[]): string[] {
  const list = compile(keywords);
  if (!list.any || !list.any.test(folded)) return [];
  return list.each.filter((e) => e.pattern.test(folded)).map((e) => e.keyword);
}

/** Whether the folded text contains any keyword of the list. */
export function hasAnyKeyword(folded: string, keywords: readonly string[]): boolean {
  const list = compile(keywords);
  return list.any !== null && list.any.test(folded);
}

const WORD = '[\\p{L}\\p{N}_]';

/** The regex source of one keyword: whole words, or a word start when it ends with `*`. */
function sourceOf(keyword: string): string {
  const prefix = keyword.endsWith('*');
  const body = foldText(prefix ? keyword.slice(0, -1) : keyword)
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return `(?<!${WORD})${body}${prefix ? '[\\p{L}\\p{N}_-]*' : `(?!${WORD})`}`;
}

interface CompiledList {
  /** Any keyword of the list: most texts hit none, and one test settles it. */
  any: RegExp | null;
  each: { keyword: string; pattern: RegExp }[];
}

function build(keywords: readonly string[]): CompiledList {
  const usable = keywords.filter((k) => k.trim() !== '' && k.trim() !== '*');
  const each = usable.map((keyword) => ({ keyword, pattern: new RegExp(sourceOf(keyword), 'u') }));
  return { any: usable.length > 0 ? new RegExp(usable.map(sourceOf).join('|'), 'u') : null, each };
}

// Building these regexes costs far more than running them, so a list is compiled once per
// content: the classifier's constants once per process, stored rules once per distinct rule
// set, although every load of the rules brings new arrays. The WeakMap answers repeated
// calls with the same array without building a key.
let byArray = new WeakMap<readonly string[], CompiledList>();
const byContent = new Map<string, CompiledList>();
/** A rule set has a dozen lists: past this many, the process is seeing endless new ones, so start over. */
const MAX_LISTS = 1000;

function compile(keywords: readonly string[]): CompiledList {
  let list = byArray.get(keywords);
  if (list) return list;
  // JSON keeps the list's boundaries: ['a b'] and ['a', 'b'] get different keys.
  const key = JSON.stringify(keywords);
  list = byContent.get(key);
  if (!list) {
    if (byContent.size >= MAX_LISTS) {
      byArray = new WeakMap();
      byContent.clear();
    }
    list = build(keywords);
    byContent.set(key, list);
  }
  byArray.set(keywords, list);
  return list;
}
