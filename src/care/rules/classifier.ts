import { InteractionCategory } from '../../graphql';
import { foldText, hashtagsOf, hasAnyKeyword, keywordsIn } from './text-match';
import { normaliseTopics } from '../../common';

// A transparent, rule-based classifier (docs/care.md lists the rules): no model, no
// external service, so an agent can always tell why a post got its category.

/** Purchase intent: someone deciding what to buy ("should I buy the CTS or the MKZ?"). */
export const SALES_LEAD_PHRASES = [
  'should i buy', 'should i get', 'thinking of buying', 'thinking about buying', 'looking to buy', 'planning to buy',
  'want to buy', 'ready to buy', 'in the market for', 'which one should i', 'which should i', 'worth buying',
  'test drive', 'how much is the', 'how much does the', 'price of the', 'best price', 'get a quote', 'lease deal',
  'trade in my', 'trade-in', 'considering the', 'or should i get',
];

/** The customer is unhappy with something that happened to them. */
export const COMPLAINT_PHRASES = [
  'broken', 'broke', 'not working', "doesn't work", "does not work", "won't start", "didn't work", 'stopped working',
  'still waiting', 'no one', 'nobody', 'terrible', 'awful', 'worst', 'horrible', 'disappointed', 'disappointing',
  'unacceptable', 'ridiculous', 'angry', 'furious', 'fed up', 'frustrated', 'frustrating', 'complaint', 'problem',
  'issue', 'defective', 'faulty', 'ripped off', 'rip off', 'overcharged', 'refund', 'never again', 'thanks for nothing',
  'waste of', 'useless', 'rude', 'ignored', 'cancel my', 'switching to', 'thinking of leaving', 'hate', 'failed',
  'keeps crashing', 'crashed', 'leaking', 'recall',
];

/** Praise or thanks addressed to the brand. */
export const COMPLIMENT_PHRASES = [
  'thank you', 'thanks', 'thx', 'kudos', 'shout out', 'shoutout', 'love', 'loving', 'great job', 'great service',
  'amazing', 'awesome', 'excellent', 'fantastic', 'impressed', 'appreciate', 'well done', 'best service', 'so helpful',
  'you rock', 'you guys rock', 'happy with', 'made my day',
];

/** Customers talking among themselves: the brand would be joining a discussion. */
export const DISCUSSION_PHRASES = [
  'anyone else', 'anyone know', 'does anyone', 'has anyone', 'anybody', 'who else', 'what do you all', 'what do you guys',
  'we were discussing', 'discussion', 'debate', 'thread', 'my friends', 'poll', 'in my experience', 'fellow', 'tip:', 'pro tip',
];

const QUESTION_OPENERS = /^(how|what|when|where|why|who|which|can|could|does|do|is|are|will|would|should|may|any)\b/;

/** Topic tags (aligned with the seed vocabulary) and the words that signal them. */
export const TOPIC_LEXICON: Readonly<Record<string, readonly string[]>> = {
  'billing': ['bill', 'billing', 'invoice', 'charged', 'overcharged', 'payment'],
  'fuel-mileage': ['mpg', 'fuel mileage', 'gas mileage', 'fuel economy', 'mileage'],
  'warranty': ['warranty', 'warranties'],
  'rebate': ['rebate', 'rebates'],
  'delivery': ['delivery', 'delivered', 'shipping', 'shipment'],
  'app': ['app', 'mobile app'],
  'service-appointment': ['service appointment', 'oil change', 'service visit'],
  'recall': ['recall', 'recalls', 'recalled'],
  'infotainment': ['infotainment', 'bluetooth', 'navigation', 'touchscreen', 'sync'],
  'financing': ['financing', 'loan', 'lease', 'apr'],
  'roadside-assistance': ['roadside', 'tow truck', 'towed', 'flat tire'],
  'dealer': ['dealer', 'dealership', 'dealers'],
  'new-model': ['new model', 'next model', "next year's model", 'upcoming model'],
  'campaign': ['campaign', 'commercial', 'your ad', 'promo'],
  'event': ['event', 'auto show', 'launch party'],
  'charity': ['charity', 'donate', 'donation', 'fundraiser'],
  'sustainability': ['sustainab*', 'emissions', 'climate', 'electric'],
};

