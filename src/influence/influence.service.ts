import type { DataSource, EntityManager } from 'typeorm';
import { groupByKey, isUuid } from '../db';
import { DomainError, badInput, Platform, checkId, keyClaim, once } from '../graphql';
import { DEFAULT_SCORER_SOURCE, SCORER_WINDOW_DAYS, scoreInfluence } from './influence-scorer';
import { INFLUENCE_COLUMNS, PROFILING_CONSENTED_SQL } from './influence.sql';
import { NETWORK_TREND_SQL } from './follower-history.sql';
import { customerGrantedNowSql } from '../identities';
import type { FollowerCountInput, InfluenceScore, InfluenceScoreInput } from './influence.types';
import { checkCustomerId, liveCustomerId } from '../customers';
import { MAX_TOPIC, normaliseTopic } from '../common';

/** A stored answer (JSON) as the InfluenceScore it was. */
function reviveScore(stored: unknown): InfluenceScore {
  const s = stored as InfluenceScore & { measuredAt: string };
  return { ...s, measuredAt: new Date(s.measuredAt) };
}

/** Most customers one recompute call may name. */
export const MAX_RECOMPUTE = 1000;

/**
 * Influence scores as history: ingested from any provider (flagged when the customer has
 * not granted PROFILING), and computed by the default scorer only with that consent.
 */
export class InfluenceService {
  constructor(private readonly dataSource: DataSource) {}

  /** Records one ingested score; never replaces an earlier one. */
  async record(input: InfluenceScoreInput): Promise<InfluenceScore> {
    checkCustomerId(input.customerId, 'customerId');
    if (!Number.isFinite(input.score) || input.score < 1 || input.score > 10) throw badInput('score', 'score must be between 1 and 10');
    const source = input.source.trim();
    if (!source || source.length > 100) throw badInput('source', 'source must be 1-100 characters');
    const topic = scoreTopic(input.topic);
    if (!(input.measuredAt instanceof Date) || Number.isNaN(input.measuredAt.getTime())) throw badInput('measuredAt', 'measuredAt is not a time');
    if (input.measuredAt.getTime() > Date.now() + 5 * 60_000) throw badInput('measuredAt', 'measuredAt is in the future');
    if (input.platform != null && !Object.values(Platform).includes(input.platform)) throw badInput('platform', 'unknown platform');
    const claim = keyClaim(input.idempotencyKey, input);
    return this.dataSource.transaction((m) => once(m, 'recordInfluenceScore', claim, async () => {
      const customerId = await liveCustomerId(m, input.customerId);
      const consented = await consentedCustomers(m, [customerId]);
      const [row] = await m.query(
        `INSERT INTO influence_scores AS x (customer_id, score, topic, platform, source, computed, flagged, measured_at)
         VALUES ($1, $2, $3, $4, $5, false, $6, $7) RETURNING ${INFLUENCE_COLUMNS}`,
        [customerId, input.score, topic, input.platform ?? null, source, !consented.has(customerId), input.measuredAt],
      );
      return { ...row, trend: await trendOf(m, customerId, topic, input.platform ?? null, input.measuredAt, row.score) };
    }, reviveScore));
  }

  /**
   * Runs the default scorer for the customers and appends a score for each series whose
   * value changed (or that had none). Customers without PROFILING consent get nothing.
   * Returns the rows written.
   */
  async recompute(customerIds: readonly string[], now = new Date()): Promise<InfluenceScore[]> {
    customerIds.forEach((id, i) => {
      checkId(id, 'customerIds', 'a customer id', `customerIds[${i}]`);
    });
    if (customerIds.length > MAX_RECOMPUTE) throw badInput('customerIds', `at most ${MAX_RECOMPUTE} customers per call`);
    return this.dataSource.transaction((m) => recomputeWith(m, [...new Set(customerIds)], now));
  }

