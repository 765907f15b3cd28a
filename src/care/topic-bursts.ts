import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EscalationRule } from './care-rules';

// The threshold rule ("X posts on the same topic in Y hours" -> PR/crisis): inbound posts
// are counted per topic and minute, and a burst escalates once. The burst stays the same
// burst while the topic keeps crossing the threshold at least once per window; only after a
// quiet window does the next crossing escalate again.

export interface TopicPost {
  interactionId: string;
  customerId: string;
  topics: string[];
  occurredAt: Date;
}

export interface BurstEscalation {
  escalationId: string;
  interactionId: string;
  customerId: string;
  team: string;
  reason: string;
  ruleName: string;
  topic: string;
  /** Posts on the topic in the window when the rule tripped. */
  posts: number;
  windowMinutes: number;
  /** The latest post of the burst. */
  at: Date;
}

/** The first key of the topics' advisory locks (the second is the topic's hash). */
const TOPIC_LOCK_SPACE = 7_245_024;

const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString();

/**
 * SQL CTEs that add the posts to the per-minute topic counters, in key order so concurrent calls
 * lock rows alike: `topic_locks` takes each topic's lock first (held to commit), then
 * `topic_counted` upserts the counters. A concurrent call posting on the topic in another minute
 * waits for this one to commit, so its burst check (detectBursts, a later statement) counts
 * these posts too; without it each could stay under the threshold alone. The parameters are
 * numbered from `$first` (four); null when no post has a topic. Statements that run in the same
 * round trip and must come after the locks wait on `(SELECT n FROM topic_locks)`.
 */
