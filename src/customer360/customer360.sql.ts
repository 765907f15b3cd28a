import { CUSTOMER_COLUMNS } from '../customers';
import { sortKeySql } from '../graphql';
import { CONSENT_NEWEST_FIRST, knownAtSql, SOCIAL_IDENTITY_COLUMNS, consentStatesSql, CONTACT_POINT_COLUMNS } from '../identities';
import { followerPointsSql, networkTrendSql, latestInfluenceSql } from '../influence';
import { CONVERSATION_COLUMNS, ESCALATION_COLUMNS, INTERACTION_COLUMNS } from '../interactions';
import { purchasePageSql, lifetimeValueSql } from '../purchases';
import type { CustomerPlan } from './customer360.plan';
import { Params } from '../db';

/**
 * The one statement of a customer 360 read: the customers named by `keysSql` (columns `key`,
 * `ord`, and any the caller passes through), each with its survivor's columns and, as one JSON
 * column per planned part, the rows its loaders would have returned. Each part is the loader's
 * own query for one customer (same columns, same order, same window), as a correlated
 * subquery, so the two paths cannot drift apart in what they select.
 */
export interface CompiledStatement {
  text: string;
  values: unknown[];
}

const agg = (alias: string, order: string) => `coalesce(json_agg(${alias} ORDER BY ${order}), '[]'::json)`;

/** Newest decision per purpose for one identity, at an instant (the loaders' consentStatesSql, for one key). */
function consentsSql(column: 'social_identity_id' | 'contact_point_id', identity: string, asOf: string | null): string {
  return `(SELECT coalesce(json_agg(e), '[]'::json) FROM (${consentStatesSql(column, `= ${identity}`, asOf ? `${asOf}::timestamptz` : null)}) e)`;
}

export function customer360Sql(keysSql: string, keysParams: readonly unknown[], plan: CustomerPlan): CompiledStatement {
  const p = new Params([...keysParams]);
  const parts: string[] = [];

  if (plan.contactPoints) {
    const consents = [...plan.contactPointConsents.values()].map(
      (asOf, n) => `, ${consentsSql('contact_point_id', 'cp.id', asOf ? p.add(asOf) : null)} AS "k${n}"`,
    );
    parts.push(`(SELECT ${agg('x', 'x."capturedAt", x.id')} FROM (
        SELECT ${CONTACT_POINT_COLUMNS}${consents.join('')}
          FROM contact_points cp WHERE cp.customer_id = c.id) x) AS "cp"`);
  }
  if (plan.socialIdentities) {
    const consents = [...plan.socialIdentityConsents.values()].map(
      (asOf, n) => `, ${consentsSql('social_identity_id', 'si.id', asOf ? p.add(asOf) : null)} AS "k${n}"`,
    );
    parts.push(`(SELECT ${agg('x', 'x."capturedAt", x.id')} FROM (
        SELECT ${SOCIAL_IDENTITY_COLUMNS}${consents.join('')}
          FROM social_identities si WHERE si.customer_id = c.id) x) AS "si"`);
  }
  [...plan.interactions.values()].forEach((page, n) => {
    const filters: string[] = [];
    if (page.channel) filters.push(`AND i.channel = ${p.add(page.channel)}`);
    if (page.after) filters.push(`AND (i.occurred_at, i.id) < (${p.add(page.after[0])}::timestamptz, ${p.add(page.after[1])}::uuid)`);
    parts.push(`(SELECT ${agg('x', 'x."sortKey" DESC, x.id DESC')} FROM (
        SELECT ${INTERACTION_COLUMNS}, ${sortKeySql('i.occurred_at')} AS "sortKey" FROM interactions i
         WHERE i.customer_id = c.id ${filters.join(' ')}
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT ${p.add(page.limit)}) x) AS "i${n}"`);
  });
  [...plan.interactionCounts.values()].forEach((channel, n) => {
    parts.push(`(SELECT count(*)::int FROM interactions WHERE customer_id = c.id${channel ? ` AND channel = ${p.add(channel)}` : ''}) AS "in${n}"`);
  });
  [...plan.conversations.values()].forEach((page, n) => {
    const filter = page.after
      ? `AND (v.last_activity_at, v.id) < (${p.add(page.after[0])}::timestamptz, ${p.add(page.after[1])}::uuid)`
      : '';
    parts.push(`(SELECT ${agg('x', 'x."sortKey" DESC, x.id DESC')} FROM (
        SELECT ${CONVERSATION_COLUMNS}, ${sortKeySql('v.last_activity_at')} AS "sortKey" FROM conversations v
         WHERE v.customer_id = c.id ${filter}
         ORDER BY v.last_activity_at DESC, v.id DESC LIMIT ${p.add(page.limit)}) x) AS "v${n}"`);
  });
  if (plan.conversationCount) parts.push(`(SELECT count(*)::int FROM conversations WHERE customer_id = c.id) AS "vn"`);
  if (plan.influence) {
    parts.push(`(SELECT ${agg('s', 's.topic NULLS FIRST, s.platform NULLS FIRST')} FROM (${latestInfluenceSql('= c.id')}) s) AS "inf"`);
  }
  [...plan.followerHistory.values()].forEach((spec, n) => {
    parts.push(`(SELECT ${agg('x', 'x."measuredAt" DESC, x.id DESC')} FROM (
        ${followerPointsSql('c.id', `${p.add(spec.platform)}::text`, `${p.add(spec.first)}::int`)}) x) AS "fh${n}"`);
  });
  if (plan.networkTrend) parts.push(`${networkTrendSql('c.id', 'now()')} AS "nt"`);
  if (plan.openEscalations) {
    parts.push(`(SELECT ${agg('x', 'x."createdAt", x.id')} FROM (
        SELECT ${ESCALATION_COLUMNS} FROM escalations e WHERE e.customer_id = c.id AND e.resolved_at IS NULL) x) AS "esc"`);
  }
  [...plan.purchases.values()].forEach((page, n) => {
    const after = page.after ? `AND (p.purchased_at, p.id) < (${p.add(page.after[0])}::timestamptz, ${p.add(page.after[1])}::uuid)` : '';
    parts.push(`(SELECT ${agg('x', 'x."sortKey" DESC, x.id DESC')} FROM (${purchasePageSql('c.id', after, p.add(page.limit))}) x) AS "pu${n}"`);
  });
  if (plan.purchaseCount) parts.push(`(SELECT count(*)::int FROM purchases WHERE customer_id = c.id) AS "pun"`);
  if (plan.lifetimeValue) parts.push(`${lifetimeValueSql('c.id')} AS "ltv"`);
  const text = `SELECT k.*, ${CUSTOMER_COLUMNS}${parts.map((part) => `,\n  ${part}`).join('')}
  FROM (${keysSql}) k
  JOIN customers kc ON kc.id = k.key
  JOIN customers c ON c.id = coalesce(kc.merged_into, kc.id)
 ORDER BY k.ord`;
  return { text, values: p.values };
}
