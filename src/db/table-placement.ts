/**
 * Where each table goes when the database is scaled out with Citus, distributing by customer
 * (docs/scaling.md). Customer-owned tables (src/identities/customer-owned-tables.ts, plus
 * NOT_CUSTOMER_OWNED there) are distributed by customer_id and co-located with `customers`;
 * the tables below are the rest. test/integration/table-placement.test.ts fails when a
 * migration adds a table that is in none of these lists, or a customer-owned table that lacks
 * `customer_id NOT NULL` with an index leading on it. A new table is appended to one list, with its reason.
 */

/** The distribution root: `customers.id` is the distribution column every customer-owned table follows. */
export const DISTRIBUTION_ROOT = 'customers';

/** Small, read in joins by every shard, written rarely: replicated to every node (create_reference_table). */
export const REFERENCE_TABLES: Readonly<Record<string, string>> = {
  care_business_hours: 'care rules: a few rows, joined by SLA computation on every shard',
  care_escalation_rules: 'care rules',
  care_filter_rules: 'care rules',
  care_lane_rules: 'care rules: routing of every ingested interaction',
  care_skill_groups: 'care rules',
  care_sla_targets: 'care rules',
  priority_settings: 'one row of priority weights, read by the queue key of every interaction',
  tier_rules: 'tier thresholds, read by tier recomputation on every shard',
  brand_channels: "the brand's own accounts: a few rows, read by ingestion and SLA on every shard",
  channel_length_limits: 'one row per channel: reply limits checked on every answer',
  pii_patterns: 'stored patterns of the private-data scan, read by ingestion on every shard',
  response_templates: 'the response library: read by suggestions for any customer',
  response_template_versions: 'versions of the response library, named by replies on every shard',
  care_agents: 'agents and what they serve: a few rows, read by every claim',
  care_rules_version: 'one row, bumped by every change of a care rule table: ingestion reads it to know its cached rules are current',
  care_do_not_engage_rules: 'care rules: handles and keywords matched by ingestion on every shard',
  identifier_blocks: 'identity rules: blocked values and patterns, read by every touchpoint and ingestion',
  opt_out_keywords: 'identity rules: the opt-out words, read by ingestion on every shard',
  identity_rules_version: 'one row, bumped by every change of an identity rule table (like care_rules_version)',
  care_escalation_targets: 'care rules: one due-time target per escalation team',
};

/** Not about one customer and never joined with customer shards: kept on the coordinator (local tables). */
export const COORDINATOR_TABLES: Readonly<Record<string, string>> = {
  migrations: "TypeORM's record of applied migrations",
  rate_limit_counters: 'per-token mutation counters (UNLOGGED), keyed by token subject',
  audit_log: 'append-only, keyed by its own id and read by time; may become distributed by id (not co-located) when large',
  audit_denial_windows: 'refusal counts per token subject and minute, beside audit_log',
  care_topic_bursts: 'global per-topic burst state across all customers',
  care_topic_minutes: 'global per-topic minute counters across all customers',
  customer_merges: 'names two customers (survivor and merged): each merge moves rows between their shards, recorded once here',
  care_incidents: 'one incident per topic burst, across all customers (like care_topic_bursts)',
  care_incident_posts: "an incident's posts across customers, keyed by incident",
  care_incident_messages: "an incident's notification and closing texts, keyed by incident",
  idempotency_keys: 'keyed by (operation, key) of the calling system, before any customer is known; could be distributed by key',
  topic_normalisation_undo: 'old topic values kept by the NormaliseTopics migration for its down',
  outbox_events: 'one ordered stream of every event (customer_id names the customer, null for events about none): delivered from one place; also in NOT_CUSTOMER_OWNED',
  webhooks: "the integrations' registrations: a few rows",
  webhook_deliveries: 'one row per event and webhook, ordered per webhook and customer by the delivery worker',
  retention_policy: 'one row: the retention settings',
  retention_runs: "the retention job's cursor and progress, one row per run",
  care_incident_affected: 'the customers an incident opened by hand named, keyed by incident (like care_incident_posts; also in NOT_CUSTOMER_OWNED)',
  care_incident_broadcasts: "an incident's public posts on the brand's channels, keyed by incident",
  saved_segments: "marketing's and supervisors' segment definitions: a few rows, about no one customer",
  segment_dirty_customers: 'a queue the segment worker drains in seq order within seconds (also in NOT_CUSTOMER_OWNED)',
};

/**
 * Tables derived from customer data that do not carry customer_id yet, each with what its move
 * needs. Kept short and explicit: the test pins this set, so a new one cannot slip in.
 */
export const CUSTOMER_KEY_PENDING: Readonly<Record<string, string>> = {
  consent_current:
    'keyed by identity_id (an email, phone or social identity row): add customer_id, kept by the consent_events trigger and moved by merges, then distribute with (customer_id, identity_id, purpose) as the key',
  follower_history:
    'keyed by social_identity_id (it follows the identity through merges and detaches): add customer_id, kept by the social_identities trigger that writes it, then co-locate',
};
