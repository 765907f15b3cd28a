/** The window of `networkTrend` and of the scorer's growth input. */
export const NETWORK_TREND_DAYS = 30;

/**
 * THE definition of a customer's network trend, as an SQL expression for the customer
 * `customer` at the instant `at` (SQL expressions): over the customer's social identities,
 * `now` = the sum of their current follower counts (the newest point of each; unknown counts 0),
 * `then` = the sum of each identity's newest point at or before `at` - 30 days (an identity
 * without one adds 0 to `then`: a network gained is growth). The trend is (now - then) / then,
 * rounded to 4 decimals; NULL when no identity has a point 30 or more days old, or `then` is 0.
 * The loader, the compiled customer 360 read and the default scorer's growth all use it.
 */
export function networkTrendSql(customer: string, at: string): string {
  return `(SELECT CASE WHEN sum(t.n) > 0 THEN round((sum(coalesce(si.follower_count, 0)) - sum(t.n))::numeric / sum(t.n), 4)::float8 END
     FROM social_identities si
     LEFT JOIN LATERAL (SELECT h.follower_count AS n FROM follower_history h
                         WHERE h.social_identity_id = si.id AND h.measured_at <= ${at} - make_interval(days => ${NETWORK_TREND_DAYS})
                         ORDER BY h.measured_at DESC, h.id DESC LIMIT 1) t ON true
    WHERE si.customer_id = ${customer})`;
}

/** networkTrendSql for the customers `$1` (uuid[]) at `$2`: one row each (`customerId`, `trend`). */
export const NETWORK_TREND_SQL = `
  SELECT c.id AS "customerId", ${networkTrendSql('c.id', '$2::timestamptz')} AS trend FROM unnest($1::uuid[]) AS c(id)`;

/**
 * The newest `lim` follower points of the customer `customer` on the platform `platform` (NULL:
 * every platform), newest first (SQL expressions): the followerHistory loader's query for one key,
 * and the compiled customer 360 read's.
 */
export function followerPointsSql(customer: string, platform: string, lim: string): string {
  return `SELECT si.platform, h.follower_count AS "followerCount", h.measured_at AS "measuredAt", h.id
       FROM follower_history h JOIN social_identities si ON si.id = h.social_identity_id
      WHERE si.customer_id = ${customer} AND (${platform} IS NULL OR si.platform = ${platform})
      ORDER BY h.measured_at DESC, h.id DESC LIMIT ${lim}`;
}

/** followerPointsSql for each key of $1 uuid[], $2 text[], $3 int[]; `ord` is the key's position (1-based). */
export const FOLLOWER_HISTORY_SQL = `
  SELECT k.ord::int AS ord, p.platform, p."followerCount", p."measuredAt"
    FROM unnest($1::uuid[], $2::text[], $3::int[]) WITH ORDINALITY AS k(customer_id, platform, lim, ord)
   CROSS JOIN LATERAL (${followerPointsSql('k.customer_id', 'k.platform', 'k.lim')}) p
   ORDER BY k.ord, p."measuredAt" DESC, p.id DESC`;
