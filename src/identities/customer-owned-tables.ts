/**
 * THE list of tables whose rows belong to one customer (each has `id` and `customer_id`).
 * A merge moves the rows of every table listed here and records their ids; undo moves
 * exactly those back. A branch that adds a table with a customer_id column appends it
 * here (or to NOT_CUSTOMER_OWNED with the reason): test/integration/merge.test.ts fails
 * while a customer_id table is in neither list.
 */
export const CUSTOMER_OWNED_TABLES: readonly string[] = [
  'contact_points',
  'social_identities',
  'consent_events',
  'conversations',
  'interactions',
  'escalations',
  'influence_scores',
  'tier_changes',
  'touchpoint_events',
  'interaction_history',
  'conversation_handoffs',
  'interaction_notes',
  'purchases',
];

/** Tables with a customer_id column that must NOT move in a merge, each with the reason. */
export const NOT_CUSTOMER_OWNED: Readonly<Record<string, string>> = {
  erasures: 'the proof that a customer was erased names that customer; it never moves to another',
  care_incident_posters: 'who posted on an incident, as they were then (keyed by incident and customer; reads answer merged ids with the survivor)',
  care_incident_notices: 'the incident messages a poster was sent: the idempotency key of notifyIncident/resolveIncident, never rewritten',
  outbox_events: 'an event says what happened to that customer then (a merge is an event of its own); it never moves',
  saved_segment_members: 'membership is re-evaluated: the merged customer leaves (SEGMENT_LEFT) and the survivor enters by its own evaluation',
  segment_dirty_customers: 'a queue of customers to re-evaluate, consumed within seconds; a merge marks both customers itself',
  care_incident_affected: 'the audience an incident opened by hand named, as it was then (consent is checked per customer when each notice is sent)',
};