export function countTopicPostsSql(posts: TopicPost[], first: number): { ctes: string; params: unknown[] } | null {
  const counts = new Map<string, number>();
  for (const p of posts) {
    const minute = minuteOf(p.occurredAt);
    for (const t of p.topics) {
      const key = `${t}\u0000${minute}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return null;
  const keys = [...counts.keys()].sort();
  const topics = [...new Set(keys.map((k) => k.split('\u0000')[0]))];
  const [a, b, c, d] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  // The locks are taken, in topic order, before any counter row: the WHERE reads topic_locks first.
  return {
    ctes: `topic_locks AS (SELECT count(pg_advisory_xact_lock(${TOPIC_LOCK_SPACE}, hashtext(t))) AS n FROM unnest(${d}::text[]) WITH ORDINALITY AS x(t, o)),
     topic_counted AS (
       INSERT INTO care_topic_minutes (topic, minute, posts)
       SELECT * FROM unnest(${a}::text[], ${b}::timestamptz[], ${c}::int[]) WHERE (SELECT n FROM topic_locks) >= 0
       ON CONFLICT (topic, minute) DO UPDATE SET posts = care_topic_minutes.posts + excluded.posts)`,
    params: [keys.map((k) => k.split('\u0000')[0]), keys.map((k) => k.split('\u0000')[1]), keys.map((k) => counts.get(k)), topics],
  };
}

/**
 * Escalations for bursts that start with these posts (at most one per rule and topic).
 * The caller inserts them; the burst rows are claimed here, so concurrent calls cannot
 * both escalate the same burst. Topics in `handled` (an open incident has them) escalate
 * nothing: their burst rows only stay alive while the topic is hot.
 */
export async function detectBursts(
  m: EntityManager, rules: EscalationRule[], posts: TopicPost[], handled: ReadonlySet<string> = new Set(),
): Promise<BurstEscalation[]> {
  const latest = new Map<string, TopicPost>();
  const earliest = new Map<string, Date>();
  for (const p of posts) {
    for (const t of p.topics) {
      const seen = latest.get(t);
      if (!seen || seen.occurredAt.getTime() <= p.occurredAt.getTime()) latest.set(t, p);
      const first = earliest.get(t);
      if (!first || p.occurredAt.getTime() < first.getTime()) earliest.set(t, p.occurredAt);
    }
  }
  if (latest.size === 0) return [];
  const topics = [...latest.keys()].sort();
  const found: BurstEscalation[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.kind !== 'TOPIC_THRESHOLD' || !rule.threshold || !rule.windowMinutes) continue;
    // Over what is stored, not only this call's posts: every window of whole minutes that holds
    // one of them (ending at its minute or at a stored minute up to a window later, where a post
    // that arrived late joins posts stored before it), the fullest one per topic.
    const hot: { topic: string; posts: number }[] = await m.query(
      `WITH w AS (
         SELECT t.topic, c.minute, t.lo, t.hi,
                sum(c.posts) OVER (PARTITION BY t.topic ORDER BY c.minute
                                   RANGE BETWEEN make_interval(mins => $4 - 1) PRECEDING AND CURRENT ROW) AS posts
           FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS t(topic, lo, hi)
           JOIN care_topic_minutes c ON c.topic = t.topic
            AND c.minute > date_trunc('minute', t.lo) - make_interval(mins => $4) AND c.minute < t.hi + make_interval(mins => $4))
       SELECT topic, max(posts)::int AS posts FROM w
        WHERE minute >= date_trunc('minute', lo) AND minute < date_trunc('minute', hi) + make_interval(mins => $4)
        GROUP BY topic HAVING max(posts) >= $5`,
      [topics, topics.map((t) => earliest.get(t)!), topics.map((t) => latest.get(t)!.occurredAt), rule.windowMinutes, rule.threshold],
    );
    if (hot.length === 0) continue;
    const kept = hot.filter((h) => handled.has(h.topic)).map((h) => h.topic).sort();
    if (kept.length > 0) {
      await m.query(
        `UPDATE care_topic_bursts b SET last_hot_at = greatest(b.last_hot_at, t.at)
           FROM unnest($2::text[], $3::timestamptz[]) AS t(topic, at) WHERE b.rule_name = $1 AND b.topic = t.topic`,
        [rule.name, kept, kept.map((t) => latest.get(t)!.occurredAt)],
      );
    }
    const names = hot.map((h) => h.topic).filter((t) => !handled.has(t)).sort();
    if (names.length === 0) continue;
    const proposed: string[] = names.map(() => randomUUID());
    const claimed: { topic: string; escalationId: string }[] = await m.query(
      `INSERT INTO care_topic_bursts AS b (rule_name, topic, fired_at, last_hot_at, escalation_id)
       SELECT $1, t.topic, t.at, t.at, t.escalation_id FROM unnest($2::text[], $3::timestamptz[], $4::uuid[]) AS t(topic, at, escalation_id)
       ON CONFLICT (rule_name, topic) DO UPDATE SET
         fired_at = CASE WHEN b.last_hot_at < excluded.fired_at - make_interval(mins => $5) THEN excluded.fired_at ELSE b.fired_at END,
         escalation_id = CASE WHEN b.last_hot_at < excluded.fired_at - make_interval(mins => $5) THEN excluded.escalation_id ELSE b.escalation_id END,
         last_hot_at = greatest(b.last_hot_at, excluded.last_hot_at)
       RETURNING b.topic, b.escalation_id AS "escalationId"`,
      [rule.name, names, names.map((t) => latest.get(t)!.occurredAt), proposed, rule.windowMinutes],
    );
    const counts = new Map(hot.map((h) => [h.topic, h.posts]));
    for (const c of claimed) {
      if (!proposed.includes(c.escalationId)) continue;
      const post = latest.get(c.topic)!;
      found.push({
        escalationId: c.escalationId,
        interactionId: post.interactionId,
        customerId: post.customerId,
        team: rule.team,
        ruleName: rule.name,
        topic: c.topic,
        posts: counts.get(c.topic)!,
        windowMinutes: rule.windowMinutes,
        at: post.occurredAt,
        reason: `${counts.get(c.topic)} posts on topic "${c.topic}" within ${rule.windowMinutes} minutes (rule ${rule.name}: ${rule.threshold})`,
      });
    }
  }
  return found;
}
