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

/** Columns of an Escalation (table alias e). */
export const ESCALATION_COLUMNS = `e.id, e.customer_id AS "customerId", e.interaction_id AS "interactionId", e.team, e.reason,
  e.automatic, e.created_at AS "createdAt", e.resolved_at AS "resolvedAt", e.resolution`;
