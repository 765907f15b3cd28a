/**
 * The SQL twin of addBusinessMinutes (business-hours.ts), read the other way: the seconds of open
 * time between two instants in a calendar (its IANA zone and weekly openings; a null week is
 * 24x7). Reports measure response times with it (src/analytics/care-report.service.ts); the
 * property test test/unit/business-seconds.property.test.ts checks that it inverts the
 * TypeScript rule. Days are walked in the calendar's zone; more than 400 days apart counts the
 * first 400 days only (any calendar open at all has passed 24 open hours by then).
 */
export const BUSINESS_SECONDS_FUNCTION = `
CREATE OR REPLACE FUNCTION care_business_seconds(p_from timestamptz, p_to timestamptz, p_time_zone text, p_weekly jsonb)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_from IS NULL OR p_to IS NULL THEN NULL
    WHEN p_to <= p_from THEN 0::float8
    WHEN p_weekly IS NULL THEN extract(epoch FROM p_to - p_from)::float8
    ELSE coalesce((
      SELECT sum(greatest(0::numeric,
               extract(epoch FROM least(p_to, (d + (o->>'closes')::interval) AT TIME ZONE p_time_zone)
                                - greatest(p_from, (d + (o->>'opens')::interval) AT TIME ZONE p_time_zone))))::float8
        FROM generate_series((p_from AT TIME ZONE p_time_zone)::date::timestamp,
                             (least(p_to, p_from + interval '400 days') AT TIME ZONE p_time_zone)::date::timestamp,
                             interval '1 day') AS d
        JOIN LATERAL jsonb_array_elements(p_weekly) AS o ON (o->>'day')::int = extract(isodow FROM d)::int), 0::float8)
  END
$$`;
