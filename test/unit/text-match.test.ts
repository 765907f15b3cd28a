import fc from 'fast-check';
import {
  COMPLAINT_PHRASES, COMPLIMENT_PHRASES, DISCUSSION_PHRASES, SALES_LEAD_PHRASES, TOPIC_LEXICON, topicsOf,
} from '../../src/care/rules/classifier';
import { foldText, hasAnyKeyword, hashtagsOf, keywordsIn } from '../../src/care/rules/text-match';
import { normaliseTopic as normaliseTag } from '../../src/common/topics';

// An independent reference: one regex per keyword, whole words by unicode lookarounds,
// compiled afresh. The cached functions must agree with it on every text and list.
// (Regexes are cached by their source only to keep the test quick.)
const regexes = new Map<string, RegExp>();
const regexOf = (source: string) => regexes.get(source) ?? regexes.set(source, new RegExp(source, 'u')).get(source)!;
const reference = {
  sourceOf(keyword: string): string {
    const prefix = keyword.endsWith('*');
    const body = foldText(prefix ? keyword.slice(0, -1) : keyword)
      .trim()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\s+/g, '\\s+');
    return `(?<![\\p{L}\\p{N}_])${body}${prefix ? '[\\p{L}\\p{N}_-]*' : '(?![\\p{L}\\p{N}_])'}`;
  },
  keywordsIn(folded: string, keywords: readonly string[]): string[] {
    return keywords
      .filter((k) => k.trim() !== '' && k.trim() !== '*')
      .filter((k) => regexOf(reference.sourceOf(k)).test(folded));
  },
  /** One alternation of the whole list, as hasAnyKeyword had it (slow to compile: fewer runs use it). */
  hasAnyKeyword(folded: string, keywords: readonly string[]): boolean {
    const usable = keywords.filter((k) => k.trim() !== '' && k.trim() !== '*');
    return usable.length > 0 && regexOf(usable.map(reference.sourceOf).join('|')).test(folded);
  },
  hashtagsOf(text: string): string[] {
    const tags = [...text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_-]+)/gu)].map((m) => reference.normaliseTag(m[1]));
    return [...new Set(tags.filter((t) => t !== ''))];
  },
  normaliseTag(tag: string): string {
    return tag.trim().replace(/^#+/, '').toLowerCase().replace(/[\s_-]+/g, '-').replace(/^-+|-+$/g, '');
  },
  topicsOf(content: string): string[] {
    const folded = foldText(content);
    const found = reference.hashtagsOf(content);
    for (const [topic, words] of Object.entries(TOPIC_LEXICON)) {
      if (reference.hasAnyKeyword(folded, words)) found.push(topic);
    }
    return [...new Set(found.map(reference.normaliseTag).filter((t) => t !== ''))];
  },
};

/** The classifier's vocabularies, the default stored rules' tricky ones, and punctuation-led keywords. */
const VOCABULARY = [
  ...SALES_LEAD_PHRASES, ...COMPLAINT_PHRASES, ...COMPLIMENT_PHRASES, ...DISCUSSION_PHRASES, ...Object.values(TOPIC_LEXICON).flat(),
  "next year's model", 'check engine', 'promo code', 'cancel my account', 'sustainab*',
  '#ad', ':)', '(beta)', 'c++', '24/7', 'what?', 'e-*', 'a_b', 'café', 'naïve*', 'x2', 'über', 'İstanbul', '𝒜pp', '漢字',
];

/** Odd characters next to which the word boundary must be judged right. */
const ODD = [
  '_', '-', "'", '\u2019', '#', '@', ':', '*', '.', ',', '!', '?', '(', ')', '&', '/', '+',
  '0', '7', 'a', 'z', 'Q', 'é', 'ü', 'ß', 'ñ', 'İ', 'λ', '漢', 'e\u0301', '\u0301', '𝒜', '😀', '٣', '²', '\u00a0', '\u2003', '\t', '\n', '\ud835', '\udc9c',
];
const SPACE = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', ' \u2003 ');

/** A keyword as a stored rule might spell it: case, padding, doubled spaces, a `*`, curly apostrophes. */
const keyword = fc
  .tuple(fc.constantFrom(...VOCABULARY), fc.nat(), fc.constantFrom('', 'upper', 'pad', 'spaces', 'star', 'cut*', 'curly'))
  .map(([k, n, how]) => {
    switch (how) {
      case 'upper': return k.toUpperCase();
      case 'pad': return `  ${k} `;
      case 'spaces': return k.replace(/ /g, '   ');
      case 'star': return k.endsWith('*') ? k : `${k}*`;
      case 'cut*': return `${k.slice(0, 1 + (n % k.length))}*`;
      case 'curly': return k.replace(/'/g, '\u2019');
      default: return k;
    }
  });
const keywordList = fc.array(fc.oneof({ arbitrary: keyword, weight: 20 }, { arbitrary: fc.constantFrom('', '  ', '*', ' * ', '**'), weight: 1 }), { maxLength: 12 });

/** Text pieces: whole and cut keywords (of `words` mostly, spaced variously), odd characters, random unicode. */
const piece = (words: readonly string[]) => fc.oneof(
  { arbitrary: fc.constantFrom(...words).chain((k) => SPACE.map((s) => k.trim().replace(/\*$/, '').replace(/ +/g, s))), weight: 6 },
  { arbitrary: fc.constantFrom(...VOCABULARY), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...words), fc.nat(), fc.nat()).map(([k, a, b]) => k.slice(a % k.length, 1 + (b % k.length))), weight: 2 },
  { arbitrary: fc.constantFrom(...ODD), weight: 6 },
  { arbitrary: SPACE, weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 3 }), weight: 1 },
);
const textOf = (words: readonly string[]) => fc.array(piece(words), { maxLength: 14 }).map((pieces) => pieces.join(''));
const text = textOf(VOCABULARY);
/** A keyword list and a text made mostly of its keywords. */
const listAndText = keywordList.chain((list) => {
  const words = list.filter((k) => k.trim() !== '');
  return fc.tuple(fc.constant(list), textOf(words.length > 0 ? words : VOCABULARY));
});

