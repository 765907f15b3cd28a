import type { PoolClient } from 'pg';
import type { EventIdentifier } from '../events';
import { EventType, appendEvents, type NewEvent } from '../events';
import type { ConsentPurpose } from '../graphql';
import type { SegmentFilter } from './segment.inputs';
import { segmentMemberIdsSql, segmentPageSql } from './segment.sql';
import { Params } from '../db';

/** A saved segment as the evaluation reads it (the filter already decoded). */
export interface SegmentToEvaluate {
  id: string;
  purpose: ConsentPurpose;
  filter: SegmentFilter;
}

export interface Diff {
  entered: string[];
  left: string[];
}

/**
 * The customers to evaluate: `changed` (whose stored memberships are checked) and, among them,
 * the `candidates` that may be members now (see candidatesFor).
 */
export interface ChangedCustomers {
  changed: readonly string[];
  candidates: readonly string[];
}

/**
 * Of `changed`, those who could be in some segment of `purpose`: the members of the segment with
 * no filter (not merged or erased, a usable identifier for the purpose), by the rule of `segment`
 * itself. Every segment of that purpose holds a subset of them, so the others need no evaluation
 * beyond leaving.
 */
export async function candidatesFor(client: PoolClient, purpose: ConsentPurpose, changed: readonly string[]): Promise<string[]> {
  const p = new Params();
  const sql = segmentMemberIdsSql({}, purpose, p, { customerIds: changed });
  const { rows } = await client.query<{ id: string }>(`SELECT id::text FROM (${sql}) m`, p.values);
  return rows.map((r) => r.id);
}

/**
 * Brings one saved segment's stored members in line with the segment rule, for some customers
 * (null: every customer), in one statement: the members now (segmentMemberIdsSql, the rule of
 * `segment` itself, over the candidates), those stored among the changed, and the difference
 * inserted and deleted. With `events`,
 * each entrant is a SEGMENT_ENTERED (with the identifiers usable for the purpose, as `segment`
 * shows them) and each leaver a SEGMENT_LEFT, appended in the same transaction.
 * The caller holds the segment's row lock (FOR UPDATE) in `client`'s open transaction: two
 * evaluations of one segment never overlap, so a change is told once.
 */
export async function evaluateSegment(client: PoolClient, segment: SegmentToEvaluate, customers: ChangedCustomers | null, events: boolean): Promise<Diff> {
  const p = new Params();
  const id = p.add(segment.id, '::uuid');
  const fresh = segmentMemberIdsSql(segment.filter, segment.purpose, p, customers ? { customerIds: customers.candidates } : undefined);
  const within = customers ? `AND m.customer_id = ANY(${p.add(customers.changed, '::uuid[]')})` : '';
  const { rows } = await client.query<{ change: 'ENTERED' | 'LEFT'; customer_id: string }>(
    `WITH fresh AS (${fresh}),
          entered AS (INSERT INTO saved_segment_members (segment_id, customer_id) SELECT ${id}, f.id FROM fresh f
                      ON CONFLICT DO NOTHING RETURNING customer_id),
          gone AS (DELETE FROM saved_segment_members m
                    WHERE m.segment_id = ${id} ${within} AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.id = m.customer_id)
                   RETURNING m.customer_id)
     SELECT 'ENTERED' AS change, customer_id::text FROM entered UNION ALL SELECT 'LEFT', customer_id::text FROM gone`,
    p.values,
  );
  const diff: Diff = { entered: [], left: [] };
  for (const row of rows) (row.change === 'ENTERED' ? diff.entered : diff.left).push(row.customer_id);
  if (events) await appendEvents(client, await eventsOf(client, segment, diff));
  return diff;
}

/** The events of a diff; entrants carry their usable identifiers, read with the page statement of `segment`. */
async function eventsOf(client: PoolClient, segment: SegmentToEvaluate, diff: Diff): Promise<NewEvent[]> {
  const identifiers = new Map<string, EventIdentifier[]>();
  if (diff.entered.length > 0) {
    const { sql, params } = segmentPageSql(segment.filter, segment.purpose, diff.entered.length, null, { customerIds: diff.entered });
    const { rows } = await client.query<IdentifierRow>(sql, params);
    for (const row of rows) identifiers.set(row.id, identifiersOf(row));
  }
  const base = { savedSegmentId: segment.id, purpose: segment.purpose };
  return [
    ...diff.entered.map((customerId): NewEvent => ({
      type: EventType.SEGMENT_ENTERED, customerId, data: { ...base, customerId, identifiers: identifiers.get(customerId) ?? [] },
    })),
    ...diff.left.map((customerId): NewEvent => ({ type: EventType.SEGMENT_LEFT, customerId, data: { ...base, customerId } })),
  ];
}

interface IdentifierRow {
  id: string;
  identities: { platform: string; handle: string }[] | null;
  emails: { value: string }[] | null;
  phones: { value: string }[] | null;
}

function identifiersOf(row: IdentifierRow): EventIdentifier[] {
  return [
    ...(row.emails ?? []).map((e): EventIdentifier => ({ kind: 'EMAIL', value: e.value })),
    ...(row.phones ?? []).map((e): EventIdentifier => ({ kind: 'PHONE', value: e.value })),
    ...(row.identities ?? []).map((s): EventIdentifier => ({ kind: 'SOCIAL', platform: s.platform, handle: s.handle })),
  ];
}

/**
 * Evaluates the whole segment (every customer) and records when: the first population (without
 * events: the members as saved) and the periodic full evaluation (with events). Same lock rule as
 * evaluateSegment.
 */
export async function evaluateInFull(client: PoolClient, segment: SegmentToEvaluate, events: boolean): Promise<Diff> {
  const diff = await evaluateSegment(client, segment, null, events);
  await client.query(`UPDATE saved_segments SET evaluated_at = now() WHERE id = $1`, [segment.id]);
  return diff;
}
