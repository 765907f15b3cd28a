/** The window of `networkTrend` and of the scorer's growth input. */
export const NETWORK_TREND_DAYS = 30;

/**
 * THE definition of a customer's network trend, for customers `$1` (uuid[]) at the instant `$2`:
 * over the customer's social identities, `now` = the sum of their current follower counts (the
 * newest point of each; unknown counts 0), `then` = the sum of each identity's newest point at or
 * before $2 - 30 days (an identity without one adds 0 to `then`: a network gained is growth).
 * The trend is (now - then) / then, rounded to 4 decimals; NULL when no identity has a point 30 or
 * more days old, or `then` is 0. One row per customer with at least one identity (`customerId`,
 * `trend`). The loader (`networkTrend`) and the default scorer's growth both run this text.
 */
export const NETWORK_TREND_SQL = `
  SELECT si.customer_id AS "customerId",
         CASE WHEN sum(t.n) > 0 THEN round((sum(coalesce(si.follower_count, 0)) - sum(t.n))::numeric / sum(t.n), 4)::float8 END AS trend
    FROM social_identities si
    LEFT JOIN LATERAL (SELECT h.follower_count AS n FROM follower_history h
                        WHERE h.social_identity_id = si.id AND h.measured_at <= $2::timestamptz - make_interval(days => ${NETWORK_TREND_DAYS})
                        ORDER BY h.measured_at DESC, h.id DESC LIMIT 1) t ON true
   WHERE si.customer_id = ANY($1::uuid[])
   GROUP BY si.customer_id`;

/**
 * The newest `lim` follower points of each asked (customer, platform or NULL for all, lim),
 * newest first; `ord` is the key's position (1-based) in the arrays $1 uuid[], $2 text[], $3 int[].
 */
export const FOLLOWER_HISTORY_SQL = `
  SELECT k.ord::int AS ord, p.platform, p."followerCount", p."measuredAt"
    FROM unnest($1::uuid[], $2::text[], $3::int[]) WITH ORDINALITY AS k(customer_id, platform, lim, ord)
   CROSS JOIN LATERAL (
     SELECT si.platform, h.follower_count AS "followerCount", h.measured_at AS "measuredAt", h.id
       FROM follower_history h JOIN social_identities si ON si.id = h.social_identity_id
      WHERE si.customer_id = k.customer_id AND (k.platform IS NULL OR si.platform = k.platform)
      ORDER BY h.measured_at DESC, h.id DESC LIMIT k.lim) p
   ORDER BY k.ord, p."measuredAt" DESC, p.id DESC`;
