import { badInput } from '../graphql/errors';
import type { ConsentPurpose } from '../graphql/enums';
import type { Keyset } from '../graphql/pagination';
import type { SegmentFilter } from './segment.inputs';

// The consent rule lives here, in SQL: an identity is usable for a purpose while the newest
// decision (consent_current, kept by a trigger on the ledger) is GRANTED and not expired at
// the statement's now(). Nothing is filtered in JavaScript afterwards.

/** Positional parameters collected while a statement is built. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

const granted = (alias: string, identity: string, purpose: string) =>
  `JOIN consent_current ${alias} ON ${alias}.identity_id = ${identity} AND ${alias}.purpose = ${purpose}
     AND ${alias}.status = 'GRANTED' AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > now())`;

/** A keyset position string for customers: created_at with microseconds, so no row repeats. */
export const CREATED_AT_TEXT = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface Built {
  params: Params;
  /** Customer-level conditions (filter and "has at least one usable identity"). */
  where: string[];
  /** Lateral subqueries that aggregate the usable identities as JSON arrays (null when none). */
  laterals: string;
}

function build(filter: SegmentFilter, purpose: ConsentPurpose, withLists: boolean): Built {
  checkFilter(filter);
  const p = new Params();
  const purposeParam = p.add(purpose);
  const where = ['c.merged_into IS NULL', 'c.erased_at IS NULL'];
  if (filter.tiers) where.push(`c.tier = ANY(${p.add(filter.tiers, '::text[]')})`);
  if (filter.country) where.push(`upper(c.country) = upper(${p.add(filter.country.trim())})`);
  if (filter.minInfluence != null || filter.maxInfluence != null || filter.influenceTopic) {
    const topic = filter.influenceTopic ? `lower(f.topic) = lower(${p.add(filter.influenceTopic.trim())})` : 'f.topic IS NULL';
    where.push(`EXISTS (SELECT 1 FROM (SELECT f.score FROM influence_scores f WHERE f.customer_id = c.id AND ${topic}
                         ORDER BY (f.platform IS NULL) DESC, f.measured_at DESC, f.id DESC LIMIT 1) latest
                        WHERE latest.score >= ${p.add(filter.minInfluence ?? 1)}::real
                          AND latest.score <= ${p.add(filter.maxInfluence ?? 10)}::real)`);
  }
  const touched: string[] = [];
  if (filter.interactedSince) touched.push(`i.occurred_at >= ${p.add(filter.interactedSince, '::timestamptz')}`);
  if (filter.categories) touched.push(`i.category = ANY(${p.add(filter.categories, '::text[]')})`);
  if (filter.topics) touched.push(`i.topics && ${p.add(filter.topics.map((t) => t.trim()), '::text[]')}`);
  if (touched.length) where.push(`EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND ${touched.join(' AND ')})`);

  const platformSql = filter.platforms ? `AND si.platform = ANY(${p.add(filter.platforms, '::text[]')})` : '';
  const socialFrom = `FROM social_identities si ${granted('cs', 'si.id', purposeParam)} WHERE si.customer_id = c.id ${platformSql}`;
  const contactFrom = (kind: 'EMAIL' | 'PHONE' | null) =>
    `FROM contact_points cp ${granted('cc', 'cp.id', purposeParam)} WHERE cp.customer_id = c.id ${kind ? `AND cp.kind = '${kind}'` : ''}`;
  // With platforms, a member needs a usable handle there; otherwise any usable identifier will do.
  if (!withLists) {
    where.push(filter.platforms
      ? `EXISTS (SELECT 1 ${socialFrom})`
      : `(EXISTS (SELECT 1 ${socialFrom}) OR EXISTS (SELECT 1 ${contactFrom(null)}))`);
    return { params: p, where, laterals: '' };
  }
  where.push(filter.platforms ? 's.identities IS NOT NULL' : '(s.identities IS NOT NULL OR e.emails IS NOT NULL OR ph.phones IS NOT NULL)');
  const contact = (kind: 'EMAIL' | 'PHONE') =>
    `json_agg(json_build_object('id', cp.id, 'value', cp.value, 'verified', cp.verified,
       'capturedVia', cp.captured_via, 'capturedAt', cp.captured_at) ORDER BY cp.captured_at, cp.id) ${contactFrom(kind)}`;
  const laterals = `
    CROSS JOIN LATERAL (SELECT json_agg(json_build_object('id', si.id, 'platform', si.platform, 'handle', si.handle,
       'externalUserId', si.external_user_id, 'profileUrl', si.profile_url, 'followerCount', si.follower_count,
       'verified', si.verified, 'capturedVia', si.captured_via, 'capturedAt', si.captured_at) ORDER BY si.captured_at, si.id) AS identities
       ${socialFrom}) s
    CROSS JOIN LATERAL (SELECT ${contact('EMAIL')}) e(emails)
    CROSS JOIN LATERAL (SELECT ${contact('PHONE')}) ph(phones)`;
  return { params: p, where, laterals };
}