const POSITIVE = new Set([
  'love', 'loving', 'great', 'good', 'excellent', 'amazing', 'awesome', 'fantastic', 'happy', 'glad', 'thanks', 'thank',
  'helpful', 'best', 'impressed', 'perfect', 'quick', 'fast', 'friendly', 'appreciate', 'kudos', 'recommend', 'nice',
  'smooth', 'wonderful', 'brilliant', 'pleased', 'satisfied',
]);
const NEGATIVE = new Set([
  'hate', 'bad', 'terrible', 'awful', 'worst', 'horrible', 'broken', 'broke', 'angry', 'furious', 'disappointed',
  'disappointing', 'unacceptable', 'ridiculous', 'slow', 'rude', 'useless', 'problem', 'issue', 'faulty', 'defective',
  'frustrated', 'frustrating', 'waiting', 'ignored', 'never', 'poor', 'sucks', 'scam', 'refund', 'cancel', 'leaving',
  'overcharged', 'fail', 'failed', 'crash', 'crashed', 'waste',
]);
/** Both lists as one lookup per word; set last, positive wins for a word in both, as it always has. */
const POLARITY = new Map<string, number>();
for (const word of NEGATIVE) POLARITY.set(word, -1);
for (const word of POSITIVE) POLARITY.set(word, 1);
const NEGATORS = new Set(['not', 'no', "don't", "didn't", "isn't", "wasn't", "aren't", "won't", 'never', "can't", 'hardly']);

export interface Classification {
  category: InteractionCategory;
  /** -1 (negative) .. 1 (positive), two decimals. */
  sentiment: number;
  /** Hashtags first, then lexicon topics, deduplicated. */
  topics: string[];
}

/**
 * Classifies a post by the rules above, in this order: purchase intent -> SALES_LEAD;
 * complaint words outweighing praise -> COMPLAINT; customers talking among themselves ->
 * PROACTIVE; a question -> QUESTION; praise or thanks -> COMPLIMENT; a known topic and
 * nothing else -> PROACTIVE; otherwise OTHER.
 * Usage: `classify('should I buy the CTS or the MKZ?').category` -> `'SALES_LEAD'`
 */
export function classify(content: string): Classification {
  const folded = foldText(content);
  const topics = topicsOf(content, folded);
  return { category: categoryOf(folded, topics), sentiment: sentimentOf(folded), topics };
}

// The lexicon as one keyword list, so a post is matched against it once rather than per topic.
const TOPIC_NAMES = Object.keys(TOPIC_LEXICON);
const TOPICS_OF_WORD = new Map<string, string[]>();
for (const [topic, words] of Object.entries(TOPIC_LEXICON)) {
  for (const word of words) TOPICS_OF_WORD.set(word, [...(TOPICS_OF_WORD.get(word) ?? []), topic]);
}
const TOPIC_WORDS = [...TOPICS_OF_WORD.keys()];

/** The lexicon topics any of whose words the folded text contains, in lexicon order. */
function lexiconTopics(folded: string): string[] {
  const words = keywordsIn(folded, TOPIC_WORDS);
  if (words.length === 0) return [];
  const hit = new Set<string>();
  for (const word of words) for (const topic of TOPICS_OF_WORD.get(word)!) hit.add(topic);
  return TOPIC_NAMES.filter((t) => hit.has(t));
}

export function topicsOf(content: string, folded = foldText(content)): string[] {
  const tags = hashtagsOf(content);
  const topics = lexiconTopics(folded);
  const found = tags.length === 0 ? topics : [...tags, ...topics];
  return normaliseTopics(found);
}

export function categoryOf(folded: string, topics: readonly string[]): InteractionCategory {
  if (hasAnyKeyword(folded, SALES_LEAD_PHRASES)) return InteractionCategory.SALES_LEAD;
  const complaints = keywordsIn(folded, COMPLAINT_PHRASES).length;
  const praise = keywordsIn(folded, COMPLIMENT_PHRASES).length;
  if (complaints > 0 && complaints >= praise) return InteractionCategory.COMPLAINT;
  if (hasAnyKeyword(folded, DISCUSSION_PHRASES)) return InteractionCategory.PROACTIVE;
  if (isQuestion(folded)) return InteractionCategory.QUESTION;
  if (praise > 0) return InteractionCategory.COMPLIMENT;
  if (topics.length > 0) return InteractionCategory.PROACTIVE;
  return InteractionCategory.OTHER;
}

function isQuestion(folded: string): boolean {
  if (folded.includes('?')) return true;
  return folded
    .split(/[.!\n]+/)
    .map((s) => s.trim().replace(/^(@\w+[\s,]*)+/, ''))
    .some((s) => QUESTION_OPENERS.test(s));
}

/**
 * Lexicon sentiment: +1 per positive word, -1 per negative word, a negator among the two
 * words before flips it; the sum is squashed as sum / (|words| + 1) into -1..1.
 */
export function sentimentOf(folded: string): number {
  const words = folded.match(/[\p{L}']+/gu) ?? [];
  let sum = 0;
  let hits = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const polarity = POLARITY.get(word);
    if (polarity === undefined) continue;
    const negated = (i >= 1 && NEGATORS.has(words[i - 1])) || (i >= 2 && NEGATORS.has(words[i - 2]));
    sum += negated && word !== 'never' ? -polarity : polarity;
    hits += 1;
  }
  const score = sum / (hits + 1);
  return Math.max(-1, Math.min(1, Math.round(score * 100) / 100));
}
