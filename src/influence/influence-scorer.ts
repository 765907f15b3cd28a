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
}

export interface ScorerResult {
  /** null: topic-less overall score. */
  topic: string | null;
  score: number;
}

/** How far each part reaches up the scale: log10 of the count that earns the full part. */
const FULL = { followers: 7, posts: 2, reach: 8 };
const WEIGHT = { followers: 0.6, posts: 0.15, reach: 0.25 };

function part(count: number, full: number): number {
  return Math.min(1, Math.log10(1 + Math.max(0, count)) / full);
}

/**
 * One score on the 1-10 scale from followers F, posts P and reach R (sum of the author's
 * followers over the posts):
 *   score = 1 + 9 x (0.6 x min(1, log10(1+F)/7) + 0.15 x min(1, log10(1+P)/2) + 0.25 x min(1, log10(1+R)/8))
 * so 10 million followers, 100 posts and 100 million reach give the full 10.
 */
export function influenceFormula(followers: number, posts: number, reach: number): number {
  const raw = WEIGHT.followers * part(followers, FULL.followers) + WEIGHT.posts * part(posts, FULL.posts) + WEIGHT.reach * part(reach, FULL.reach);
  return Math.round((1 + 9 * raw) * 100) / 100;
}

/**
 * The default, transparent influence of one customer: an overall score, and one per topic
 * of their public posts (same followers; posts and reach of that topic only).
 * Usage: `scoreInfluence({ followerCounts: [1200], publicPosts: [{ topics: ['mileage'], authorFollowers: 1200 }] })`
 */
export function scoreInfluence(input: ScorerInput): ScorerResult[] {
  const followers = input.followerCounts.reduce<number>((sum, f) => sum + (f ?? 0), 0);
  const reachOf = (posts: ScorerInput['publicPosts']) => posts.reduce((sum, p) => sum + (p.authorFollowers ?? 0), 0);
  const results: ScorerResult[] = [
    { topic: null, score: influenceFormula(followers, input.publicPosts.length, reachOf(input.publicPosts)) },
  ];
  const topics = [...new Set(input.publicPosts.flatMap((p) => p.topics))].sort();
  for (const topic of topics) {
    const posts = input.publicPosts.filter((p) => p.topics.includes(topic));
    results.push({ topic, score: influenceFormula(followers, posts.length, reachOf(posts)) });
  }
  return results;
}
