import type { Pool } from 'pg';
import { badInput, encodeCursor, toConnection, type Connection } from '../../graphql';
import type { Channel, InteractionCategory, SwimLane, Tier } from '../../graphql';
import { isUuid } from '../../db';
import { DEFAULT_PRIORITY_WEIGHTS, interactionPriority, type PriorityWeights } from '../../influence';
import { INTERACTION_COLUMNS } from '../../interactions';
import type { Interaction } from '../../interactions';
import { NextStep, type QueueItem } from './care-queue.types';
import { free, held, queued } from './queue-membership';
import { wantedLabels, carriesLabels } from './conversation-label.service';

export interface CareQueueArgs {
  first: number;
  after?: string | null;
  lane?: SwimLane | null;
  skillGroup?: string | null;
  channel?: Channel | null;
  /** Only items nobody holds (never claimed, released, or the claim expired). */
  unassigned?: boolean | null;
  /** Only the items this agent holds now. */
  assignedTo?: string | null;
  /** Only items whose conversation carries every one of these labels (normalised as stored). */
  labels?: readonly string[] | null;
}

/** A row of the queue statement (exported for customer360's response compiler, which reads the same rows). */
export type QueueRow = Interaction & {
  queueKey: number;
  tier: Tier;
  influenceScore: number | null;
  influenceTopic: string | null;
  weights: Partial<PriorityWeights>;
  /** The open incident this item stands for (its other open posts are grouped behind it), if any. */
  incidentId: string | null;
  incidentTopic: string | null;
  groupedCount: number | null;
};

/** SQL: the open incident the queue row `i` stands for, with the count of its open posts (stand-in included). */
const STANDS_FOR = `LEFT JOIN LATERAL (SELECT ci.id AS "incidentId", ci.topic AS "incidentTopic",
              1 + (SELECT count(*) FROM interactions g WHERE g.grouped_incident_id = ci.id AND g.status = 'OPEN')::int AS "groupedCount"
         FROM care_incidents ci WHERE ci.stand_in_id = i.id AND ci.status = 'OPEN') inc ON true`;

/**
 * The care queue: open inbound interactions by the indexed virtual deadline (queue_key,
 * kept by triggers, see migrations/1795660000000), then id, so the order is total and
 * stable and pages never skip or repeat an item. The reasons are computed for the page
 * only, by the same formula, at the time of the request.
 */
export class CareQueueService {
  constructor(private readonly pool: Pool) {}

  item(interactionId: string, now = new Date()): Promise<QueueItem | null> {
    return queueItemsOf(this.pool, [interactionId], now).then(([item]) => item);
  }

  async queue(args: CareQueueArgs, now = new Date()): Promise<Connection<QueueItem>> {
    const { sql, params, countSql, countParams } = careQueueSql(args);
    const { rows } = await this.pool.query<QueueRow>(sql, params);
    const items = rows.map((row) => toQueueItem(row, now));
    return toConnection(items, args.first, (item) => encodeCursor(item.queueKey, item.interaction.id), async () => {
      const { rows: counted } = await this.pool.query<{ n: number }>(countSql, countParams);
      return counted[0].n;
    });
  }
}

/**
 * The queue items of interactions, in the order asked, null for one not in the queue
 * (answered, escalated, outbound or kept out by a filter rule), in one statement. The live
 * desk reads the items of a batch of committed changes with it (care.loaders.ts).
 */
export async function queueItemsOf(pool: Pool, interactionIds: readonly string[], now = new Date()): Promise<(QueueItem | null)[]> {
  const { rows } = await pool.query<QueueRow>(
    `SELECT ${INTERACTION_COLUMNS}, i.queue_key AS "queueKey", c.tier, inf.score AS "influenceScore",
            inf.topic AS "influenceTopic", s.weights, inc.*
       FROM interactions i
       JOIN customers c ON c.id = i.customer_id
       CROSS JOIN priority_settings s
       LEFT JOIN LATERAL interaction_influence(i.customer_id, i.topics) inf ON true
       ${STANDS_FOR}
      WHERE i.id = ANY($1::uuid[]) AND ${queued('i')}`,
    [interactionIds],
  );
  const byId = new Map(rows.map((row) => [row.id, toQueueItem(row, now)]));
  return interactionIds.map((id) => byId.get(id) ?? null);
}

