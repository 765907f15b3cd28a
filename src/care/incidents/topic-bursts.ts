import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EscalationRule } from '../rules';
import type { Params } from '../../db';

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

/** The posts as per-minute counter rows, in key order (concurrent calls lock rows alike), and their topics; null when none. */
export function topicCounts(posts: TopicPost[]): { topics: string[]; minutes: string[]; counts: number[]; locks: string[] } | null {
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
  return {
    topics: keys.map((k) => k.split('\u0000')[0]), minutes: keys.map((k) => k.split('\u0000')[1]), counts: keys.map((k) => counts.get(k)!),
    locks: [...new Set(keys.map((k) => k.split('\u0000')[0]))],
  };
}

/**
 * SQL CTE `topic_locks`: each topic's lock, in topic order, held to commit. The statement that
 * writes the posts takes them (its rows wait on `(SELECT n FROM topic_locks)`), so that a
 * concurrent call posting on the topic in another minute waits for this one to commit, and the
 * burst check (topicCountersSql, a later statement: its snapshot is taken after the locks) of
 * each call counts the other's posts; without it each could stay under the threshold alone.
 */
export const topicLocksSql = (counts: NonNullable<ReturnType<typeof topicCounts>>, p: Params) =>
  `topic_locks AS (SELECT count(pg_advisory_xact_lock(${TOPIC_LOCK_SPACE}, hashtext(t))) AS n FROM unnest(${p.add(counts.locks)}::text[]) AS x(t))`;

/**
 * SQL CTEs, in a statement after topicLocksSql's: `topic_counted` adds the posts to the
 * per-minute counters, and `burst_hot_<n>` holds, for the n-th enabled threshold rule of
 * `thresholdRules`, each topic of the posts whose fullest window crosses the rule (topic, posts).
 * Over what is stored, not only this call's posts: every window of whole minutes that holds one
 * of them (ending at its minute or at a stored minute up to a window later, where a post that
 * arrived late joins posts stored before it). The counters as stored plus this call's counts: the
 * statement's own upsert is not visible to its reads.
 */
export function topicCountersSql(rules: EscalationRule[], posts: TopicPost[], counts: NonNullable<ReturnType<typeof topicCounts>>, p: Params): string {
  const [topics, minutes, added] = [p.add(counts.topics), p.add(counts.minutes), p.add(counts.counts)];
  const ctes = [`topic_counted AS (
       INSERT INTO care_topic_minutes (topic, minute, posts)
       SELECT * FROM unnest(${topics}::text[], ${minutes}::timestamptz[], ${added}::int[])
       ON CONFLICT (topic, minute) DO UPDATE SET posts = care_topic_minutes.posts + excluded.posts)`];
  const threshold = thresholdRules(rules);
  if (threshold.length === 0) return ctes.join(',\n');
  const { latest, earliest } = postSpan(posts);
  const names = [...latest.keys()].sort();
  const widest = Math.max(...threshold.map((r) => r.windowMinutes!)) * 60_000;
  const lo = Math.min(...[...earliest.values()].map((d) => Date.parse(minuteOf(d))));
  const hi = Math.max(...[...latest.values()].map((q) => q.occurredAt.getTime()));
  const span = `unnest(${p.add(names)}::text[], ${p.add(names.map((t) => earliest.get(t)!))}::timestamptz[], ${p.add(names.map((t) => latest.get(t)!.occurredAt))}::timestamptz[]) AS t(topic, lo, hi)`;
  ctes.push(`burst_minutes AS (
       SELECT topic, minute, sum(posts) AS posts FROM (
         SELECT c.topic, c.minute, c.posts FROM care_topic_minutes c
          WHERE c.topic = ANY(${topics}::text[]) AND c.minute > ${p.add(new Date(lo - widest))}::timestamptz AND c.minute < ${p.add(new Date(hi + widest))}::timestamptz
         UNION ALL SELECT * FROM unnest(${topics}::text[], ${minutes}::timestamptz[], ${added}::int[])) x
        GROUP BY topic, minute)`);
  for (const [n, rule] of threshold.entries()) {
    const window = p.add(rule.windowMinutes);
    ctes.push(`burst_hot_${n} AS (
       WITH w AS (
         SELECT t.topic, c.minute, t.lo, t.hi,
                sum(c.posts) OVER (PARTITION BY t.topic ORDER BY c.minute
                                   RANGE BETWEEN make_interval(mins => ${window}::int - 1) PRECEDING AND CURRENT ROW) AS posts
           FROM ${span}
           JOIN burst_minutes c ON c.topic = t.topic
            AND c.minute > date_trunc('minute', t.lo) - make_interval(mins => ${window}::int) AND c.minute < t.hi + make_interval(mins => ${window}::int))
       SELECT topic, max(posts)::int AS posts FROM w
        WHERE minute >= date_trunc('minute', lo) AND minute < date_trunc('minute', hi) + make_interval(mins => ${window}::int)
        GROUP BY topic HAVING max(posts) >= ${p.add(rule.threshold)}::int)`);
  }
  return ctes.join(',\n');
}

/** The rules that count topic posts, in the order of topicCountersSql's `burst_hot_<n>`. */
export const thresholdRules = (rules: EscalationRule[]) =>
  rules.filter((r) => r.enabled && r.kind === 'TOPIC_THRESHOLD' && r.threshold && r.windowMinutes);

/** The latest post of each topic, and the time of its earliest. */
function postSpan(posts: TopicPost[]): { latest: Map<string, TopicPost>; earliest: Map<string, Date> } {
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
  return { latest, earliest };
}

/**
 * Escalations for the bursts that start with these posts (at most one per rule and topic), from
 * the topics topicCountersSql found hot per rule. The caller inserts them; the burst rows are
 * claimed here, so concurrent calls cannot both escalate the same burst. Topics in `handled` (an
 * open incident has them) escalate nothing: their burst rows only stay alive while the topic is hot.
 */
export async function claimBursts(
  m: EntityManager, hotByRule: { rule: EscalationRule; hot: { topic: string; posts: number }[] }[], posts: TopicPost[], handled: ReadonlySet<string>,
): Promise<BurstEscalation[]> {
  const { latest } = postSpan(posts);
  const found: BurstEscalation[] = [];
  for (const { rule, hot } of hotByRule) {
    if (hot.length === 0) continue;
    const windowMinutes = rule.windowMinutes!;
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
      [rule.name, names, names.map((t) => latest.get(t)!.occurredAt), proposed, windowMinutes],
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
        windowMinutes,
        at: post.occurredAt,
        reason: `${counts.get(c.topic)} posts on topic "${c.topic}" within ${windowMinutes} minutes (rule ${rule.name}: ${rule.threshold})`,
      });
    }
  }
  return found;
}
