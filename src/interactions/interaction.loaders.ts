import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey, oneByKey } from '../db';
import { countLoader, pagedLoader, sortKeySql, type Keyed } from '../graphql';
import { CONVERSATION_COLUMNS, ESCALATION_COLUMNS, INTERACTION_COLUMNS } from './interaction.sql';
import type { Conversation, Escalation as EscalationRow, Interaction } from './interaction.types';

/** Per-request loaders for interactions and conversations. */
export function createInteractionLoaders(pool: Pool) {
  return {
    interactionCountByCustomerId: countLoader(pool, 'interactions', 'customer_id', 'channel'),
    interactionCountByConversationId: countLoader(pool, 'interactions', 'conversation_id'),
    conversationCountByCustomerId: countLoader(pool, 'conversations', 'customer_id'),
    /** Newest first: ORDER BY occurred_at DESC, id DESC, keyset on both. */
    interactionsByCustomerId: pagedLoader<Interaction & Keyed>(async (customerIds, key) => {
      const params: unknown[] = [customerIds, key.limit];
      const filters: string[] = [];
      if (key.filter) {
        params.push(key.filter);
        filters.push(`AND i.channel = $${params.length}`);
      }
      if (key.after) {
        params.push(key.after[0], key.after[1]);
        filters.push(`AND (i.occurred_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      const { rows } = await pool.query<Interaction & Keyed & { parentId: string }>(
        `SELECT p.id AS "parentId", page.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${INTERACTION_COLUMNS}, ${sortKeySql('i.occurred_at')} AS "sortKey" FROM interactions i
            WHERE i.customer_id = p.id ${filters.join(' ')}
            ORDER BY i.occurred_at DESC, i.id DESC LIMIT $2
         ) page`,
        params,
      );
      return rows;
    }),
    /** Most recently active first. */
    conversationsByCustomerId: pagedLoader<Conversation & Keyed>(async (customerIds, key) => {
      const params: unknown[] = [customerIds, key.limit];
      let filter = '';
      if (key.after) {
        params.push(key.after[0], key.after[1]);
        filter = `AND (v.last_activity_at, v.id) < ($3::timestamptz, $4::uuid)`;
      }
      const { rows } = await pool.query<Conversation & Keyed & { parentId: string }>(
        `SELECT p.id AS "parentId", page.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${CONVERSATION_COLUMNS}, ${sortKeySql('v.last_activity_at')} AS "sortKey" FROM conversations v
            WHERE v.customer_id = p.id ${filter}
            ORDER BY v.last_activity_at DESC, v.id DESC LIMIT $2
         ) page`,
        params,
      );
      return rows;
    }),
    /** A thread reads oldest first: ORDER BY occurred_at, id. */
    interactionsByConversationId: pagedLoader<Interaction & Keyed>(async (conversationIds, key) => {
      const params: unknown[] = [conversationIds, key.limit];
      let filter = '';
      if (key.after) {
        params.push(key.after[0], key.after[1]);
        filter = `AND (i.occurred_at, i.id) > ($3::timestamptz, $4::uuid)`;
      }
      const { rows } = await pool.query<Interaction & Keyed & { parentId: string }>(
        `SELECT p.id AS "parentId", page.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${INTERACTION_COLUMNS}, ${sortKeySql('i.occurred_at')} AS "sortKey" FROM interactions i
            WHERE i.conversation_id = p.id ${filter}
            ORDER BY i.occurred_at, i.id LIMIT $2
         ) page`,
        params,
      );
      return rows;
    }),
    interactionById: new DataLoader<string, Interaction | null>(async (ids) => {
      const { rows } = await pool.query<Interaction>(
        `SELECT ${INTERACTION_COLUMNS} FROM interactions i WHERE i.id = ANY($1::uuid[])`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.id);
    }),
    conversationById: new DataLoader<string, Conversation | null>(async (ids) => {
      const { rows } = await pool.query<Conversation>(
        `SELECT ${CONVERSATION_COLUMNS} FROM conversations v WHERE v.id = ANY($1::uuid[])`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.id);
    }),
    openEscalationsByCustomerId: new DataLoader<string, EscalationRow[]>(async (customerIds) => {
      const { rows } = await pool.query<EscalationRow>(
        `SELECT ${ESCALATION_COLUMNS} FROM escalations e
          WHERE e.customer_id = ANY($1::uuid[]) AND e.resolved_at IS NULL ORDER BY e.created_at, e.id`,
        [customerIds],
      );
      return groupByKey(customerIds, rows, (r) => r.customerId);
    }),
    /** The newest escalation of each interaction. */
    escalationByInteractionId: new DataLoader<string, EscalationRow | null>(async (interactionIds) => {
      const { rows } = await pool.query<EscalationRow>(
        `SELECT DISTINCT ON (e.interaction_id) ${ESCALATION_COLUMNS} FROM escalations e
          WHERE e.interaction_id = ANY($1::uuid[]) ORDER BY e.interaction_id, e.created_at DESC, e.id DESC`,
        [interactionIds],
      );
      return oneByKey(interactionIds, rows, (r) => r.interactionId);
    }),
  };
}


