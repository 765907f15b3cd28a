import type { Pool } from 'pg';
import { badInput } from '../graphql';
import { HeatLevel, type BrandChannelMetrics, type DoNotEngageCount, type ServiceMetrics, type TemplateReplyCount } from './service-metrics.types';
import { BRAND_CHANNEL_COLUMNS } from '../care';

/** Longest range one request may ask for. */
const MAX_DAYS = 400;

/** Items someone should answer; PROACTIVE and OTHER mentions are not. */
const ACTIONABLE = `i.category IN ('COMPLAINT','QUESTION','COMPLIMENT','SALES_LEAD')`;
const IN_RANGE = `i.direction = 'INBOUND' AND i.occurred_at >= $1 AND i.occurred_at < $2`;

/** HOT >= 50 a day, MEDIUM >= 20, MILD >= 1 (domain defaults). */
export function heatLevel(perDay: number): HeatLevel | null {
  if (perDay >= 50) return HeatLevel.HOT;
  if (perDay >= 20) return HeatLevel.MEDIUM;
  if (perDay >= 1) return HeatLevel.MILD;
  return null;
}

/** Checks an IANA time zone name (Intl knows the same database as PostgreSQL). */
export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw badInput('timeZone', `"${timeZone}" is not an IANA time zone such as Europe/Berlin`);
  }
  return timeZone;
}

/**
 * The service metrics, all from SQL aggregates over interactions (and escalations), never
 * joining customers or identities, so erased customers' anonymous rows still count.
 */
export class ServiceMetricsService {
  constructor(private readonly pool: Pool) {}

