/**
 * Keyword and hashtag matching shared by the classifier and the stored rules. Keywords
 * match whole words (so "app" does not hit "happy"); a trailing `*` matches any word that
 * starts with it ("sustainab*" hits "sustainable" and "sustainability").
 */

/** Lower-cased text with curly apostrophes made straight, for matching. */
export function foldText(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
}

/** `'Love the #MPG on my #Fusion!'` -> `['mpg', 'fusion']`, in order of first use. */
export function hashtagsOf(text: string): string[] {
  const tags = [...text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_-]+)/gu)].map((m) => m[1].toLowerCase().replace(/_/g, '-'));
  return [...new Set(tags)];
}

const patternCache = new Map<string, RegExp>();

function patternOf(keyword: string): RegExp {
  let pattern = patternCache.get(keyword);
  if (!pattern) {
    const prefix = keyword.endsWith('*');
    const body = foldText(prefix ? keyword.slice(0, -1) : keyword)
      .trim()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\s+/g, '\\s+');
    pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${body}${prefix ? '[\\p{L}\\p{N}_-]*' : '(?![\\p{L}\\p{N}_])'}`, 'u');
    if (patternCache.size > 5000) patternCache.clear();
    patternCache.set(keyword, pattern);
  }
  return pattern;
}

/** Whether folded text contains the keyword as whole words. `folded` must come from foldText. */
export function hasKeyword(folded: string, keyword: string): boolean {
  return keyword.trim() !== '' && patternOf(keyword).test(folded);
}

/** The keywords of the list that occur in the folded text. */
export function keywordsIn(folded: string, keywords: readonly string[]): string[] {
  return keywords.filter((k) => hasKeyword(folded, k));
}

/** A hashtag or topic as stored: lower-case, no leading #, spaces and underscores as dashes. */
export function normaliseTag(tag: string): string {
  return tag.trim().replace(/^#+/, '').toLowerCase().replace(/[\s_]+/g, '-');
}