const RUNS = 2000;

describe('keyword matching agrees with the per-keyword regexes', () => {
  it('keywordsIn and hasAnyKeyword, on folded and unfolded texts, for fresh copies of the lists too', () => {
    fc.assert(
      fc.property(listAndText, keywordList, ([list, raw], other) => {
        for (const t of [foldText(raw), raw]) {
          // A second list on the same text: its new words arrive after the text was split.
          for (const keywords of [list, other, [...list]]) {
            const expected = reference.keywordsIn(t, keywords);
            expect(keywordsIn(t, keywords)).toEqual(expected);
            expect(hasAnyKeyword(t, keywords)).toBe(expected.length > 0);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('hasAnyKeyword, against the one-alternation regex', () => {
    fc.assert(
      fc.property(listAndText, ([list, raw]) => {
        const t = foldText(raw);
        expect(hasAnyKeyword(t, list)).toBe(reference.hasAnyKeyword(t, list));
      }),
      { numRuns: RUNS / 10 },
    );
  });

  it('each vocabulary keyword, against texts built around it', () => {
    fc.assert(
      fc.property(keyword, fc.constantFrom(...ODD, ' ', ''), fc.constantFrom(...ODD, ' ', ''), text, (k, before, after, rest) => {
        const body = k.trim().replace(/\*$/, '');
        for (const t of [`${before}${body}${after}`, `${rest} ${before}${body}${after}`, `${body}${after}${rest}`].map(foldText)) {
          expect(keywordsIn(t, [k])).toEqual(reference.keywordsIn(t, [k]));
          expect(hasAnyKeyword(t, [k])).toBe(reference.hasAnyKeyword(t, [k]));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('topicsOf, hashtagsOf and normaliseTag', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('', '#', ' #', '##'), text, (a, hash, b) => {
        const content = `${a}${hash}${b}`;
        expect(topicsOf(content)).toEqual(reference.topicsOf(content));
        expect(hashtagsOf(content)).toEqual(reference.hashtagsOf(content));
        expect(normaliseTag(content)).toBe(reference.normaliseTag(content));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('keyword matching edge cases', () => {
  const hit = (t: string, k: string) => hasAnyKeyword(foldText(t), [k]);

  it.each([
    ['the app works', 'app', true],
    ['so happy', 'app', false],
    ['my_app', 'app', false],
    ['app_store', 'app', false],
    ['app2 beta', 'app', false],
    ['2app', 'app', false],
    ['appé', 'app', false],
    ['éapp', 'app', false],
    ['e\u0301app', 'app', true], // a combining mark is no word character
    ['app', 'app', true],
    ['App!', 'app', true],
    ['very sustainable', 'sustainab*', true],
    ['unsustainable', 'sustainab*', false],
    ['sustainab', 'sustainab*', true],
    ['I doesn\u2019t work', "doesn't work", true],
    ['it does   not\twork', 'does not work', true],
    ['it doesnot work', 'does not work', false],
    ['pro tip: wax it', 'tip:', true],
    ['pro tip:wax it', 'tip:', false],
    ['protip: wax', 'tip:', false],
    ['a trade-in offer', 'trade-in', true],
    ['a trade-ins offer', 'trade-in', false],
    ["next year's model", "next year's model", true],
    ['how much is the CTS', 'how much is the', true],
    ['how much is theirs', 'how much is the', false],
    ['get #ad now', '#ad', true],
    ['get (#ad) now', '#ad', true],
    ['get x#ad now', '#ad', false],
  ])('%p with %p: %p', (t, k, expected) => {
    expect(hit(t, k)).toBe(expected);
    expect(hit(t, k)).toBe(reference.hasAnyKeyword(foldText(t), [k]));
  });

  it('keeps list order and duplicates, and skips blank keywords', () => {
    const list = ['refund', '', 'broken', '*', 'refund', 'rude'];
    expect(keywordsIn('rude staff, broken car, no refund', list)).toEqual(['refund', 'broken', 'refund', 'rude']);
    expect(keywordsIn('fine', list)).toEqual([]);
    expect(hasAnyKeyword('anything', ['', ' ', '*'])).toBe(false);
  });

  it('finds a word first compiled after the same text was matched against another list', () => {
    const t = foldText('the zebrafinch crossing');
    expect(hasAnyKeyword(t, ['crossing'])).toBe(true);
    expect(keywordsIn(t, ['quokka', 'zebrafinch'])).toEqual(['zebrafinch']);
  });

  it('stays right past the compile cache bound, which forgets every list', () => {
    const t = 'w5 and w1500';
    const hits: number[] = [];
    for (let i = 0; i < 2500; i++) if (hasAnyKeyword(t, [`w${i}`])) hits.push(i);
    expect(hits).toEqual([5, 1500]);
    expect(keywordsIn('so helpful, thanks', COMPLIMENT_PHRASES)).toEqual(['thanks', 'so helpful']);
  });
});
