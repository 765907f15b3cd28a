import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '../auth';
import { recordAudit } from '../audit';
import { badInput, ErasureAction, PersonalDataClass } from '../graphql';
import { quoteIdent } from './customer-tables';
import { DATA_INVENTORY } from './data-inventory';
import { eraseWithin } from './privacy.service';
import type { RetentionPolicy, RetentionPolicyInput } from './retention.types';

/** Longest retention a policy may name (a hundred years); the shortest is one day. */
const MAX_DAYS = 36_500;
/** Who the retention job's erasures and audit entries name. */
export const RETENTION_ACTOR = 'job:retention';
/** Runs start at most this often (the job is daily). */
const RUN_EVERY_MS = 24 * 3_600_000;

const POLICY_COLUMNS = `closed_conversation_days AS "closedConversationDays", anonymise_inactive_customer_days AS "anonymiseInactiveCustomerDays", updated_at AS "updatedAt"`;

/** The retention policy: stored once, off by default, replaced whole by an admin. */
export class RetentionService {
  constructor(private readonly dataSource: DataSource) {}

  async policy(): Promise<RetentionPolicy> {
    const [row] = await this.dataSource.query(`SELECT ${POLICY_COLUMNS} FROM retention_policy`);
    return row;
  }

  /** Replaces the policy and audits the change; the same values again change nothing (a retry writes once). */
  async setPolicy(input: RetentionPolicyInput, viewer: Viewer): Promise<RetentionPolicy> {
    const closed = days(input.closedConversationDays, 'closedConversationDays');
    const inactive = days(input.anonymiseInactiveCustomerDays, 'anonymiseInactiveCustomerDays');
    return this.dataSource.transaction(async (m) => {
      const [before]: RetentionPolicy[] = await m.query(`SELECT ${POLICY_COLUMNS} FROM retention_policy FOR UPDATE`);
      if (before.closedConversationDays === closed && before.anonymiseInactiveCustomerDays === inactive) return before;
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [[after]]: [RetentionPolicy[], number] = await m.query(
        `UPDATE retention_policy SET closed_conversation_days = $1, anonymise_inactive_customer_days = $2, updated_at = now(), updated_by = $3
         RETURNING ${POLICY_COLUMNS}`,
        [closed, inactive, viewer.sub],
      );
      await recordAudit(m, {
        actor: viewer, action: 'RETENTION_POLICY_SET', subject: 'Mutation.setRetentionPolicy',
        details: { before: { closedConversationDays: before.closedConversationDays, anonymiseInactiveCustomerDays: before.anonymiseInactiveCustomerDays }, after: { closedConversationDays: closed, anonymiseInactiveCustomerDays: inactive } },
      });
      return after;
    });
  }
}

function days(value: number | null | undefined, field: string): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DAYS) throw badInput(field, `${field} must be between 1 and ${MAX_DAYS} days, or null (off)`);
  return value;
}

/** What one call of runRetentionBatch did. */
export interface RetentionBatch {
  /** OFF: no policy; IDLE: the last run started less than a day ago; else the phase this batch worked in. */
  state: 'OFF' | 'IDLE' | 'CONVERSATIONS' | 'CUSTOMERS';
  runId: number | null;
  /** The run has finished with this batch (or there was nothing to do). */
  done: boolean;
  conversationsRedacted: number;
  customersAnonymised: number;
}

interface RunRow {
  id: number;
  phase: 'CONVERSATIONS' | 'CUSTOMERS' | 'DONE';
  cursor: string | null;
  closedDays: number | null;
  inactiveDays: number | null;
}

/**
 * One batch of the retention run, in its own transaction: starts a run when one is due (the
 * policy is on and the last run started a day or more before `now`), then works on the open
 * run's current phase from its cursor (conversations first, then customers) and advances the
 * cursor in the same transaction. A crash loses at most the batch in flight; the next call
 * resumes after the last committed one. A transaction-scoped advisory lock makes two processes
 * take turns: the second sees the cursor the first committed, so nothing is applied twice.
 * Usage: `while (!(await runRetentionBatch(dataSource, { batchSize: 100, now: new Date() })).done) {}`
 */
