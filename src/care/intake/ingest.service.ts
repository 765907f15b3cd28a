import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { CareRules, CareRulesService } from '../rules';
import { churnRuleHit, classify, isActionable, laneFor, skillGroupFor, slaDueAt, foldText, scanPii, doNotEngageRuleFor } from '../rules';
import { snoozeLeft, recorded, openConversationsSql, touchConversationsSql, touchRowsSql, type ConversationTouch, type NewConversation } from '../desk';
import { textArrayLiteral, withRetry, Params } from '../../db';
import { badInput, type ErrorCode, firstOfEachKey, Direction, InteractionStatus } from '../../graphql';
import { ItemsRefused, type BatchWriter } from '../../common';
import { recomputeWith, type UnstoredPost } from '../../influence';
import { namedCustomersSql, resolveCustomers, type NamedCustomer, type ResolvedCustomer, isOptOut, type IdentityRules, recordOptOuts } from '../../identities';
import { raiseEscalations, type NewEscalation } from '../escalations';
import { itemErrors, isItemError, MAX_BULK, prepareItem, type ItemError, type PreparedItem } from './ingest.validate';
import { appendHistory, type HistoryEntry, INTERACTION_COLUMNS, loadThreadRefs, threadItems, unknownRefs, type Threaded } from '../../interactions';
import type { InteractionInput, Interaction } from '../../interactions';
import { type TopicPost, openIncidents, claimBursts, thresholdRules, topicCounts, topicCountersSql, topicLocksSql, joinOpenIncidentsSql, joinedIncidents } from '../incidents';
import { loadBrandChannels, type BrandChannelRef } from '../brand';
import { EventType, appendEvents, type EventSink, appendEventsSql, outboxRows } from '../../events';
import type { IdentityRulesService } from '../../identities';

/** Another call inserted one of our keys first: roll back and answer from its rows. */
class IdempotencyRace extends Error {}

/**
 * How a write answers bad items: a single call and a bulk call with one DomainError (the bulk
 * one indexed), a coalesced batch of single calls with ItemsRefused, so that each caller gets
 * its own error and the rest are written.
 */
type Mode = 'single' | 'bulk' | 'batch';

/** The error of a call, or of each refused call of a batch (the error each would get alone). */
function refuse(code: ErrorCode, errors: ItemError[], mode: Mode): Error {
  if (mode !== 'batch') return itemErrors(code, errors, mode === 'bulk');
  const byCall = new Map<number, ItemError[]>();
  for (const e of errors) byCall.set(e.index, [...(byCall.get(e.index) ?? []), { ...e, index: 0 }]);
  return new ItemsRefused(new Map([...byCall].map(([n, list]) => [n, itemErrors(code, list, false)])));
}

/** One single call of a coalesced batch: its input and its caller's token subject. */
export interface RecordCall {
  input: InteractionInput;
  by: string;
  /** Its request, when the write runs for several (audit entries name each caller's own). */
  requestId?: string;
}

/**
 * The Interaction a fresh row reads as: what this call wrote, with what it changed later in
 * the same transaction (an outbound reply in the call answered it, a topic burst escalated it).
 */
function interactionOf(row: Row, answered: HistoryEntry | undefined, escalated: boolean): Interaction {
  return {
    id: row.id, customerId: row.customer_id, conversationId: row.conversation_id, socialIdentityId: row.social_identity_id,
    channel: row.channel as Interaction['channel'], direction: row.direction as Direction, occurredAt: new Date(row.occurred_at),
    content: row.content, isPublic: row.is_public, category: row.category as Interaction['category'], sentiment: row.sentiment,
    topics: row.topics, lane: row.lane as Interaction['lane'], skillGroup: row.skill_group,
    status: (escalated ? InteractionStatus.ESCALATED : (answered?.toStatus ?? row.status)) as InteractionStatus,
    respondedAt: answered?.at ?? null, resolvedAt: null, slaDueAt: row.sla_due_at === null ? null : new Date(row.sla_due_at),
    actionable: row.actionable, closedLoop: null, externalId: row.external_id, inReplyToId: row.in_reply_to_id,
    brandChannelId: row.brand_channel_id, pii: row.pii, templateId: null, templateVersion: null,
    doNotEngageRuleId: row.do_not_engage_rule_id, deliveryStatus: row.delivery_status as Interaction['deliveryStatus'], deliveryError: null,
    deliveryUpdatedAt: row.delivery_updated_at === null ? null : new Date(row.delivery_updated_at),
  };
}

