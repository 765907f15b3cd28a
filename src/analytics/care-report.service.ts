import type { Pool } from 'pg';
import { carriesLabels, wantedLabels } from '../care';
import type { Channel, InteractionCategory } from '../graphql';
import { badInput } from '../graphql';
import { SlaGrouping, type AgentMetrics, type ChannelConversationMap, type SlaAttainment } from './care-report.types';

/** Longest range one request may ask for (as serviceMetrics). */
const MAX_DAYS = 400;

/** The response bands, disjoint: [lower, upper) seconds of business time to the first answer. */
const RESPONSE_BANDS = [
  { label: 'under 1 h', upToMinutes: 60 },
  { label: 'under 3 h', upToMinutes: 180 },
  { label: 'under 24 h', upToMinutes: 1440 },
  { label: '24 h or more', upToMinutes: null },
] as const;

/**
 * The calendar an item's target runs in (alias i, its customer c, its brand channel bc), as
 * slaDueAt (src/care/rules/sla.ts) chose it: the brand channel's, else the target's for the channel and
 * tier, for the channel, or for OTHER. No target and no brand channel: wall-clock time.
 */
const CALENDAR = `LEFT JOIN LATERAL (
    SELECT h.time_zone, h.weekly FROM care_business_hours h
     WHERE h.name = coalesce(bc.business_hours,
             (SELECT t.business_hours FROM care_sla_targets t
               WHERE (t.channel = i.channel AND (t.tier = c.tier OR t.tier IS NULL)) OR (t.channel = 'OTHER' AND t.tier IS NULL)
               ORDER BY t.channel = i.channel DESC, t.tier IS NOT NULL DESC LIMIT 1))) cal ON true`;

/** Seconds from `start` to `end` in the item's calendar; a 24x7 one (or none) is plain wall-clock time, with no function call. */
const businessSeconds = (start: string, end: string) =>
  `CASE WHEN cal.weekly IS NULL THEN extract(epoch FROM ${end} - ${start})::float8 ELSE care_business_seconds(${start}, ${end}, cal.time_zone, cal.weekly) END`;

/** Answered by the due time; an item with no target counts once answered at all. Columns answered_at, sla_due_at. */
const WITHIN_TARGET = `(answered_at IS NOT NULL AND (sla_due_at IS NULL OR answered_at <= sla_due_at))`;

function checkRange(from: Date, to: Date): [Date, Date] {
  if (Number.isNaN(from.getTime())) throw badInput('from', 'from is not a time');
  if (Number.isNaN(to.getTime())) throw badInput('to', 'to is not a time');
  if (to.getTime() <= from.getTime()) throw badInput('to', 'to must be after from');
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000) throw badInput('to', `the range may span at most ${MAX_DAYS} days`);
  return [from, to];
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** SQL on item alias `i`: its conversation carries every label of `param` (NULL: no filter). */
const labelled = (param: string) => `(${param}::text[] IS NULL OR ${carriesLabels('i.conversation_id', param)})`;

/**
 * The care leader's reports: SLA attainment in response bands, each agent's work, and the
 * conversation map. Each is one set-based statement over inbound interactions in [from, to)
 * (definitions: docs/metrics.md).
 */
export class CareReportService {
  constructor(private readonly pool: Pool) {}

  async slaReport(from: Date, to: Date, groupBy: SlaGrouping, labels: readonly string[] | null = null): Promise<SlaAttainment[]> {
    const { rows } = await this.pool.query<{ key: string; items: number; withinTarget: number; bands: number[] }>(
      // MATERIALIZED: each item's business seconds are computed once, not once per band that reads them.
      `WITH items AS MATERIALIZED (
         SELECT i.sla_due_at, coalesce(i.responded_at, i.resolved_at) AS answered_at,
                ${businessSeconds('i.occurred_at', 'coalesce(i.responded_at, i.resolved_at)')} AS seconds,
                CASE $3::text
                  WHEN 'CHANNEL' THEN i.channel
                  WHEN 'BRAND_CHANNEL' THEN coalesce(bc.channel || ':' || bc.handle, 'none')
                  WHEN 'TIER' THEN coalesce(c.tier, 'NONE')
                  ELSE coalesce((SELECT r.created_by FROM interactions r WHERE r.in_reply_to_id = i.id AND r.direction = 'OUTBOUND'
                                  ORDER BY r.occurred_at, r.id LIMIT 1), i.assigned_to, 'unassigned')
                END AS key
           FROM interactions i
           LEFT JOIN customers c ON c.id = i.customer_id
           LEFT JOIN brand_channels bc ON bc.id = i.brand_channel_id
           ${CALENDAR}
          WHERE i.direction = 'INBOUND' AND i.actionable AND i.do_not_engage_rule_id IS NULL
            AND i.occurred_at >= $1 AND i.occurred_at < $2 AND ${labelled('$4')})
       SELECT key, count(*)::int AS items, count(*) FILTER (WHERE ${WITHIN_TARGET})::int AS "withinTarget",
              ARRAY[count(*) FILTER (WHERE seconds < 3600), count(*) FILTER (WHERE seconds >= 3600 AND seconds < 10800),
                    count(*) FILTER (WHERE seconds >= 10800 AND seconds < 86400), count(*) FILTER (WHERE seconds >= 86400),
                    count(*) FILTER (WHERE answered_at IS NULL)]::int[] AS bands
         FROM items GROUP BY key ORDER BY key`,
      [...checkRange(from, to), groupBy, wantedLabels(labels)],
    );
    return rows.map((r) => ({
      key: r.key, items: r.items, withinTarget: r.withinTarget, attainment: r.withinTarget / r.items,
      bands: [...RESPONSE_BANDS.map((b, k) => ({ ...b, count: r.bands[k] })), { label: 'unanswered', upToMinutes: null, count: r.bands[4] }],
    }));
  }