  /** Follower counts from a listening tool: updates the identities, then re-scores their owners. */
  async recordFollowerCounts(inputs: readonly FollowerCountInput[], idempotencyKey?: string | null, now = new Date()): Promise<InfluenceScore[]> {
    if (inputs.length > MAX_RECOMPUTE) throw badInput('inputs', `at most ${MAX_RECOMPUTE} counts per call`);
    inputs.forEach((input, i) => {
      if (!isUuid(input.socialIdentityId)) throw new DomainError('BAD_USER_INPUT', 'not a social identity id', { field: 'socialIdentityId', index: i });
      if (!Number.isInteger(input.followerCount) || input.followerCount < 0) {
        throw new DomainError('BAD_USER_INPUT', 'followerCount must be a non-negative integer', { field: 'followerCount', index: i });
      }
    });
    const claim = keyClaim(idempotencyKey, { inputs });
    return this.dataSource.transaction((m) => once(m, 'recordFollowerCounts', claim, async () => {
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [rows]: [{ customerId: string }[], number] = await m.query(
        `UPDATE social_identities si SET follower_count = u.n
           FROM unnest($1::uuid[], $2::int[]) AS u(id, n) WHERE si.id = u.id
         RETURNING si.customer_id AS "customerId"`,
        [inputs.map((i) => i.socialIdentityId), inputs.map((i) => i.followerCount)],
      );
      if (rows.length !== new Set(inputs.map((i) => i.socialIdentityId)).size) {
        throw new DomainError('NOT_FOUND', 'a social identity in the list does not exist', { field: 'socialIdentityId' });
      }
      return recomputeWith(m, [...new Set(rows.map((r) => r.customerId))], now);
    }, (stored) => (stored as unknown[]).map(reviveScore)));
  }

  /**
   * influencersOnTopic: the customers whose newest cross-platform score on the topic is usable
   * for profiling at this read (not flagged, PROFILING held now: usableForProfiling's rule in
   * SQL), highest score first, ties by customer id. Merged and erased customers are left out.
   */
  async influencersOnTopic(topic: string, first: number): Promise<string[]> {
    const t = scoreTopic(topic);
    if (t === null) throw badInput('topic', 'topic must name a topic');
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT s.customer_id AS id FROM (
         SELECT DISTINCT ON (customer_id) customer_id, score, flagged FROM influence_scores
          WHERE topic = $1 AND platform IS NULL ORDER BY customer_id, measured_at DESC, id DESC) s
         JOIN customers c ON c.id = s.customer_id AND c.merged_into IS NULL AND c.erased_at IS NULL
        WHERE NOT s.flagged AND ${customerGrantedNowSql('s.customer_id', `'PROFILING'`)}
        ORDER BY s.score DESC, s.customer_id LIMIT $2`,
      [t, first],
    );
    return rows.map((r) => r.id);
  }

  /** Customers whose scorer inputs changed since `since` (new public posts or identities). */
  async changedSince(since: Date, limit: number, afterId: string | null): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM (
         SELECT customer_id AS id FROM interactions WHERE created_at >= $1 AND is_public AND direction = 'INBOUND'
         UNION SELECT customer_id FROM social_identities WHERE captured_at >= $1
       ) c WHERE $2::uuid IS NULL OR id > $2::uuid ORDER BY id LIMIT $3`,
      [since, afterId, limit],
    );
    return rows.map((r) => r.id);
  }
}

/** The smallest change of a computed score that is recorded. */
export const MIN_SCORE_STEP = 0.1;

/** A public inbound post the caller is about to store: the scorer counts it as if it were stored. */
export interface UnstoredPost {
  customerId: string;
  socialIdentityId: string | null;
  topics: string[];
  occurredAt: Date;
}

/**
 * The default scorer inside a caller's transaction (for writes of other features that bring
 * new data). `unstored`: public inbound posts of this transaction not written yet; bulk
 * ingestion scores before its INSERT, so its new items are ranked once, with the new scores,
 * instead of being written and then re-ranked by the scores' trigger.
 */
