import type { WriteOp } from './writes-load';

/**
 * The floors: what each call stores (its rows, its history, audit and outbox rows), written by
 * one hand-written statement (one transaction) with nothing computed in between. Shared by
 * bench:writes (bench/writes-load.ts) and bench:live (bench/live.ts), so both floors are the same rows.
 */
export const FLOOR: Record<Exclude<WriteOp, 'claimNextInteraction'>, string> = {
  recordInteraction: `
    WITH v AS (INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
               VALUES ($1, 'FACEBOOK', 'FACEBOOK', '{FACEBOOK}', now(), now()) RETURNING id, customer_id),
         i AS (INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
                 sentiment, topics, lane, skill_group, status, sla_due_at, idempotency_key, content_hash, actionable, created_by)
               SELECT customer_id, id, 'FACEBOOK', 'INBOUND', now(), $2, true, 'COMPLAINT', -0.4, '{delivery}', 'CUSTOMER_SERVICE',
                      'Logistics', 'OPEN', now() + interval '1 hour', $3, md5($2), true, $4 FROM v
               RETURNING id, customer_id, conversation_id)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'INTERACTION_RECORDED', customer_id, jsonb_build_object('interactionId', id, 'customerId', customer_id,
           'conversationId', conversation_id, 'channel', 'FACEBOOK', 'direction', 'INBOUND', 'status', 'OPEN') FROM i`,
  respondToInteraction: `
    WITH o AS (SELECT * FROM interactions WHERE id = $1 FOR UPDATE),
         r AS (INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
                 sentiment, topics, lane, skill_group, status, in_reply_to_id, actionable, closed_loop, created_by)
               SELECT customer_id, conversation_id, channel, 'OUTBOUND', now(), $2, is_public, category, 0.2, topics, lane, skill_group,
                      'RESPONDED', id, false, false, $3 FROM o RETURNING id, customer_id, conversation_id),
         c AS (UPDATE conversations v SET last_activity_at = now() FROM o WHERE v.id = o.conversation_id),
         u AS (UPDATE interactions i SET responded_at = coalesce(i.responded_at, now()), status = 'RESPONDED' WHERE i.id = $1),
         h AS (INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, actor)
               SELECT customer_id, id, 'RESPONDED', status, 'RESPONDED', 'answered on FACEBOOK in public', $3 FROM o)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT t, r.customer_id, d FROM r, LATERAL (VALUES
      ('INTERACTION_RECORDED', jsonb_build_object('interactionId', r.id, 'customerId', r.customer_id, 'conversationId', r.conversation_id,
        'channel', 'FACEBOOK', 'direction', 'OUTBOUND', 'status', 'RESPONDED')),
      ('INTERACTION_RESPONDED', jsonb_build_object('interactionId', $1::uuid, 'customerId', r.customer_id, 'replyId', r.id, 'status', 'RESPONDED'))) x(t, d)`,
  escalateInteraction: `
    WITH o AS (SELECT * FROM interactions WHERE id = $1 FOR UPDATE),
         e AS (INSERT INTO escalations (customer_id, interaction_id, team, reason, automatic, created_by)
               SELECT customer_id, id, $2, 'needs a specialist', false, $3 FROM o RETURNING id, customer_id, interaction_id),
         a AS (INSERT INTO audit_log (actor, actor_roles, action, subject, details)
               SELECT $3, '{}', 'ESCALATED', customer_id, jsonb_build_object('escalationId', id, 'interactionId', interaction_id, 'team', $2::text) FROM e),
         u AS (UPDATE interactions i SET status = 'ESCALATED' WHERE i.id = $1 AND i.status IN ('OPEN', 'RESPONDED')),
         h AS (INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, escalation_id, actor)
               SELECT e.customer_id, e.interaction_id, 'ESCALATED', o.status, 'ESCALATED', 'to ' || $2 || ': needs a specialist', e.id, $3 FROM e, o)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'ESCALATION_RAISED', customer_id, jsonb_build_object('escalationId', id, 'interactionId', interaction_id, 'customerId', customer_id,
           'team', $2::text, 'automatic', false) FROM e`,
  recordTouchpoint: `
    WITH c AS (INSERT INTO customers (display_name, name_key) VALUES ($1, lower($1)) RETURNING id),
         p AS (INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by)
               SELECT id, 'EMAIL', $2, 'ONLINE_PURCHASE', $3 FROM c RETURNING id, customer_id),
         t AS (INSERT INTO touchpoint_events (customer_id, touchpoint, recorded_by, created_customer, identifiers, matched_ids, added_ids,
                 consent_count, attribute_keys, occurred_at)
               SELECT customer_id, 'ONLINE_PURCHASE', $3, true, jsonb_build_object('emails', jsonb_build_array($2::text)), '{}', ARRAY[id], 0, '{}', now() FROM p)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'CUSTOMER_CREATED', id, jsonb_build_object('customerId', id) FROM c`,
  setConsent: `
    WITH e AS (INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by, recorded_at)
               SELECT customer_id, id, 'MARKETING', $2, 'SOCIAL_MESSAGE', $3, now() FROM social_identities WHERE id = $1
               RETURNING customer_id, social_identity_id)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'CONSENT_CHANGED', customer_id, jsonb_build_object('customerId', customer_id, 'socialIdentityId', social_identity_id,
           'purpose', 'MARKETING', 'status', $2::text, 'source', 'SOCIAL_MESSAGE') FROM e`,
};
