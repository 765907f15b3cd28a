/** Who the default scorer's rows name as their source. */
export const DEFAULT_SCORER_SOURCE = 'default-scorer';

/** Public interactions older than this do not count for engagement or reach. */
export const SCORER_WINDOW_DAYS = 90;

/** What the service holds about one customer, as the default scorer reads it. */
export interface ScorerInput {
  /** follower_count of each social identity (null: unknown, counts as 0). */
  followerCounts: readonly (number | null)[];
  /** Public inbound interactions inside the window, with the followers of the identity that posted each. */
  publicPosts: readonly { topics: readonly string[]; authorFollowers: number | null }[];
  /** The customer's networkTrend (30-day follower growth as a share; follower-history.sql.ts); null or absent: unknown, no effect. */
  growth?: number | null;
}

export interface ScorerResult {
  /** null: topic-less overall score. */
  topic: string | null;
  score: number;
}

/** How far each part reaches up the scale: log10 of the count that earns the full part. */
const FULL = { followers: 7, posts: 2, reach: 8 };
const WEIGHT = { followers: 0.6, posts: 0.15, reach: 0.25 };
/** Share of the scale a doubling (or a loss of every follower) in 30 days moves the score: 0.9 points. */
export const GROWTH_WEIGHT = 0.1;

function part(count: number, full: number): number {
  return Math.min(1, Math.log10(1 + Math.max(0, count)) / full);
}

/**
 * One score on the 1-10 scale from followers F, posts P, reach R (sum of the author's followers
 * over the posts) and growth G (the 30-day network trend, a share; null: 0):
 *   base  = 0.6 x min(1, log10(1+F)/7) + 0.15 x min(1, log10(1+P)/2) + 0.25 x min(1, log10(1+R)/8)
 *   score = 1 + 9 x clamp(base + 0.1 x clamp(G, -1, 1), 0, 1), rounded to 2 decimals
 * so 10 million followers, 100 posts and 100 million reach give the full 10, and a network that
 * doubled in 30 days adds 0.9 points (one that lost every follower takes 0.9 away).
 */
export function influenceFormula(followers: number, posts: number, reach: number, growth: number | null = null): number {
  const base = WEIGHT.followers * part(followers, FULL.followers) + WEIGHT.posts * part(posts, FULL.posts) + WEIGHT.reach * part(reach, FULL.reach);
  const moved = GROWTH_WEIGHT * Math.max(-1, Math.min(1, growth ?? 0));
  const raw = Math.max(0, Math.min(1, base + moved));
  return Math.round((1 + 9 * raw) * 100) / 100;
}

/**
 * The default, transparent influence of one customer: an overall score, and one per topic
 * of their public posts (same followers and growth; posts and reach of that topic only).
 * Usage: `scoreInfluence({ followerCounts: [1200], publicPosts: [{ topics: ['mileage'], authorFollowers: 1200 }] })`
 */
export function scoreInfluence(input: ScorerInput): ScorerResult[] {
  const followers = input.followerCounts.reduce<number>((sum, f) => sum + (f ?? 0), 0);
  const reachOf = (posts: ScorerInput['publicPosts']) => posts.reduce((sum, p) => sum + (p.authorFollowers ?? 0), 0);
  const results: ScorerResult[] = [
    { topic: null, score: influenceFormula(followers, input.publicPosts.length, reachOf(input.publicPosts), input.growth ?? null) },
  ];
  const topics = [...new Set(input.publicPosts.flatMap((p) => p.topics))].sort();
  for (const topic of topics) {
    const posts = input.publicPosts.filter((p) => p.topics.includes(topic));
    results.push({ topic, score: influenceFormula(followers, posts.length, reachOf(posts), input.growth ?? null) });
  }
  return results;
}
