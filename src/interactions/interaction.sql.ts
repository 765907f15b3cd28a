import { columnList, storedFields } from '../graphql';
import { Conversation, Interaction } from './interaction.types';

/** Columns of an Interaction as the GraphQL type names them (table alias i), as declared beside its properties (@Stored). */
export const INTERACTION_COLUMNS = columnList('i', storedFields(Interaction));

/** Columns of a Conversation (table alias v), as declared (@Stored). */
export const CONVERSATION_COLUMNS = columnList('v', storedFields(Conversation));

/**
 * An escalation's lifecycle as the API reads it (table alias e), defined once: its status from
 * the two times that end a stage, and `breached`: its due time passed before anyone acknowledged
 * or resolved it (still unowned past due, or owned late; stays true once true).
 */
export const ESCALATION_STATUS_SQL = `CASE WHEN e.resolved_at IS NOT NULL THEN 'RESOLVED' WHEN e.acknowledged_at IS NOT NULL THEN 'ACKNOWLEDGED' ELSE 'OPEN' END`;
export const ESCALATION_BREACHED_SQL = `(e.due_at IS NOT NULL AND coalesce(e.acknowledged_at, e.resolved_at, now()) > e.due_at)`;
const ESCALATION_LIFECYCLE_COLUMNS = `${ESCALATION_STATUS_SQL} AS status, e.owner, e.acknowledged_at AS "acknowledgedAt", e.due_at AS "dueAt",
  ${ESCALATION_BREACHED_SQL} AS breached`;

/** Columns of an Escalation (table alias e). */
export const ESCALATION_COLUMNS = `e.id, e.customer_id AS "customerId", e.interaction_id AS "interactionId", e.team, e.reason,
  e.automatic, e.created_at AS "createdAt", e.resolved_at AS "resolvedAt", e.resolution,
  ${ESCALATION_LIFECYCLE_COLUMNS}`;
