import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { CONVERSATION_COLUMNS } from '../../interactions';
import type { Conversation } from '../../interactions';

// The one writer of the conversations table (test/unit/conversation-writer.test.ts keeps it so):
// every write that starts a conversation, moves it to a channel, marks activity on it, closes
// its loop or labels it goes through here, set-based, so a rule about a conversation's columns
// (channels only grow, in order; the current channel follows the latest activity; the loop
// closes once) has one home. Statements are exported as SQL too, for writers that fold them into
// a larger statement as a data-modifying CTE (one round trip instead of two).

/** A conversation a write starts. Times null: the transaction's now(). */
export interface NewConversation {
  id: string;
  customerId: string;
  originChannel: string;
  currentChannel: string;
  channels: string[];
  startedAt: string | null;
  lastActivityAt: string | null;
}

/** Activity a write adds to an existing conversation. */
export interface ConversationTouch {
  id: string;
  /** Channels this activity used, in order: those the conversation is not on yet are appended. */
  channels: string[];
  /** The channel the activity was on (null: unchanged). It becomes current when `move`, or when the activity is the latest. */
  current: string | null;
  /** Moved there on purpose (a reply, a hand-off): current whatever the activity's time. */
  move: boolean;
  /** When (null: now()). */
  at: string | null;
  /** The brand answered in public where the conversation started: its loop is closed (once). */
  closesLoop: boolean;
}

/** SQL: the rows of `param` (a json array of NewConversation) as a relation. */
const newRows = (param: string) => `json_to_recordset(${param}::json) AS n("id" uuid, "customerId" uuid, "originChannel" text,
  "currentChannel" text, channels text[], "startedAt" timestamptz, "lastActivityAt" timestamptz)`;

/** SQL: INSERT the NewConversation rows of `param` (a json parameter). Usable as a CTE. */
export const openConversationsSql = (param: string) =>
  `INSERT INTO conversations (id, customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
   SELECT n.id, n."customerId", n."originChannel", n."currentChannel", n.channels, coalesce(n."startedAt", now()), coalesce(n."lastActivityAt", now())
     FROM ${newRows(param)}`;

/** SQL: the ConversationTouch rows of `param` (a json parameter) as a relation named u, for touchConversationsSql. */
export const touchRowsSql = (param: string) =>
  `SELECT * FROM json_to_recordset(${param}::json) AS u(id uuid, channels text[], current text, move boolean, at timestamptz, "closesLoop" boolean)`;

/** SQL: UPDATE the conversations touched by the rows of `source` (a relation with touchRowsSql's columns). Usable as a CTE. */
export const touchConversationsSql = (source: string) =>
  `UPDATE conversations v SET
     channels = v.channels || ARRAY(SELECT c FROM unnest(u.channels) WITH ORDINALITY AS x(c, n) WHERE c <> ALL(v.channels) ORDER BY n),
     current_channel = CASE WHEN u.current IS NOT NULL AND (u.move OR coalesce(u.at, now()) >= v.last_activity_at) THEN u.current ELSE v.current_channel END,
     last_activity_at = greatest(v.last_activity_at, coalesce(u.at, now())),
     loop_closed_at = CASE WHEN u."closesLoop" THEN coalesce(v.loop_closed_at, coalesce(u.at, now())) ELSE v.loop_closed_at END
     FROM ${source} u
    WHERE v.id = u.id`;

/** Starts conversations, one statement. Usage: `await openConversations(m, [{ id, customerId, ... }])` */
export async function openConversations(m: EntityManager, rows: NewConversation[]): Promise<void> {
  if (rows.length > 0) await m.query(openConversationsSql('$1'), [JSON.stringify(rows)]);
}

/** Adds activity to conversations, one statement, in id order (concurrent writers lock alike). */
export async function touchConversations(m: EntityManager, touches: ConversationTouch[]): Promise<void> {
  if (touches.length === 0) return;
  const sorted = [...touches].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await m.query(`WITH u AS (${touchRowsSql('$1')}) ${touchConversationsSql('(SELECT * FROM u ORDER BY id)')}`, [JSON.stringify(sorted)]);
}

/** Replaces a conversation's labels (already normalised): the conversation, or null when there is none. */
export async function setConversationLabels(pool: Pool, conversationId: string, labels: string[]): Promise<Conversation | null> {
  const { rows } = await pool.query<Conversation>(
    `UPDATE conversations v SET labels = $2 WHERE v.id = $1 RETURNING ${CONVERSATION_COLUMNS}`, [conversationId, labels]);
  return rows[0] ?? null;
}
