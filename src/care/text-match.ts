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
  // Most posts carry no hashtag: skip the unicode regex for them.
  if (!text.includes('#')) return [];
  const tags = [...text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_-]+)/gu)].map((m) => m[1].toLowerCase().replace(/_/g, '-'));
  return [...new Set(tags)];
}

/** A hashtag or topic as stored: lower-case, no leading #, spaces and underscores as dashes. */
export function normaliseTag(tag: string): string {
  // Most tags are stored ones, already in this form, which the rewrite below returns unchanged.
  if (/^[a-z0-9-]*$/.test(tag)) return tag;
  return tag.trim().replace(/^#+/, '').toLowerCase().replace(/[\s_]+/g, '-');
}

/** The keywords of the list that occur in the folded text (folded by foldText). */
export function keywordsIn(folded: string, keywords: readonly string[]): string[] {
  const list = compile(keywords);
  const found: number[] = [];
  scan(list, folded, found);
  return found.length === 0 ? [] : found.sort((a, b) => a - b).map((i) => list.keywords[i]);
}

/** Whether the folded text contains any keyword of the list. */
export function hasAnyKeyword(folded: string, keywords: readonly string[]): boolean {
  return scan(compile(keywords), folded, null);
}

// What a keyword means is its regex (sourceOf). Matching avoids running those regexes: one
// alternation of a whole list tries every keyword at every position of the text, and even
// a substring test per keyword costs more than the alternation on short posts. Instead the
// text is split once into words (maximal runs of the regexes' word characters) and each
// keyword is looked up by its leading word: a keyword that starts with a word character
// can only match where the text has a word exactly equal to its leading run (the match
// starts after a non-word, and the run ends inside the keyword at a space or punctuation, or
// at its end before a non-word). A keyword that is one plain word matches exactly when the
// text has that word, so its regex never runs; the others run it only when the word is there.

const WORD = '[\\p{L}\\p{N}_]';
const WORD_RUNS = /[\p{L}\p{N}_]+/gu;
const LEADING_RUN = /^[\p{L}\p{N}_]*/u;

/** The regex source of one keyword: whole words, or a word start when it ends with `*`. */
function sourceOf(keyword: string): string {
  const prefix = keyword.endsWith('*');
  const body = foldText(prefix ? keyword.slice(0, -1) : keyword)
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return `(?<!${WORD})${body}${prefix ? '[\\p{L}\\p{N}_-]*' : `(?!${WORD})`}`;
}

/** A keyword found by its leading word; `index` is its position in the keyword list. */
interface ByWord {
  index: number;
  /** Null: the keyword is that one plain word, so the text having the word is the match. */
  pattern: RegExp | null;
  /** Ids of the words that lead its later pieces, which the text must have too before the regex runs. */
  alsoWords: number[];
}
/** The keywords that share one leading word (a word id, see wordIdOf). */
interface WordGroup {
  id: number;
  keywords: ByWord[];
}
/** A plain word with a trailing `*`: matches exactly when a text word starts with it. */
interface ByWordStart {
  index: number;
  start: string;
}
/** A keyword that starts with punctuation: its regex decides, after a substring prefilter. */
interface ByRegex {
  index: number;
  /** Its longest whitespace-free piece, which every match contains. */
  literal: string;
  pattern: RegExp;
}

interface CompiledList {
  keywords: readonly string[];
  groups: WordGroup[];
  groupById: Map<number, WordGroup>;
  byWordStart: ByWordStart[];
  byRegex: ByRegex[];
}

function build(keywords: readonly string[]): CompiledList {
  const list: CompiledList = { keywords: [...keywords], groups: [], groupById: new Map(), byWordStart: [], byRegex: [] };
  for (const [index, keyword] of keywords.entries()) {
    if (keyword.trim() !== '' && keyword.trim() !== '*') addKeyword(list, index, keyword);
  }
  return list;
}

/** Files a keyword under the cheapest test that still decides it exactly. */
function addKeyword(list: CompiledList, index: number, keyword: string): void {
  const prefix = keyword.endsWith('*');
  // The body sourceOf escapes, in the pieces its \s+ separate.
  const pieces = foldText(prefix ? keyword.slice(0, -1) : keyword).trim().split(/\s+/);
  const head = LEADING_RUN.exec(pieces[0])![0];
  const plainWord = pieces.length === 1 && head === pieces[0];
  if (head === '') {
    const literal = pieces.reduce((a, b) => (b.length > a.length ? b : a));
    list.byRegex.push({ index, literal, pattern: new RegExp(sourceOf(keyword), 'u') });
  } else if (plainWord && prefix) {
    list.byWordStart.push({ index, start: head });
  } else {
    const pattern = plainWord ? null : new RegExp(sourceOf(keyword), 'u');
    groupOf(list, wordIdOf(head)).keywords.push({ index, pattern, alsoWords: laterWordIds(pieces, prefix) });
  }
}

function groupOf(list: CompiledList, id: number): WordGroup {
  let group = list.groupById.get(id);
  if (!group) {
    group = { id, keywords: [] };
    list.groupById.set(id, group);
    list.groups.push(group);
  }
  return group;
}

/**
 * The ids of the leading words of a keyword's later pieces. Each piece follows whitespace in
 * a match, so its leading run is a whole text word like the first one's; except a last piece
 * that is all word characters before a `*`, which only starts a text word.
 */
function laterWordIds(pieces: readonly string[], prefix: boolean): number[] {
  const ids: number[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const head = LEADING_RUN.exec(pieces[i])![0];
    const startsWord = prefix && i === pieces.length - 1 && head === pieces[i];
    if (head !== '' && !startsWord) ids.push(wordIdOf(head));
  }
  return ids;
}

// Keyword lists are compiled once per content: the classifier's constants once per process,
// stored rules once per distinct rule set, although every load of the rules brings new
// arrays. The WeakMap answers repeated calls with the same array without building a key.
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
    if (byContent.size >= MAX_LISTS) forgetAll();
    list = build(keywords);
    byContent.set(key, list);
  }
  byArray.set(keywords, list);
  return list;
}