export async function runRetentionBatch(dataSource: DataSource, options: { batchSize: number; now: Date }): Promise<RetentionBatch> {
  const { batchSize, now } = options;
  return dataSource.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('social-crm retention'))`);
    const run = await openRun(m, now);
    if (run === 'OFF' || run === 'IDLE') return { state: run, runId: null, done: true, conversationsRedacted: 0, customersAnonymised: 0 };
    const batch: RetentionBatch = { state: run.phase === 'CONVERSATIONS' ? 'CONVERSATIONS' : 'CUSTOMERS', runId: run.id, done: false, conversationsRedacted: 0, customersAnonymised: 0 };
    let ids: string[] = [];
    if (run.phase === 'CONVERSATIONS' && run.closedDays !== null) {
      ids = await closedConversations(m, run.cursor, run.closedDays, now, batchSize);
      batch.conversationsRedacted = await redactConversations(m, ids);
      if (ids.length > 0) {
        await recordAudit(m, { actor: RETENTION_ACTOR, action: 'RETENTION_CONVERSATIONS_REDACTED', subject: null, details: { run: run.id, conversations: ids.length } });
      }
    } else if (run.phase === 'CUSTOMERS' && run.inactiveDays !== null) {
      ids = await inactiveCustomers(m, run.cursor, run.inactiveDays, now, batchSize);
      for (const id of ids) await eraseWithin(m, id, RETENTION_ACTOR);
      batch.customersAnonymised = ids.length;
    }
    // A short batch ends its phase: the next call starts the next phase from the beginning.
    const phaseDone = ids.length < batchSize;
    const next = !phaseDone ? run.phase : run.phase === 'CONVERSATIONS' ? 'CUSTOMERS' : 'DONE';
    batch.done = next === 'DONE';
    await m.query(
      `UPDATE retention_runs SET phase = $2, cursor = $3, batches = batches + 1,
              conversations_redacted = conversations_redacted + $4, customers_anonymised = customers_anonymised + $5,
              finished_at = CASE WHEN $2 = 'DONE' THEN $6::timestamptz END
        WHERE id = $1`,
      [run.id, next, phaseDone ? null : ids[ids.length - 1], batch.conversationsRedacted, batch.customersAnonymised, now],
    );
    return batch;
  });
}

/** The unfinished run, or a new one when the policy is on and none started in the last day. */
async function openRun(m: EntityManager, now: Date): Promise<RunRow | 'OFF' | 'IDLE'> {
  const [open]: RunRow[] = await m.query(
    `SELECT id::int AS id, phase, cursor, closed_conversation_days AS "closedDays", anonymise_inactive_customer_days AS "inactiveDays"
       FROM retention_runs WHERE finished_at IS NULL ORDER BY id LIMIT 1`,
  );
  if (open) return open;
  const [policy]: { closedDays: number | null; inactiveDays: number | null; last: Date | null }[] = await m.query(
    `SELECT closed_conversation_days AS "closedDays", anonymise_inactive_customer_days AS "inactiveDays",
            (SELECT max(started_at) FROM retention_runs) AS last FROM retention_policy`,
  );
  if (policy.closedDays === null && policy.inactiveDays === null) return 'OFF';
  if (policy.last && now.getTime() - new Date(policy.last).getTime() < RUN_EVERY_MS) return 'IDLE';
  const [created]: RunRow[] = await m.query(
    `INSERT INTO retention_runs (started_at, closed_conversation_days, anonymise_inactive_customer_days) VALUES ($1, $2, $3)
     RETURNING id::int AS id, phase, cursor, closed_conversation_days AS "closedDays", anonymise_inactive_customer_days AS "inactiveDays"`,
    [now, policy.closedDays, policy.inactiveDays],
  );
  return created;
}

/**
 * Conversations closed for `days`: every inbound interaction RESOLVED (at least one), and
 * neither the conversation's last activity nor any resolution within the last `days`; only
 * those that still hold text. Keyset order by id from the run's cursor.
 */
async function closedConversations(m: EntityManager, after: string | null, days: number, now: Date, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await m.query(
    `SELECT v.id FROM conversations v
      WHERE ($1::uuid IS NULL OR v.id > $1::uuid)
        AND v.last_activity_at < $2::timestamptz - make_interval(days => $3)
        AND EXISTS (SELECT 1 FROM interactions i WHERE i.conversation_id = v.id AND i.direction = 'INBOUND')
        AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.conversation_id = v.id
                         AND ((i.direction = 'INBOUND' AND i.status <> 'RESOLVED') OR i.resolved_at >= $2::timestamptz - make_interval(days => $3)))
        AND (${conversationContent().map((t) => `EXISTS (SELECT 1 FROM ${quoteIdent(t.table)} t WHERE ${t.rows.replace(/\$1::uuid\[\]/g, 'ARRAY[v.id]')} AND (${t.pending}))`).join(' OR ')})
      ORDER BY v.id LIMIT $4`,
    [after, now, days, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Customers inactive for `days`: not merged, not erased, created before the window, and no
 * interaction, purchase, touchpoint or consent change of theirs (merged customers' rows have moved to the
 * survivor) within it. Keyset order by id from the run's cursor.
 */
async function inactiveCustomers(m: EntityManager, after: string | null, days: number, now: Date, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await m.query(
    `WITH since AS (SELECT $2::timestamptz - make_interval(days => $3) AS at)
     SELECT c.id FROM customers c, since
      WHERE ($1::uuid IS NULL OR c.id > $1::uuid)
        AND c.merged_into IS NULL AND c.erased_at IS NULL AND c.created_at < since.at
        AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.occurred_at >= since.at)
        AND NOT EXISTS (SELECT 1 FROM touchpoint_events t WHERE t.customer_id = c.id AND t.recorded_at >= since.at)
        AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND p.purchased_at >= since.at)
        AND NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.customer_id = c.id AND e.recorded_at >= since.at)
      ORDER BY c.id LIMIT $4`,
    [after, now, days, limit],
  );
  return rows.map((r) => r.id);
}

/** A table's text that a conversation holds, from the data inventory. */
interface ConversationText {
  table: string;
  /** SQL on alias `t`: the rows of the conversations `$1::uuid[]`. */
  rows: string;
  /** SQL on alias `t`: some column still holds text to redact. */
  pending: string;
  sets: string;
}

let content: ConversationText[] | null = null;

/**
 * What "a conversation's content" is, derived from the data inventory: every FREE_TEXT column
 * with a whole replacement (`redactTo`: interaction text, escalation reasons and resolutions,
 * hand-off reasons and context, history details) of a table whose rows belong to a conversation
 * (a `conversation_id` column, or an `interaction_id` of the conversation's interactions).
 * A table classified later with such columns joins without a change here.
 */
function conversationContent(): ConversationText[] {
  content ??= Object.entries(DATA_INVENTORY).flatMap(([table, rule]) => {
    const cols = Object.entries(rule.columns).filter(([, c]) => c.class === PersonalDataClass.FREE_TEXT && c.onErasure === ErasureAction.REDACT && c.redactTo);
    if (cols.length === 0) return [];
    const rows = 'conversation_id' in rule.columns ? 't.conversation_id = ANY($1::uuid[])'
      : 'interaction_id' in rule.columns ? 't.interaction_id IN (SELECT id FROM interactions WHERE conversation_id = ANY($1::uuid[]))'
        : null;
    if (!rows) return [];
    const value = (c: string) => `(${rule.columns[c].redactTo})`;
    return [{
      table,
      rows,
      pending: cols.map(([c]) => `(t.${quoteIdent(c)} IS NOT NULL AND t.${quoteIdent(c)} IS DISTINCT FROM ${value(c)})`).join(' OR '),
      sets: cols.map(([c]) => `${quoteIdent(c)} = CASE WHEN t.${quoteIdent(c)} IS NULL THEN NULL ELSE ${value(c)} END`).join(', '),
    }];
  });
  return content;
}

/** Redacts the content of the conversations, one statement per table; answers how many conversations. */
async function redactConversations(m: EntityManager, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  for (const t of conversationContent()) {
    await m.query(`UPDATE ${quoteIdent(t.table)} t SET ${t.sets} WHERE (${t.rows}) AND (${t.pending})`, [ids]);
  }
  return ids.length;
}