/** A row of the interactions table, as written by a call. */
interface Row {
  id: string;
  customer_id: string;
  conversation_id: string;
  social_identity_id: string | null;
  channel: string;
  direction: string;
  occurred_at: string;
  content: string;
  is_public: boolean;
  category: string;
  sentiment: number;
  topics: string[];
  lane: string;
  skill_group: string | null;
  status: string;
  sla_due_at: string | null;
  in_reply_to_id: string | null;
  external_id: string | null;
  idempotency_key: string;
  content_hash: string;
  actionable: boolean;
  created_by: string;
  brand_channel_id: string | null;
  pii: { kind: string; masked: string }[];
  do_not_engage_rule_id: string | null;
  delivery_status: string | null;
  delivery_updated_at: string | null;
}

const ROW_COLUMNS = `id, customer_id, conversation_id, social_identity_id, channel, direction, occurred_at, content, is_public,
  category, sentiment, topics, lane, skill_group, status, sla_due_at, in_reply_to_id, external_id, idempotency_key,
  content_hash, actionable, created_by, brand_channel_id, pii, do_not_engage_rule_id, delivery_status, delivery_updated_at`;
const PREFIXED_COLUMNS = ROW_COLUMNS.split(',').map((c) => `r.${c.trim()}`).join(', ');

/**
 * The batch INSERT's rows as positional tuples: column, SQL type (the position is the index).
 * created_by is per row: a coalesced batch carries the items of several callers.
 */
const BATCH_COLUMNS: [keyof Row, string][] = [
  ['id', 'uuid'], ['customer_id', 'uuid'], ['conversation_id', 'uuid'], ['social_identity_id', 'uuid'], ['channel', 'text'],
  ['direction', 'text'], ['occurred_at', 'timestamptz'], ['content', 'text'], ['is_public', 'boolean'], ['category', 'text'],
  ['sentiment', 'real'], ['topics', 'text[]'], ['lane', 'text'], ['skill_group', 'text'], ['status', 'text'], ['sla_due_at', 'timestamptz'],
  ['in_reply_to_id', 'uuid'], ['external_id', 'text'], ['idempotency_key', 'text'], ['content_hash', 'text'], ['actionable', 'boolean'],
  ['brand_channel_id', 'uuid'], ['pii', 'jsonb'], ['created_by', 'text'],
  ['do_not_engage_rule_id', 'uuid'], ['delivery_status', 'text'], ['delivery_updated_at', 'timestamptz'],
];
const BATCH_SELECT = BATCH_COLUMNS.map(([column, type], n) => (type === 'jsonb' ? `e->${n} AS ${column}` : `(e->>${n})::${type} AS ${column}`)).join(', ');

/**
 * What the rows do to their conversations: those they start, those they extend (channels,
 * current channel, last activity), in id order, and those whose snoozed items an inbound post wakes.
 */
function conversationChanges(rows: Row[], threads: Threaded[]): { opened: NewConversation[]; touched: ConversationTouch[]; woken: string[] } {
  const created = new Set(threads.filter((t) => t.newConversation).map((t) => t.conversationId));
  const byConversation = new Map<string, Row[]>();
  for (const row of rows) {
    const group = byConversation.get(row.conversation_id);
    if (group) group.push(row);
    else byConversation.set(row.conversation_id, [row]);
  }
  const opened: NewConversation[] = [];
  const touched: ConversationTouch[] = [];
  const woken: string[] = [];
  for (const [id, group] of [...byConversation].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ordered = group.length === 1 ? group : [...group].sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
    const channels = [...new Set(ordered.map((r) => r.channel))];
    const last = ordered[ordered.length - 1];
    if (created.has(id)) {
      opened.push({
        id, customerId: group[0].customer_id, originChannel: ordered[0].channel, currentChannel: last.channel, channels,
        startedAt: ordered[0].occurred_at, lastActivityAt: last.occurred_at,
      });
    } else {
      touched.push({ id, channels, current: last.channel, move: false, at: last.occurred_at, closesLoop: false });
      if (group.some((r) => r.direction === Direction.INBOUND)) woken.push(id);
    }
  }
  return { opened, touched, woken };
}