export async function recomputeWith(m: EntityManager, customerIds: string[], now: Date, unstored: readonly UnstoredPost[] = []): Promise<InfluenceScore[]> {
  if (customerIds.length === 0) return [];
  const consented = await consentedCustomers(m, customerIds);
  const ids = customerIds.filter((id) => consented.has(id));
  if (ids.length === 0) return [];
  const since = new Date(now.getTime() - SCORER_WINDOW_DAYS * 86_400_000);
  // One connection runs the transaction, so the three reads go one after another.
  // Each identity with its owner's network trend (the one definition, follower-history.sql.ts), in one statement.
  const identities: { id: string; customerId: string; followers: number | null; growth: number | null }[] = await m.query(
    `WITH trend AS (${NETWORK_TREND_SQL})
     SELECT si.id, si.customer_id AS "customerId", si.follower_count AS followers, t.trend AS growth
       FROM social_identities si LEFT JOIN trend t ON t."customerId" = si.customer_id WHERE si.customer_id = ANY($1::uuid[])`,
    [ids, now],
  );
  const posts: { customerId: string; topics: string[]; authorFollowers: number | null }[] = await m.query(
    `SELECT i.customer_id AS "customerId", i.topics, si.follower_count AS "authorFollowers"
       FROM interactions i LEFT JOIN social_identities si ON si.id = i.social_identity_id
      WHERE i.customer_id = ANY($1::uuid[]) AND i.is_public AND i.direction = 'INBOUND' AND i.occurred_at >= $2 AND i.occurred_at <= $3`,
    [ids, since, now],
  );
  const latest: { customerId: string; topic: string | null; score: number }[] = await m.query(
    `SELECT DISTINCT ON (customer_id, topic) customer_id AS "customerId", topic, score::numeric::float8 AS score
       FROM influence_scores WHERE customer_id = ANY($1::uuid[]) AND computed AND platform IS NULL
      ORDER BY customer_id, topic, measured_at DESC, id DESC`,
    [ids],
  );
  const followersOf = new Map(identities.map((i) => [i.id, i.followers]));
  for (const p of unstored) {
    if (!consented.has(p.customerId) || p.occurredAt < since || p.occurredAt > now) continue;
    posts.push({ customerId: p.customerId, topics: p.topics, authorFollowers: p.socialIdentityId ? followersOf.get(p.socialIdentityId) ?? null : null });
  }
  // Grouped once: an ingestion call scores up to a thousand customers with thousands of posts.
  const identitiesOf = groupByKey(ids, identities, (i) => i.customerId);
  const postsOf = groupByKey(ids, posts, (p) => p.customerId);
  const seriesKey = (customerId: string, topic: string | null) => `${customerId}|${topic ?? ''}|${topic === null}`;
  const previousOf = new Map(latest.map((l) => [seriesKey(l.customerId, l.topic), l]));
  const rows: unknown[][] = [];
  for (const [n, customerId] of ids.entries()) {
    const results = scoreInfluence({ followerCounts: identitiesOf[n].map((i) => i.followers), publicPosts: postsOf[n], growth: identitiesOf[n][0]?.growth ?? null });
    for (const r of results) {
      const previous = previousOf.get(seriesKey(customerId, r.topic));
      // A move smaller than a step is noise: not worth a history row, nor re-ranking the care
      // queue (a new score re-prioritises the customer's open items), which on bulk ingestion
      // cost PostgreSQL four times the CPU of the writes themselves.
      if (previous && Math.abs(previous.score - r.score) < MIN_SCORE_STEP) continue;
      rows.push([customerId, r.score, r.topic]);
    }
  }
  if (rows.length === 0) return [];
  const written: InfluenceScore[] = await m.query(
    `INSERT INTO influence_scores AS x (customer_id, score, topic, platform, source, computed, flagged, measured_at)
     SELECT u.c, u.s, u.t, NULL, $4, true, false, $5 FROM unnest($1::uuid[], $2::real[], $3::text[]) AS u(c, s, t)
     RETURNING ${INFLUENCE_COLUMNS}`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), DEFAULT_SCORER_SOURCE, now],
  );
  return written.map((w) => {
    const previous = previousOf.get(seriesKey(w.customerId, w.topic));
    return { ...w, trend: previous ? Math.round((w.score - previous.score) * 1000) / 1000 : null };
  });
}

async function consentedCustomers(m: EntityManager, customerIds: string[]): Promise<Set<string>> {
  const rows: { customerId: string }[] = await m.query(PROFILING_CONSENTED_SQL, [customerIds]);
  return new Set(rows.map((r) => r.customerId));
}

async function trendOf(
  m: EntityManager, customerId: string, topic: string | null, platform: string | null, measuredAt: Date, score: number,
): Promise<number | null> {
  const [previous] = await m.query(
    `SELECT score::numeric::float8 AS score FROM influence_scores
      WHERE customer_id = $1 AND topic IS NOT DISTINCT FROM $2 AND platform IS NOT DISTINCT FROM $3 AND measured_at < $4
      ORDER BY measured_at DESC, id DESC LIMIT 1`,
    [customerId, topic, platform, measuredAt],
  );
  return previous ? Math.round((score - previous.score) * 1000) / 1000 : null;
}

/** A score's topic in the one stored form (src/common/topics.ts); null or nothing left: the overall score. */
export function scoreTopic(topic: string | null | undefined): string | null {
  if (topic == null) return null;
  const t = normaliseTopic(topic);
  if (!t) return null;
  if (t.length > MAX_TOPIC) throw badInput('topic', `topic must be at most ${MAX_TOPIC} characters`);
  return t;
}