/** The page statement (and the count) for a queue request; exported for the benchmark's EXPLAIN. */
export function careQueueSql(args: CareQueueArgs) {
  // Stated literally (not through a function) so that the planner matches the partial indexes.
  const where = [queued('i')];
  const params: unknown[] = [];
  const filter = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (args.lane) filter('i.lane = ?', args.lane);
  if (args.channel) filter('i.channel = ?', args.channel);
  if (args.skillGroup != null) {
    if (args.skillGroup.length > 100) throw badInput('skillGroup', 'skillGroup must be at most 100 characters');
    filter('i.skill_group = ?', args.skillGroup);
  }
  if (args.unassigned && args.assignedTo != null) throw badInput('assignedTo', 'use unassigned or assignedTo, not both');
  if (args.unassigned) where.push(free('i'));
  if (args.assignedTo != null) {
    if (args.assignedTo.length > 200) throw badInput('assignedTo', 'assignedTo must be at most 200 characters');
    filter(held('i', '?'), args.assignedTo);
  }
  const labels = wantedLabels(args.labels);
  if (labels) filter(carriesLabels('i.conversation_id', '?'), labels);
  const countSql = `SELECT count(*)::int AS n FROM interactions i WHERE ${where.join(' AND ')}`;
  const countParams = [...params];
  const after = decodeQueueCursor(args.after);
  if (after) {
    params.push(after.key, after.id);
    where.push(`(i.queue_key, i.id) > ($${params.length - 1}::float8, $${params.length}::uuid)`);
  }
  params.push(args.first + 1);
  const sql = `SELECT ${INTERACTION_COLUMNS}, i.queue_key AS "queueKey", c.tier, inf.score AS "influenceScore",
              inf.topic AS "influenceTopic", s.weights, inc.*
         FROM (SELECT * FROM interactions i WHERE ${where.join(' AND ')}
                ORDER BY i.queue_key, i.id LIMIT $${params.length}) i
         JOIN customers c ON c.id = i.customer_id
         CROSS JOIN priority_settings s
         LEFT JOIN LATERAL interaction_influence(i.customer_id, i.topics) inf ON true
         ${STANDS_FOR}
        ORDER BY i.queue_key, i.id`;
  return { sql, params, countSql, countParams };
}

/** Queue cursors carry the virtual deadline (a float of epoch seconds, kept exact) and the id. */
function decodeQueueCursor(cursor: string | null | undefined): { key: number; id: string } | null {
  if (cursor == null) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const key = Number(parsed[0]);
      if (parsed[0].trim() !== '' && Number.isFinite(key) && isUuid(parsed[1])) return { key, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'after is not a cursor returned by this API');
}

/** A queue row as its item: the priority formula at `now`, and what to do next. */
export function toQueueItem(row: QueueRow, now: Date): QueueItem {
  const { queueKey, tier, influenceScore, influenceTopic, weights, incidentId, incidentTopic, groupedCount, ...interaction } = row;
  const w: PriorityWeights = { ...DEFAULT_PRIORITY_WEIGHTS, ...weights };
  const { score, reasons: scored } = interactionPriority(
    {
      tier,
      influence: influenceScore === null ? null : { score: influenceScore, topic: influenceTopic },
      category: interaction.category as InteractionCategory,
      sentiment: interaction.sentiment,
      content: interaction.content,
      topics: interaction.topics,
      slaDueAt: interaction.slaDueAt,
      occurredAt: interaction.occurredAt,
    },
    w,
    now,
  );
  const grouped = { incidentId: incidentId ?? null, groupedCount: groupedCount ?? null };
  // Adds nothing to the score (the reasons still add up): it says why one item stands for many.
  const standsFor = incidentId ? [{
    factor: 'incident',
    contribution: 0,
    detail: `stands for ${groupedCount} open posts on the open incident "${incidentTopic}" (the others are grouped out of the queue `
      + 'until it is resolved): answer them together with notifyIncident or broadcastIncident',
  }] : [];
  const reasons = [...scored, ...standsFor];
  if (interaction.pii.length === 0) return { interaction, priority: { score, reasons }, queueKey, nextStep: NextStep.RESPOND, ...grouped };
  // Adds nothing to the score (the reasons still add up): it changes what to do, not when.
  const privateData = {
    factor: 'privateData',
    contribution: 0,
    detail: `the public post shows private data (${interaction.pii.map((f) => `${f.kind} ${f.masked}`).join(', ')}): take the conversation offline`,
  };
  return { interaction, priority: { score, reasons: [...reasons, privateData] }, queueKey, nextStep: NextStep.TAKE_OFFLINE, ...grouped };
}