// Leading words get small ids, and each text marks the ids of its words once: whether the
// text has a keyword's leading word is then an array read, not a hash lookup per keyword.
const wordIds = new Map<string, number>();
/** markedIn[id] === textSerial: the marked text has the word `id`. */
const markedIn: number[] = [];
let textSerial = 0;
/** The text marked last (callers test one text against many lists in a row), its words and their ids. */
let markedText: string | null = null;
let markedWords: string[] = [];
let markedIds: number[] = [];

function wordIdOf(word: string): number {
  let id = wordIds.get(word);
  if (id === undefined) {
    id = markedIn.length;
    wordIds.set(word, id);
    markedIn.push(0);
    // The marked text was marked without this word: mark it again when next asked.
    markedText = null;
  }
  return id;
}

/** Drops every compiled list and word id, so that memory stays bounded. */
function forgetAll(): void {
  byArray = new WeakMap();
  byContent.clear();
  wordIds.clear();
  markedIn.length = 0;
  markedText = null;
}

/** Marks the words of the text (see markedIn) and lists the ids marked, once each. */
function markWords(text: string): void {
  if (text === markedText) return;
  textSerial += 1;
  const words = splitWords(text);
  const ids: number[] = [];
  for (const word of words) {
    const id = wordIds.get(word);
    if (id === undefined || markedIn[id] === textSerial) continue;
    markedIn[id] = textSerial;
    ids.push(id);
  }
  markedText = text;
  markedWords = words;
  markedIds = ids;
}

/** The maximal runs of word characters, as WORD_RUNS finds them; a loop for ASCII text, which is most posts. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return text.match(WORD_RUNS) ?? [];
    // In ASCII, \p{L} is A-Z a-z and \p{N} is 0-9.
    const word = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || (c >= 0x41 && c <= 0x5a);
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      words.push(text.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) words.push(text.slice(start));
  return words;
}

/**
 * Adds the list positions of the keywords that occur in the text to `found`, in no
 * particular order; without `found`, stops at the first one and answers whether there was one.
 */
function scan(list: CompiledList, text: string, found: number[] | null): boolean {
  markWords(text);
  // Walk the shorter side: the list's leading words, or the text's words that lead some keyword.
  if (list.groups.length <= markedIds.length) {
    for (const group of list.groups) {
      if (markedIn[group.id] === textSerial && groupHits(group.keywords, text, found)) return true;
    }
  } else {
    for (const id of markedIds) {
      const group = list.groupById.get(id);
      if (group && groupHits(group.keywords, text, found)) return true;
    }
  }
  for (const { index, start } of list.byWordStart) {
    if (!markedWords.some((w) => w.startsWith(start))) continue;
    if (!found) return true;
    found.push(index);
  }
  for (const { index, literal, pattern } of list.byRegex) {
    if (!text.includes(literal) || !pattern.test(text)) continue;
    if (!found) return true;
    found.push(index);
  }
  return false;
}

/** scan for the keywords of one word group, which the text has the leading word of. */
function groupHits(keywords: readonly ByWord[], text: string, found: number[] | null): boolean {
  for (const { index, pattern, alsoWords } of keywords) {
    if (pattern && (!alsoWords.every((id) => markedIn[id] === textSerial) || !pattern.test(text))) continue;
    if (!found) return true;
    found.push(index);
  }
  return false;
}
