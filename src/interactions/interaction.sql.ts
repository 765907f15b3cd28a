/** Columns of an Interaction as the GraphQL type names them (table alias i). */
export const INTERACTION_COLUMNS = `i.id, i.customer_id AS "customerId", i.conversation_id AS "conversationId",
  i.social_identity_id AS "socialIdentityId", i.channel, i.direction, i.occurred_at AS "occurredAt", i.content,
  i.is_public AS "isPublic", i.category, i.sentiment::numeric::float8 AS sentiment, i.topics, i.lane,
  i.skill_group AS "skillGroup", i.status, i.responded_at AS "respondedAt", i.resolved_at AS "resolvedAt",
  i.sla_due_at AS "slaDueAt", i.actionable, i.closed_loop AS "closedLoop", i.external_id AS "externalId",
  i.in_reply_to_id AS "inReplyToId", i.brand_channel_id AS "brandChannelId", i.pii, i.template_id AS "templateId",
  i.template_version AS "templateVersion", i.assigned_to AS "assignedToId", i.assignment_due_at AS "assignmentDueAt",
  CASE WHEN i.snoozed_until > now() THEN i.snoozed_until END AS "snoozedUntil",
  i.do_not_engage_rule_id AS "doNotEngageRuleId", i.delivery_status AS "deliveryStatus", i.delivery_error AS "deliveryError",
  i.delivery_updated_at AS "deliveryUpdatedAt"`;

/** Columns of a Conversation (table alias v). */
export const CONVERSATION_COLUMNS = `v.id, v.customer_id AS "customerId", v.channels, v.started_at AS "startedAt",
  v.last_activity_at AS "lastActivityAt", v.origin_channel AS "originChannel", v.current_channel AS "currentChannel",
  v.loop_closed_at AS "loopClosedAt", v.labels`;

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
