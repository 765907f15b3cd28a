import { compileSafePattern, JS_SPACE, type SafePattern, normaliseTopics } from '../../common';

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
  if (!list.any || !anyNeedleIn(list, folded) || !list.any.test(folded)) return [];
  return list.each.filter((e) => folded.includes(e.needle) && e.pattern().test(folded)).map((e) => e.keyword);
}

/** Whether the folded text contains any keyword of the list. */
export function hasAnyKeyword(folded: string, keywords: readonly string[]): boolean {
  const list = compile(keywords);
  return list.any !== null && anyNeedleIn(list, folded) && list.any.test(folded);
}

/**
 * Whether some keyword's first word occurs in the text at all: a keyword's pattern needs it
 * literally, so a text without any of them matches none, and a substring search (native) settles
 * most texts before the automaton (RE2 in JavaScript, several times slower) runs.
 */
function anyNeedleIn(list: CompiledList, folded: string): boolean {
  for (const e of list.each) if (folded.includes(e.needle)) return true;
  return false;
}

// The edges of a keyword are a non-word character or an end of the text (RE2 has no
// lookarounds; only whether a keyword occurs is asked, never where). Unicode classes are most
// of an RE2 compile's cost, so a list's pattern names them once, not once per keyword.
const NOT_WORD = '[^\\p{L}\\p{N}_]';
/** A keyword's spaces match what JavaScript's \s does, a no-break space too. */
const SPACE = `[${JS_SPACE}]`;

/** A keyword's folded words, and whether it matches word starts (a trailing `*`). */
function partsOf(keyword: string): { words: string[]; prefix: boolean } {
  const prefix = keyword.endsWith('*');
  return { words: foldText(prefix ? keyword.slice(0, -1) : keyword).trim().split(/\s+/), prefix };
}

const escaped = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bodyOf = (words: readonly string[]) => words.map(escaped).join(`${SPACE}+`);

/** One pattern for the whole list: whole words, then word starts, each group edged once. */
function listSource(parts: readonly { words: string[]; prefix: boolean }[]): string {
  const whole = parts.filter((p) => !p.prefix).map((p) => bodyOf(p.words));
  const starts = parts.filter((p) => p.prefix).map((p) => bodyOf(p.words));
  const options = [
    ...(whole.length > 0 ? [`(?:${whole.join('|')})(?:${NOT_WORD}|$)`] : []),
    ...(starts.length > 0 ? [`(?:${starts.join('|')})`] : []),
  ];
  return `(?:^|${NOT_WORD})(?:${options.join('|')})`;
}

interface CompiledList {
  /** Any keyword of the list: most texts hit none, and one test settles it. */
  any: SafePattern | null;
  /**
   * Each keyword, for the texts that hit one: its first word must occur as a substring before
   * its own pattern (compiled on first use) is asked.
   */
  each: { keyword: string; needle: string; pattern: () => SafePattern }[];
}

function build(keywords: readonly string[]): CompiledList {
  const usable = keywords.filter((k) => k.trim() !== '' && k.trim() !== '*');
  const each = usable.map((keyword) => {
    const parts = partsOf(keyword);
    let pattern: SafePattern | undefined;
    return { keyword, needle: parts.words[0], pattern: () => (pattern ??= compileSafePattern(listSource([parts]))) };
  });
  return { any: usable.length > 0 ? compileSafePattern(listSource(usable.map(partsOf))) : null, each };
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