/** Do-not-engage posts neither count towards a burst nor join an incident (whose notices are automatic replies). */
function topicPostsOf(rows: Row[]): TopicPost[] {
  return rows
    .filter((r) => r.direction === Direction.INBOUND && r.topics.length > 0 && r.do_not_engage_rule_id === null)
    .map((r) => ({ interactionId: r.id, customerId: r.customer_id, topics: r.topics, occurredAt: new Date(r.occurred_at) }));
}

/** One row of the batch, in BATCH_COLUMNS order. */
function batchTuple(row: Row): unknown[] {
  return BATCH_COLUMNS.map(([column]) => (column === 'topics' ? textArrayLiteral(row.topics) : row[column]));
}

/**
 * Records interactions, alone or in bulk, idempotently: validates every item, resolves
 * customers and conversations set-based, classifies and routes by the stored rules, starts
 * the SLA clock, and raises automatic escalations, all in one transaction per call.
 */
export class IngestService implements BatchWriter<RecordCall, Interaction> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: CareRulesService,
    private readonly defaultRegion: string,
    /** Blocked identifiers and opt-out keywords (src/identities/identity-rules.ts). */
    private readonly identityRules: IdentityRulesService,
  ) {}

  /** Usage: `await ingest.record([input], 'sub', false)` -> one Interaction per input, in input order. */
  async record(inputs: InteractionInput[], recordedBy: string, bulk: boolean): Promise<Interaction[]> {
    if (bulk && inputs.length > MAX_BULK) throw badInput('inputs', `at most ${MAX_BULK} interactions per call, got ${inputs.length}`);
    return this.recordCalls(inputs.map((input) => ({ input, by: recordedBy })), bulk ? 'bulk' : 'single');
  }

  /**
   * Single calls of several callers as one write (a Coalescer, src/common/coalescer.ts): each item
   * recorded as its call alone would be, by its caller. Bad items: ItemsRefused, nothing written.
   * Usage: `await ingest.recordBatch([{ input, by: 'alice' }, { input: other, by: 'bob' }])`
   */
  recordBatch(calls: RecordCall[]): Promise<Interaction[]> {
    return this.recordCalls(calls, 'batch');
  }

  /** Checks one single call's input without the database: its error as the call would answer it, or null. */
  check({ input }: RecordCall): Error | null {
    const item = prepareItem(input, 0, this.defaultRegion, new Date());
    return isItemError(item) ? itemErrors('BAD_USER_INPUT', [item], false) : null;
  }

  /** One single call (the coalescer's call alone). */
  async one(call: RecordCall): Promise<Interaction> {
    return (await this.recordCalls([call], 'single'))[0];
  }

  many(calls: RecordCall[]): Promise<Interaction[]> {
    return this.recordBatch(calls);
  }

  private async recordCalls(calls: RecordCall[], mode: Mode): Promise<Interaction[]> {
    if (calls.length === 0) return [];
    const now = new Date();
    const prepared = calls.map(({ input, by, requestId }, i) => {
      const item = prepareItem(input, i, this.defaultRegion, now);
      return isItemError(item) ? item : { ...item, by, requestId };
    });
    const invalid = prepared.filter(isItemError);
    if (invalid.length > 0) throw refuse('BAD_USER_INPUT', invalid, mode);
    const items = prepared as PreparedItem[];

    // The same key twice in one call: one item, unless the contents differ.
    const { firstOfKey, conflicts } = firstOfEachKey(items);
    if (conflicts.length > 0) throw refuse('CONFLICT', conflicts, mode);

    const byKey = await withRetry(
      () => this.dataSource.transaction((m) => this.write(m, [...firstOfKey.values()], mode)),
      { retryIf: (error) => error instanceof IdempotencyRace },
    );
    return items.map((item) => byKey.get(item.key)!);
  }

  private async write(m: EntityManager, items: PreparedItem[], mode: Mode): Promise<Map<string, Interaction>> {
    // The keys already stored, and (same statement) the care and identity rules' versions: rules
    // are cached per version and read again only after a change (migrations CareRulesVersion, IdentitySafeguards);
    // and the customers the items name (one round trip less per call or batch).
    const [{ existing, rulesVersion, identityVersion, named }]: {
      existing: { id: string; key: string; hash: string | null }[]; rulesVersion: string; identityVersion: string; named: NamedCustomer[];
    }[] = await m.query(
      `SELECT (SELECT version FROM care_rules_version)::text AS "rulesVersion",
              (SELECT version FROM identity_rules_version)::text AS "identityVersion",
              coalesce((SELECT json_agg(json_build_object('id', id, 'key', idempotency_key, 'hash', content_hash))
                          FROM interactions WHERE idempotency_key = ANY($1::text[])), '[]') AS existing,
              ${namedCustomersSql('$2')} AS named`,
      [items.map((i) => i.key), [...new Set(items.flatMap((i) => (i.customerId ? [i.customerId] : [])))]],
    );
    const done = new Map(existing.map((e) => [e.key, e]));
    const reused = items.filter((i) => done.has(i.key) && done.get(i.key)!.hash !== i.hash);
    if (reused.length > 0) {
      throw refuse('CONFLICT', reused.map((i) => ({
        index: i.index, field: 'idempotencyKey', message: `idempotencyKey "${i.key}" was used before with other content`,
      })), mode);
    }
    const fresh = items.filter((i) => !done.has(i.key));
    // The call's outbox events, in the order they happened, appended with one statement.
    const events: EventSink = [];
    const written = fresh.length > 0 ? await this.writeFresh(m, fresh, mode, events, rulesVersion, identityVersion, named) : null;
    // Retried items answer with their rows as they are now; fresh ones from what this call wrote.
    const earlier: Interaction[] = existing.length > 0
      ? await m.query(`SELECT ${INTERACTION_COLUMNS} FROM interactions i WHERE i.id = ANY($1::uuid[])`, [existing.map((e) => e.id)])
      : [];
    // Topic counters are shared rows that concurrent calls wait for: touch them last, just before
    // commit, in the statement that appends the call's outbox events (one round trip for both).
    const escalated = written ? await this.escalateBursts(m, written.rules, written.posts, written.requestIds, events) : new Set<string>();
    if (!written) await appendEvents(m, events);
    const earlierById = new Map(earlier.map((r) => [r.id, r]));
    const byKey = new Map(existing.map((e) => [e.key, earlierById.get(e.id)!]));
    for (const row of written?.rows ?? []) {
      byKey.set(row.idempotency_key, interactionOf(row, written!.answered.get(row.id), escalated.has(row.id)));
    }
    return byKey;
  }

  private async writeFresh(
    m: EntityManager, items: PreparedItem[], mode: Mode, events: EventSink, rulesVersion: string, identityVersion: string, named: NamedCustomer[],
  ): Promise<{ rules: CareRules; rows: Row[]; posts: TopicPost[]; answered: Map<string, HistoryEntry>; requestIds: Map<string, string | undefined> }> {
    const rules = await this.rules.cached(m, rulesVersion);
    const identityRules = await this.identityRules.cached(m, identityVersion);
    const refs = await loadThreadRefs(m, items);
    const brands = await this.brandChannelsOf(m, items);
    const refErrors = [...unknownRefs(items, refs), ...brands.errors];
    // Every item carries its caller (recordCalls): the default author is never used.
    const { resolved, errors, conflicts, followersChanged } = await resolveCustomers(m, items, items[0].by!, {
      checkOnly: refErrors.length > 0, events, rules: identityRules, onBlocked: (hits) => this.identityRules.countBlocked(hits), named,
    });
    const bad = [...refErrors, ...errors].sort((a, b) => a.index - b.index);
    if (bad.length > 0) throw refuse('BAD_USER_INPUT', bad, mode);
    if (conflicts.length > 0) throw refuse('CONFLICT', conflicts, mode);
    const threading = threadItems(items, (index) => resolved.get(index)!.customerId, refs);
    if (threading.errors.length > 0) throw refuse('BAD_USER_INPUT', threading.errors, mode);

    const rows = items.map((item) => this.rowOf(
      item, resolved.get(item.index)!, threading.threaded.get(item.index)!, rules, brands.byIndex.get(item.index) ?? null, identityRules));
    // Scored before the INSERT, counting this call's posts, so the INSERT ranks them with the
    // new scores (a score written after them would re-rank and so rewrite each one).
    await this.rescore(m, rows, followersChanged);
    // One statement: the conversations this call starts or extends (conversation.writer.ts),
    // and the interactions. The batch is ranked for the care queue in its INSERT by
    // interaction_rank, which the row trigger uses too; inlined, it costs index probes. The
    // INSERT also brings each open item's queue tier, read in the same statement, so neither
    // BEFORE INSERT trigger fires for its rows (migration InsertTriggersOnlyWhenNeeded). The rows
    // travel as one jsonb array of positional arrays (BATCH_COLUMNS): no key names to send and
    // parse, no per-object key lookup. The interactions' foreign key to a conversation started
    // here is checked at the end of the statement, when the conversation row is there.
    const conversations = conversationChanges(rows, items.map((i) => threading.threaded.get(i.index)!));
    // The topics' locks are taken first (topic-bursts.ts): the rows wait on them.
    const posts = topicPostsOf(rows);
    const counts = topicCounts(posts);
    const p = new Params();
    const batch = p.add(JSON.stringify(rows.map(batchTuple)));
    // Only the parts this call needs: each data-modifying CTE costs PostgreSQL its plan and its
    // executor set-up (opening the table and its indexes) even when it writes nothing.
    const ctes: string[] = [];
    if (counts) ctes.push(topicLocksSql(counts, p));
    if (conversations.opened.length > 0) ctes.push(`opened AS (${openConversationsSql(p.add(JSON.stringify(conversations.opened)))})`);
    if (conversations.touched.length > 0) {
      ctes.push(`u AS (${touchRowsSql(p.add(JSON.stringify(conversations.touched)))})`, `touched AS (${touchConversationsSql('u')})`);
    }
    if (conversations.woken.length > 0) {
      // The customer's post wakes the items of the conversation waiting on them (snoozeInteraction):
      // back in the queue now, the SLA due time keeping only the pause that ran (snooze.service.ts).
      ctes.push(`woken AS (
              UPDATE interactions s SET snoozed_until = NULL,
                     sla_due_at = CASE WHEN s.responded_at IS NULL THEN s.sla_due_at - ${snoozeLeft('s')} ELSE s.sla_due_at END
               WHERE s.conversation_id = ANY(${p.add(conversations.woken)}::uuid[]) AND s.snoozed_until IS NOT NULL)`);
    }
    const inserted: { id: string }[] = await m.query(
      `WITH ${ctes.map((c) => `${c},`).join('\n')}
            r AS MATERIALIZED (SELECT ${BATCH_SELECT} FROM jsonb_array_elements(${batch}::jsonb) e ${counts ? 'WHERE (SELECT n FROM topic_locks) >= 0' : ''})
       INSERT INTO interactions (${ROW_COLUMNS}, priority_base, queue_key, queue_tier)
       SELECT ${PREFIXED_COLUMNS}, k.base, k.queue_key, CASE WHEN r.status = 'OPEN' AND r.direction = 'INBOUND' THEN c.tier END
         FROM r
         LEFT JOIN LATERAL interaction_rank(r.customer_id, r.topics, r.category, r.sentiment, r.content, r.sla_due_at, r.occurred_at) k
           ON r.status = 'OPEN' AND r.direction = 'INBOUND'
         LEFT JOIN customers c ON c.id = r.customer_id AND r.status = 'OPEN' AND r.direction = 'INBOUND'
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      p.values,
    );
    if (inserted.length !== rows.length) throw new IdempotencyRace();
    // Opt-out keywords withdraw MARKETING for the sender, naming the message (docs/consent-and-segments.md).
    await recordOptOuts(m, items.flatMap((item, n) => (isOptOut(identityRules, { channel: item.input.channel, direction: item.direction, content: item.input.content })
      ? [{
        interactionId: rows[n].id, customerId: rows[n].customer_id, channel: item.input.channel, socialIdentityId: rows[n].social_identity_id,
        phone: item.ids.phones[0] ?? null, by: item.by!, occurredAt: item.occurredAt, requestId: item.requestId,
      }]
      : [])), events);
    for (const r of rows) {
      events.push({ type: EventType.INTERACTION_RECORDED, customerId: r.customer_id, data: recorded(r.id, r.customer_id, r.conversation_id, r.channel, r.direction, r.status) });
    }

    const escalations: NewEscalation[] = [];
    for (const [n, row] of rows.entries()) {
      if (row.status !== InteractionStatus.ESCALATED) continue;
      const hit = churnRuleHit(rules.escalations, foldText(items[n].input.content))!;
      const reason = `churn signal: "${hit.phrases.join('", "')}" (rule ${hit.rule.name})`;
      escalations.push({
        id: randomUUID(), customerId: row.customer_id, interactionId: row.id, team: hit.rule.team, reason, automatic: true,
        createdBy: `rule:${hit.rule.name}`, statusBefore: InteractionStatus.OPEN, writtenEscalated: true, requestId: items[n].requestId,
      });
    }

    await raiseEscalations(m, escalations, events);
    const answered = await this.markAnswered(m, rows);
    for (const a of answered) {
      events.push({ type: EventType.INTERACTION_RESPONDED, customerId: a.customerId, data: { interactionId: a.interactionId, customerId: a.customerId, status: a.toStatus } });
    }
    await appendHistory(m, answered);
    const requestIds = new Map(rows.map((r, n) => [r.id, items[n].requestId]));
    return { rules, rows, posts, answered: new Map(answered.map((a) => [a.interactionId, a])), requestIds };
  }

  /**
   * The default influence scorer, once per call, for the customers whose scorer inputs this
   * call changed: a public inbound post, or a follower count. Only fresh items get here, so a
   * retried call recomputes nothing. Runs before the call's rows are stored: they are passed
   * as posts the scorer counts.
   */
  private async rescore(m: EntityManager, rows: Row[], followersChanged: Set<string>): Promise<void> {
    const affected = new Set(followersChanged);
    const unstored: UnstoredPost[] = [];
    for (const r of rows) {
      if (!r.is_public || r.direction !== Direction.INBOUND) continue;
      affected.add(r.customer_id);
      unstored.push({ customerId: r.customer_id, socialIdentityId: r.social_identity_id, topics: r.topics, occurredAt: new Date(r.occurred_at) });
    }
    await recomputeWith(m, [...affected].sort(), new Date(), unstored);
  }

  /**
   * Counts the inbound posts per topic, lets posts join open incidents, and escalates bursts
   * that cross a threshold rule, each opening an incident; returns the escalated interaction ids.
   */
  private async escalateBursts(
    m: EntityManager, rules: CareRules, posts: TopicPost[], requestIds: Map<string, string | undefined>, events: EventSink,
  ): Promise<Set<string>> {
    // One statement: the call's outbox events, the topic counters with the topics each threshold
    // rule finds hot (the topics' locks were taken by the INSERT, so this statement sees every
    // post of a concurrent call on them), and the posts on a topic with an open incident joining it.
    const p = new Params();
    const ctes = [`outboxed AS (${appendEventsSql(p.add(outboxRows(events)))})`];
    const counts = topicCounts(posts);
    const threshold = thresholdRules(rules.escalations);
    if (counts) ctes.push(topicCountersSql(rules.escalations, posts, counts, p));
    const joined = joinOpenIncidentsSql(posts, p);
    if (joined) ctes.push(joined);
    const found: { rule: number | null; topic: string; posts: number | null }[] = await m.query(
      `WITH ${ctes.join(',\n')}
       ${[
         joined ? 'SELECT DISTINCT NULL::int AS rule, topic, NULL::int AS posts FROM incident_hit' : 'SELECT NULL::int AS rule, NULL::text AS topic, NULL::int AS posts WHERE false',
         ...(counts ? threshold.map((_, n) => `SELECT ${n}, topic, posts FROM burst_hot_${n}`) : []),
       ].join('\n UNION ALL ')}`,
      p.values,
    );
    // Posts on a topic with an open incident join it and escalate nothing more.
    const handled = new Set(found.filter((f) => f.rule === null).map((f) => f.topic));
    await joinedIncidents(m, posts, handled);
    const bursts = await claimBursts(m, threshold.map((rule, n) => ({
      rule, hot: found.filter((f) => f.rule === n).map((f) => ({ topic: f.topic, posts: f.posts! })),
    })), posts, handled);
    if (bursts.length === 0) return new Set();
    const { escalated } = await raiseEscalations(m, bursts.map((b) => ({
      id: b.escalationId, customerId: b.customerId, interactionId: b.interactionId, team: b.team, reason: b.reason, automatic: true,
      createdBy: `rule:${b.ruleName}`, requestId: requestIds.get(b.interactionId),
    })));
    await openIncidents(m, bursts);
    return escalated;
  }

  /**
   * The brand channel each item reached, from one statement for the whole call (none when no
   * item names one). An unknown or removed id is an item error; an unknown handle is no brand channel.
   */
  private async brandChannelsOf(m: EntityManager, items: PreparedItem[]): Promise<{ byIndex: Map<number, BrandChannelRef>; errors: ItemError[] }> {
    const ids = new Set<string>();
    const handles = new Map<string, { channel: PreparedItem['input']['channel']; handle: string }>();
    for (const item of items) {
      if (item.brand === null) continue;
      if ('id' in item.brand) ids.add(item.brand.id.toLowerCase());
      else handles.set(`${item.input.channel} ${item.brand.handle}`, { channel: item.input.channel, handle: item.brand.handle });
    }
    const found = await loadBrandChannels(m, [...ids], [...handles.values()]);
    const byId = new Map(found.map((b) => [b.id, b]));
    const byHandle = new Map(found.filter((b) => b.removedAt === null).map((b) => [`${b.channel} ${b.handle}`, b]));
    const byIndex = new Map<number, BrandChannelRef>();
    const errors: ItemError[] = [];
    for (const item of items) {
      if (item.brand === null) continue;
      if ('handle' in item.brand) {
        const hit = byHandle.get(`${item.input.channel} ${item.brand.handle}`);
        if (hit) byIndex.set(item.index, hit);
        continue;
      }
      const hit = byId.get(item.brand.id.toLowerCase());
      if (!hit) errors.push({ index: item.index, field: 'brandChannelId', message: `no brand channel with id ${item.brand.id}` });
      else if (hit.removedAt !== null) errors.push({ index: item.index, field: 'brandChannelId', message: `brand channel ${hit.id} was removed` });
      else if (hit.channel !== item.input.channel) {
        errors.push({ index: item.index, field: 'brandChannelId', message: `brand channel ${hit.id} is on ${hit.channel}, the post on ${item.input.channel}` });
      } else byIndex.set(item.index, hit);
    }
    return { byIndex, errors };
  }

  private rowOf(
    item: PreparedItem, customer: ResolvedCustomer, thread: Threaded, rules: CareRules, brand: BrandChannelRef | null, identityRules: IdentityRules,
  ): Row {
    const { input } = item;
    // An opt-out keyword is for the ledger, not for a person: no SLA, nobody asked to answer it.
    const optOut = isOptOut(identityRules, { channel: input.channel, direction: item.direction, content: input.content });
    const folded = foldText(input.content);
    const needs = input.category == null || input.sentiment == null || item.topics === null;
    const auto = needs ? classify(input.content) : null;
    const category = input.category ?? auto!.category;
    const topics = item.topics ?? auto!.topics;
    const inbound = item.direction === Direction.INBOUND;
    const skillGroup = input.skillGroup?.trim() ?? skillGroupFor(rules.skillGroups, { folded, topics });
    // A post under a do-not-engage rule is recorded and nothing more: no queue, no automatic escalation or reply.
    const doNotEngage = inbound ? doNotEngageRuleFor(rules.doNotEngage, item.ids.handles[0]?.handle ?? null, folded) : null;
    const churn = inbound && !optOut && doNotEngage === null ? churnRuleHit(rules.escalations, folded) : null;
    const due = optOut ? null : slaDueAt(rules, { channel: input.channel, tier: customer.tier, direction: item.direction, occurredAt: item.occurredAt }, brand);
    // Public posts only: what a customer wrote in private to the brand is no exposure.
    const pii = inbound && item.isPublic ? scanPii(input.content, rules.piiPatterns, this.defaultRegion) : [];
    return {
      id: thread.id,
      customer_id: customer.customerId,
      conversation_id: thread.conversationId,
      social_identity_id: customer.socialIdentityId,
      channel: input.channel,
      direction: item.direction,
      occurred_at: item.occurredAt.toISOString(),
      content: input.content,
      is_public: item.isPublic,
      category,
      // real holds 6 significant digits: store what a later read returns, and answer with it.
      sentiment: input.sentiment != null ? Number(input.sentiment.toPrecision(6)) : auto!.sentiment,
      topics,
      lane: input.lane ?? laneFor(rules.lanes, { channel: input.channel, category, folded, topics }),
      skill_group: skillGroup,
      status: churn ? InteractionStatus.ESCALATED : inbound ? InteractionStatus.OPEN : InteractionStatus.RESPONDED,
      sla_due_at: due?.toISOString() ?? null,
      in_reply_to_id: thread.inReplyToId,
      external_id: input.externalId ?? null,
      idempotency_key: item.key,
      content_hash: item.hash,
      // A post to a channel the brand does not monitor is kept, but nobody is asked to answer it.
      actionable: inbound && !optOut && isActionable(rules.filters, category, skillGroup) && (brand?.monitored ?? true),
      created_by: item.by!,
      brand_channel_id: brand?.id ?? null,
      pii,
      do_not_engage_rule_id: doNotEngage,
      // An outbound reply is PENDING until a connector confirms it (recordReplyDelivery); one that
      // carries the platform's id was posted already.
      delivery_status: inbound ? null : input.externalId == null ? 'PENDING' : 'SENT',
      delivery_updated_at: inbound ? null : item.occurredAt.toISOString(),
    };
  }

  /** An outbound item that replies to an inbound one answers it: its SLA clock stops. */
  private async markAnswered(m: EntityManager, rows: Row[]): Promise<HistoryEntry[]> {
    const replies = rows.filter((r) => r.direction === Direction.OUTBOUND && r.in_reply_to_id);
    if (replies.length === 0) return [];
    // The history's actor: the author of the earliest reply (the one whose time is recorded).
    const firstReply = new Map<string, Row>();
    for (const r of replies) {
      const seen = firstReply.get(r.in_reply_to_id!);
      if (!seen || r.occurred_at < seen.occurred_at) firstReply.set(r.in_reply_to_id!, r);
    }
    const [answered]: [{ id: string; customerId: string; at: Date; from: string; to: string }[], number] = await m.query(
      `UPDATE interactions i SET responded_at = r.at,
              status = CASE WHEN i.status = 'OPEN' THEN 'RESPONDED' ELSE i.status END
         FROM (SELECT id, min(at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, at) GROUP BY id) AS r,
              interactions before
        WHERE i.id = r.id AND before.id = i.id AND i.direction = 'INBOUND' AND i.responded_at IS NULL
        RETURNING i.id, i.customer_id AS "customerId", r.at, before.status AS from, i.status AS to`,
      [replies.map((r) => r.in_reply_to_id), replies.map((r) => r.occurred_at)],
    );
    return answered.map((a) => ({
      customerId: a.customerId, interactionId: a.id, event: 'RESPONDED' as const, fromStatus: a.from, toStatus: a.to,
      detail: 'answered by an ingested outbound reply', actor: firstReply.get(a.id)!.created_by, at: a.at,
    }));
  }
}