  /**
   * Per agent: the inbound items whose first reply the agent sent in [from, to). First-contact
   * resolution: resolved, exactly one reply, and no inbound post in the conversation (nor a
   * REOPENED entry in its history) within 7 days after the resolution.
   */
  async agentMetrics(from: Date, to: Date, labels: readonly string[] | null = null): Promise<AgentMetrics[]> {
    const { rows } = await this.pool.query<{ agentId: string; handled: number; customersHelped: number; median: number | null; fcr: number; within: number }>(
      `WITH first_replies AS (
         SELECT r.in_reply_to_id AS item_id, r.created_by AS agent, r.occurred_at AS replied_at
           FROM interactions r
          WHERE r.direction = 'OUTBOUND' AND r.in_reply_to_id IS NOT NULL AND r.occurred_at >= $1 AND r.occurred_at < $2
            AND NOT EXISTS (SELECT 1 FROM interactions p WHERE p.in_reply_to_id = r.in_reply_to_id AND p.direction = 'OUTBOUND'
                             AND (p.occurred_at, p.id) < (r.occurred_at, r.id))),
       handled AS (
         SELECT f.agent, i.customer_id, i.sla_due_at, coalesce(i.responded_at, f.replied_at) AS answered_at,
                ${businessSeconds('i.occurred_at', 'f.replied_at')} AS seconds,
                (i.resolved_at IS NOT NULL
                  AND (SELECT count(*) FROM interactions r WHERE r.in_reply_to_id = i.id AND r.direction = 'OUTBOUND') = 1
                  AND NOT EXISTS (SELECT 1 FROM interactions n WHERE n.conversation_id = i.conversation_id AND n.direction = 'INBOUND'
                                   AND n.occurred_at > i.resolved_at AND n.occurred_at <= i.resolved_at + interval '7 days')
                  AND NOT EXISTS (SELECT 1 FROM interaction_history h WHERE h.interaction_id = i.id AND h.event = 'REOPENED'
                                   AND h.at > i.resolved_at AND h.at <= i.resolved_at + interval '7 days')) AS first_contact
           FROM first_replies f
           JOIN interactions i ON i.id = f.item_id AND i.direction = 'INBOUND' AND ${labelled('$3')}
           LEFT JOIN customers c ON c.id = i.customer_id
           LEFT JOIN brand_channels bc ON bc.id = i.brand_channel_id
           ${CALENDAR})
       SELECT agent AS "agentId", count(*)::int AS handled, count(DISTINCT customer_id)::int AS "customersHelped",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median,
              count(*) FILTER (WHERE first_contact)::int AS fcr, count(*) FILTER (WHERE ${WITHIN_TARGET})::int AS within
         FROM handled GROUP BY agent ORDER BY agent`,
      [...checkRange(from, to), wantedLabels(labels)],
    );
    return rows.map((r) => ({
      agentId: r.agentId, handled: r.handled, customersHelped: r.customersHelped, medianResponseSeconds: r.median,
      firstContactResolutionRate: share(r.fcr, r.handled), slaAttainment: share(r.within, r.handled),
    }));
  }

  /** Per channel: inbound items by category, mean sentiment and the share below 0. Aggregates only: no id, no text. */
  async conversationMap(from: Date, to: Date): Promise<ChannelConversationMap[]> {
    const { rows } = await this.pool.query<{ channel: Channel; category: InteractionCategory; total: boolean; count: number; average: number | null; negative: number }>(
      `SELECT i.channel, i.category, GROUPING(i.category) = 1 AS total, count(*)::int AS count, avg(i.sentiment)::float8 AS average,
              count(*) FILTER (WHERE i.sentiment < 0)::int AS negative
         FROM interactions i WHERE i.direction = 'INBOUND' AND i.occurred_at >= $1 AND i.occurred_at < $2
        GROUP BY GROUPING SETS ((i.channel, i.category), (i.channel))
        ORDER BY i.channel, count(*) DESC, i.category`,
      checkRange(from, to),
    );
    const byChannel = new Map<Channel, ChannelConversationMap>();
    for (const r of rows.filter((x) => x.total)) {
      byChannel.set(r.channel, { channel: r.channel, byCategory: [], averageSentiment: r.average, negativeShare: share(r.negative, r.count) });
    }
    for (const r of rows.filter((x) => !x.total)) byChannel.get(r.channel)!.byCategory.push({ category: r.category, count: r.count });
    return [...byChannel.values()];
  }
}