/**
 * One keyset page of members, oldest customer first, ORDER BY (created_at, id): each page
 * costs the same however deep it is. `projection` picks the columns (API rows or NDJSON lines).
 */
export function segmentPageSql(filter: SegmentFilter, purpose: ConsentPurpose, limit: number, after: Keyset | null, projection: 'rows' | 'ndjson') {
  const { params, where, laterals } = build(filter, purpose, true);
  if (after) where.push(`(c.created_at, c.id) > (${params.add(after[0], '::timestamptz')}, ${params.add(after[1], '::uuid')})`);
  const columns = projection === 'rows'
    ? `c.id, c.display_name AS "displayName", c.tier, c.city, c.region, c.country, c.created_at AS "createdAt",
       s.identities, e.emails, ph.phones`
    : `c.id, json_build_object('customerId', c.id, 'displayName', c.display_name, 'tier', c.tier, 'city', c.city,
         'region', c.region, 'country', c.country, 'identities', coalesce(s.identities, '[]'),
         'emails', coalesce(e.emails, '[]'), 'phones', coalesce(ph.phones, '[]'))::text AS line`;
  const sql = `SELECT ${columns}, ${CREATED_AT_TEXT} AS "createdAtKey"
      FROM customers c ${laterals}
     WHERE ${where.join(' AND ')}
     ORDER BY c.created_at, c.id LIMIT ${params.add(limit, '::int')}`;
  return { sql, params: params.values };
}

/** How many customers the segment holds right now. */
export function segmentCountSql(filter: SegmentFilter, purpose: ConsentPurpose) {
  const { params, where } = build(filter, purpose, false);
  return { sql: `SELECT count(*)::int AS n FROM customers c WHERE ${where.join(' AND ')}`, params: params.values };
}

/** BAD_USER_INPUT naming the field for values that cannot describe a segment. */
export function checkFilter(f: SegmentFilter): void {
  for (const field of ['tiers', 'platforms', 'categories', 'topics'] as const) {
    if (f[field] && f[field]!.length === 0) throw badInput(`filter.${field}`, `filter.${field} must not be empty when given`);
  }
  for (const field of ['minInfluence', 'maxInfluence'] as const) {
    const v = f[field];
    if (v != null && !(v >= 1 && v <= 10)) throw badInput(`filter.${field}`, `filter.${field} must be between 1 and 10`);
  }
  if (f.minInfluence != null && f.maxInfluence != null && f.minInfluence > f.maxInfluence) {
    throw badInput('filter.minInfluence', 'filter.minInfluence must not exceed filter.maxInfluence');
  }
  if (f.topics?.some((t) => t.trim() === '')) throw badInput('filter.topics', 'filter.topics must not hold empty topics');
  if (f.influenceTopic != null && f.influenceTopic.trim() === '') throw badInput('filter.influenceTopic', 'filter.influenceTopic must not be empty');
  if (f.country != null && !/^[A-Za-z0-9 -]{1,64}$/.test(f.country.trim())) {
    throw badInput('filter.country', 'filter.country must be a country code');
  }
  if (f.interactedSince && Number.isNaN(f.interactedSince.getTime())) throw badInput('filter.interactedSince', 'not a date');
}