  async metrics(from: Date, to: Date, timeZone = 'UTC'): Promise<ServiceMetrics> {
    if (Number.isNaN(from.getTime())) throw badInput('from', 'from is not a time');
    if (Number.isNaN(to.getTime())) throw badInput('to', 'to is not a time');
    if (to.getTime() <= from.getTime()) throw badInput('to', 'to must be after from');
    const days = (to.getTime() - from.getTime()) / 86_400_000;
    if (days > MAX_DAYS) throw badInput('to', `the range may span at most ${MAX_DAYS} days`);
    checkTimeZone(timeZone);
    const range = [from, to];
    const q = <T>(sql: string, params: unknown[] = range) => this.pool.query<T & Record<string, unknown>>(sql, params).then((r) => r.rows);

    const [counts, volume, complaints, inquiries, response, escalations, heat, arrival, brands, templates, incidents, doNotEngage] = await Promise.all([
      q<{ helped: number; thanked: number; unanswered: number }>(
        `SELECT count(DISTINCT i.customer_id) FILTER (WHERE i.category IN ('COMPLAINT','QUESTION')
                  AND (i.responded_at IS NOT NULL OR i.resolved_at IS NOT NULL))::int AS helped,
                count(DISTINCT i.customer_id) FILTER (WHERE i.category = 'COMPLIMENT' AND i.responded_at IS NOT NULL)::int AS thanked,
                count(*) FILTER (WHERE ${ACTIONABLE} AND i.responded_at IS NULL AND i.resolved_at IS NULL)::int AS unanswered
           FROM interactions i WHERE ${IN_RANGE}`,
      ),
      q<{ channel: string; count: number }>(
        `SELECT i.channel, count(*)::int AS count FROM interactions i
          WHERE ${IN_RANGE} AND i.category IN ('COMPLAINT','QUESTION') GROUP BY 1 ORDER BY 2 DESC, 1`,
      ),
      topTopics(q, 'COMPLAINT'),
      topTopics(q, 'QUESTION'),
      q<{ channel: string; count: number; medianSeconds: number; p90Seconds: number }>(
        `SELECT i.channel, count(*)::int AS count,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.responded_at - i.occurred_at))::float8 AS "medianSeconds",
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM i.responded_at - i.occurred_at))::float8 AS "p90Seconds"
           FROM interactions i WHERE ${IN_RANGE} AND i.responded_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
      ),
      q<{ channel: string; count: number }>(
        `SELECT i.channel, count(*)::int AS count FROM escalations e JOIN interactions i ON i.id = e.interaction_id
          WHERE e.created_at >= $1 AND e.created_at < $2 GROUP BY 1 ORDER BY 2 DESC, 1`,
      ),
      q<{ channel: string; count: number }>(
        `SELECT i.channel, count(*)::int AS count FROM interactions i WHERE ${IN_RANGE} AND ${ACTIONABLE} GROUP BY 1 ORDER BY 2 DESC, 1`,
      ),
      q<{ dayOfWeek: number; hour: number; count: number }>(
        `SELECT extract(isodow FROM i.occurred_at AT TIME ZONE $3)::int AS "dayOfWeek",
                extract(hour FROM i.occurred_at AT TIME ZONE $3)::int AS hour, count(*)::int AS count
           FROM interactions i WHERE ${IN_RANGE} GROUP BY 1, 2 ORDER BY 1, 2`,
        [from, to, timeZone],
      ),
      q<{ brand: BrandChannelMetrics['brandChannel']; count: number; answered: number; unanswered: number; medianSeconds: number | null; p90Seconds: number | null }>(
        `SELECT row_to_json(x) AS brand, s.count, s.answered, s.unanswered, s."medianSeconds", s."p90Seconds"
           FROM (SELECT i.brand_channel_id, count(*)::int AS count, count(i.responded_at)::int AS answered,
                        count(*) FILTER (WHERE i.actionable AND i.responded_at IS NULL AND i.resolved_at IS NULL)::int AS unanswered,
                        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.responded_at - i.occurred_at))::float8 AS "medianSeconds",
                        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM i.responded_at - i.occurred_at))::float8 AS "p90Seconds"
                   FROM interactions i WHERE ${IN_RANGE} AND i.brand_channel_id IS NOT NULL GROUP BY 1) s
           JOIN LATERAL (SELECT ${BRAND_CHANNEL_COLUMNS} FROM brand_channels b WHERE b.id = s.brand_channel_id) x ON true
          ORDER BY s.count DESC, x.channel, x.handle`,
      ),
      q<TemplateReplyCount>(
        `SELECT t.id AS "templateId", t.name, i.template_version AS version, count(*)::int AS replies
           FROM interactions i JOIN response_templates t ON t.id = i.template_id
          WHERE i.direction = 'OUTBOUND' AND i.occurred_at >= $1 AND i.occurred_at < $2 AND i.template_id IS NOT NULL
          GROUP BY 1, 2, 3 ORDER BY 4 DESC, 2, 3`,
      ),
      q<{ opened: number; reached: number }>(
        `SELECT (SELECT count(*)::int FROM care_incidents WHERE opened_at >= $1 AND opened_at < $2) AS opened,
                (SELECT count(*)::int FROM (SELECT DISTINCT n.incident_id, n.customer_id FROM care_incident_notices n
                                              JOIN care_incidents ci ON ci.id = n.incident_id
                                             WHERE ci.opened_at >= $1 AND ci.opened_at < $2) r) AS reached`,
      ),
      q<DoNotEngageCount>(
        `SELECT r.id AS "ruleId", r.name, s.count FROM care_do_not_engage_rules r
           JOIN (SELECT i.do_not_engage_rule_id AS id, count(*)::int AS count FROM interactions i
                  WHERE i.do_not_engage_rule_id IS NOT NULL AND ${IN_RANGE} GROUP BY 1) s ON s.id = r.id
          ORDER BY s.count DESC, r.name`,
      ),
    ]);
    return {
      from,
      to,
      timeZone,
      days,
      customersHelped: counts[0].helped,
      customersThanked: counts[0].thanked,
      unanswered: counts[0].unanswered,
      volumeBySource: volume as never,
      topComplaints: complaints,
      topInquiries: inquiries,
      responseTimeBySource: response as never,
      escalationsBySource: escalations as never,
      heatMap: heat.map((h) => {
        const perDay = h.count / days;
        return { channel: h.channel as never, count: h.count, perDay, level: heatLevel(perDay) };
      }),
      arrivalPattern: arrival,
      byBrandChannel: brands.map(({ brand, ...m }) => ({
        ...m, brandChannel: { ...brand, createdAt: new Date(brand.createdAt), removedAt: brand.removedAt === null ? null : new Date(brand.removedAt) },
      })),
      repliesByTemplate: templates,
      incidents: incidents[0].opened,
      incidentPostersReached: incidents[0].reached,
      doNotEngageFiltered: doNotEngage,
    };
  }
}

function topTopics(
  q: <T>(sql: string, params?: unknown[]) => Promise<(T & Record<string, unknown>)[]>,
  category: 'COMPLAINT' | 'QUESTION',
): Promise<{ topic: string; count: number }[]> {
  return q<{ topic: string; count: number }>(
    `SELECT t.topic, count(*)::int AS count FROM interactions i CROSS JOIN LATERAL unnest(i.topics) AS t(topic)
      WHERE ${IN_RANGE} AND i.category = '${category}' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
  );
}
