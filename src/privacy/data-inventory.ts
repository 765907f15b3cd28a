import { ConsentPurpose, ErasureAction, PersonalDataClass } from '../graphql';

/**
 * THE data inventory: every column of every table, classified once. Erasure, export and the
 * `dataInventory` query read it; test/integration/data-inventory.test.ts compares it with the
 * migrated catalog, so a migration that adds a column fails until the column is classified here
 * (docs/consent-and-segments.md, "The data inventory", says how to classify one).
 */
export interface ColumnRule {
  readonly class: PersonalDataClass;
  /**
   * On the customer's own rows: DELETE the row, NULLIFY the value, REDACT it (to `redactTo`, or
   * by cutting the customer's values out of it), or KEEP it. On rows that only concern the
   * customer (and on tables with no owner), a REDACT column has the customer's values cut out.
   */
  readonly onErasure: ErasureAction;
  /** The consent purposes the value is held for (empty: none; operational data). */
  readonly purposes: readonly ConsentPurpose[];
  /**
   * REDACT only: the SQL the whole value becomes on the customer's own rows (it may name the
   * row's columns, e.g. `'erased:' || id`; a NULL stays NULL). Unset: the customer's values are
   * cut out and the rest kept, for values other code parses (event data, topics).
   */
  readonly redactTo?: string;
  /**
   * IDENTIFIER and CONTACT text is hunted in every REDACT column (default true). false for a
   * value many people share (a city): hunting it would erase other people's words.
   */
  readonly hunted?: boolean;
}

export interface TableRule {
  /** SQL condition on alias `t` for the customer's own rows; `$1` is the family's ids (uuid[]). */
  readonly owned?: string;
  /** SQL condition on alias `t` for rows about the customer among others: exported; erasure only cuts their values out. */
  readonly related?: string;
  readonly columns: Readonly<Record<string, ColumnRule>>;
}

/** What a note becomes, and what a value cut out of text is replaced with. */
export const ERASED_TEXT = '[erased]';

const { SERVICE, MARKETING, PROFILING } = ConsentPurpose;
const rule = (cls: PersonalDataClass, onErasure: ErasureAction, purposes: ConsentPurpose[] = [], extra: Partial<ColumnRule> = {}): ColumnRule =>
  ({ class: cls, onErasure, purposes, ...extra });
const OPERATIONAL = rule(PersonalDataClass.OPERATIONAL, ErasureAction.KEEP);
/** Columns that hold no personal data (codes, counters, times, staff ids, configuration). */
const operational = (...names: string[]) => Object.fromEntries(names.map((n) => [n, OPERATIONAL]));
/** Ids of the customer's rows: meaningless alone, kept so the anonymous rows still add up. */
const pseudonymous = (...names: string[]) => Object.fromEntries(names.map((n) => [n, rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.KEEP, [SERVICE])]));
/** Words people wrote to or about the customer: the whole text goes. */
const note = (purposes: ConsentPurpose[] = [SERVICE]) => rule(PersonalDataClass.FREE_TEXT, ErasureAction.REDACT, purposes, { redactTo: `'${ERASED_TEXT}'` });
/** Text shared by many or parsed by code: the customer's values are cut out, the rest stays. */
const mentions = (cls: PersonalDataClass, purposes: ConsentPurpose[] = [SERVICE]) => rule(cls, ErasureAction.REDACT, purposes);

const CUSTOMER_ID = 't.customer_id = ANY($1::uuid[])';
const POSTED_ON_INCIDENT = 't.incident_id IN (SELECT incident_id FROM care_incident_posters WHERE customer_id = ANY($1::uuid[])'
  // Issue 26: or named by an incident opened by hand.
  + ' UNION ALL SELECT incident_id FROM care_incident_affected WHERE customer_id = ANY($1::uuid[]))';

export const DATA_INVENTORY: Readonly<Record<string, TableRule>> = {
  audit_log: {
    // The audit trail is the proof of what was done to the customer: kept, with stray values cut out.
    related: 't.subject = ANY($1::uuid[]::text[])',
    columns: {
      ...operational('id', 'at', 'actor', 'actor_roles', 'action', 'request_id'),
      ...pseudonymous('subject'),
      details: mentions(PersonalDataClass.PSEUDONYMOUS),
    },
  },
  // Refused attempts per token subject (staff and machines, as audit_log.actor): no customer's data.
  audit_denial_windows: { columns: operational('actor', 'window_start', 'attempts') },
  brand_channels: { columns: operational('id', 'channel', 'handle', 'name', 'monitored', 'business_hours', 'sla_targets', 'created_at', 'updated_at', 'updated_by', 'removed_at', 'removed_by') },
  // One row: the version of the care rules, bumped by their triggers (cached rules re-read on change).
  care_rules_version: { columns: operational('id', 'version') },
  care_agents: { columns: operational('id', 'name', 'skill_groups', 'lanes', 'tiers', 'channels', 'capacity', 'assignment_seconds', 'active', 'updated_at', 'updated_by') },
  care_business_hours: { columns: operational('name', 'time_zone', 'weekly', 'updated_at', 'updated_by') },
  care_escalation_rules: { columns: operational('name', 'kind', 'team', 'threshold', 'window_minutes', 'phrases', 'enabled', 'updated_at', 'updated_by') },
  care_escalation_targets: { columns: operational('team', 'response_minutes', 'business_hours', 'updated_at', 'updated_by') },
  care_filter_rules: { columns: operational('name', 'categories', 'unless_skill_group', 'enabled', 'updated_at', 'updated_by') },
  // Issue 26: the customers an incident opened by hand named (its filter's matches), and its public posts on brand channels.
  care_incident_affected: {
    owned: CUSTOMER_ID,
    columns: { ...operational('incident_id'), ...pseudonymous('customer_id') },
  },
  care_incident_broadcasts: { related: POSTED_ON_INCIDENT, columns: { ...operational('incident_id', 'brand_channel_id', 'text_key', 'posted_by', 'posted_at'), text: mentions(PersonalDataClass.FREE_TEXT) } },
  care_incident_messages: {
    // One message goes to every poster of the incident: it is not the customer's to erase whole.
    related: POSTED_ON_INCIDENT,
    columns: { ...operational('id', 'incident_id', 'kind', 'reached', 'not_consented', 'sent_by', 'sent_at'), text: mentions(PersonalDataClass.FREE_TEXT) },
  },
  care_incident_notices: {
    owned: CUSTOMER_ID,
    columns: { ...operational('incident_id', 'kind', 'message_id', 'sent_at'), ...pseudonymous('customer_id', 'reply_id') },
  },
  care_incident_posters: {
    owned: CUSTOMER_ID,
    columns: { ...operational('incident_id', 'posted_at'), ...pseudonymous('customer_id', 'interaction_id') },
  },
  care_incident_posts: {
    owned: 't.interaction_id IN (SELECT id FROM interactions WHERE customer_id = ANY($1::uuid[]))',
    columns: { ...operational('incident_id', 'joined_at'), ...pseudonymous('interaction_id') },
  },
  care_incidents: {
    related: POSTED_ON_INCIDENT.replace('t.incident_id', 't.id'),
    columns: {
      ...operational('id', 'rule_name', 'window_minutes', 'trigger_posts', 'status', 'opened_at', 'escalation_id', 'resolved_at', 'resolved_by', 'created_at'),
      // Issue 26: who opened it by hand (staff), the filter of the affected (places, tiers: shared by many), the queue's stand-in post.
      ...operational('opened_by', 'affected_filter'), ...pseudonymous('stand_in_id'),
      // A hashtag many posted on; a handle used as one is cut out.
      topic: mentions(PersonalDataClass.FREE_TEXT),
    },
  },
  care_do_not_engage_rules: {
    // A rule may name the customer's handle. No owner, so erasure scans every rule and cuts the
    // customer's values out (a "related" condition on their handles would find nothing by then:
    // their own rows are redacted first). The posts a rule filtered are exported with their rule id.
    columns: {
      ...operational('id', 'name', 'active', 'created_at', 'updated_at', 'updated_by'),
      handles: mentions(PersonalDataClass.IDENTIFIER),
      keywords: mentions(PersonalDataClass.FREE_TEXT),
      reason: mentions(PersonalDataClass.FREE_TEXT),
    },
  },
  care_lane_rules: { columns: operational('name', 'position', 'lane', 'channels', 'categories', 'keywords', 'hashtags', 'enabled', 'updated_at', 'updated_by') },
  care_skill_groups: { columns: operational('name', 'position', 'keywords', 'hashtags', 'updated_at', 'updated_by') },
  care_sla_targets: { columns: operational('id', 'channel', 'tier', 'response_minutes', 'business_hours', 'updated_at', 'updated_by') },
  care_topic_bursts: { columns: { ...operational('rule_name', 'fired_at', 'last_hot_at', 'escalation_id'), topic: mentions(PersonalDataClass.FREE_TEXT) } },
  care_topic_minutes: { columns: { ...operational('minute', 'posts'), topic: mentions(PersonalDataClass.FREE_TEXT) } },
  channel_length_limits: { columns: operational('channel', 'max_length', 'updated_at', 'updated_by') },
  consent_current: {
    owned: `t.identity_id IN (SELECT id FROM contact_points WHERE customer_id = ANY($1::uuid[])
                              UNION ALL SELECT id FROM social_identities WHERE customer_id = ANY($1::uuid[]))`,
    columns: { ...operational('identity_kind', 'purpose', 'status', 'recorded_at', 'effective_at', 'expires_at', 'event_id'), ...pseudonymous('identity_id') },
  },
  consent_events: {
    // Append-only: erasure changes it through rewriteLedger, and only the columns its trigger opens.
    owned: CUSTOMER_ID,
    columns: {
      ...operational('id', 'purpose', 'status', 'recorded_at', 'effective_at', 'source', 'recorded_by', 'expires_at', 'wording_version'),
      ...pseudonymous('customer_id', 'social_identity_id', 'contact_point_id'),
      // The inbound message an opt-out came from (migration IdentitySafeguards).
      ...pseudonymous('interaction_id'),
      wording: note([SERVICE, MARKETING, PROFILING]),
    },
  },
  contact_points: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('kind', 'verified', 'captured_via', 'captured_at', 'captured_by'),
      ...pseudonymous('id', 'customer_id'),
      // The row stays (consent history points at it); the placeholder is unique per row.
      value: rule(PersonalDataClass.CONTACT, ErasureAction.REDACT, [SERVICE, MARKETING], { redactTo: `'erased:' || id` }),
    },
  },
  conversation_handoffs: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('from_channel', 'to_channel', 'handed_off_by', 'handed_off_at', 'reason_code'),
      ...pseudonymous('id', 'customer_id', 'conversation_id', 'carried_interaction_ids'),
      reason: note(),
      context: note(),
    },
  },
  conversations: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('origin_channel', 'current_channel', 'channels', 'started_at', 'last_activity_at', 'loop_closed_at'), ...pseudonymous('id', 'customer_id'),
      // Typed by agents ('refund', 'vip'); shared words stay for the queue filter and metrics, a customer's own values are cut out.
      labels: mentions(PersonalDataClass.FREE_TEXT),
    },
  },
  customer_merges: {
    related: 't.survivor_id = ANY($1::uuid[]) OR t.merged_id = ANY($1::uuid[])',
    columns: {
      ...operational('id', 'merged_at', 'merged_by', 'undone_at', 'undone_by'),
      ...pseudonymous('survivor_id', 'merged_id', 'moved', 'survivor_rows', 'repointed', 'returned_after_merge'),
    },
  },
  customers: {
    owned: 't.id = ANY($1::uuid[])',
    columns: {
      ...operational('erased_at', 'created_at', 'updated_at'),
      ...pseudonymous('id', 'merged_into'),
      display_name: rule(PersonalDataClass.IDENTIFIER, ErasureAction.REDACT, [SERVICE, MARKETING], { redactTo: `'Erased customer'` }),
      name_key: rule(PersonalDataClass.IDENTIFIER, ErasureAction.REDACT, [SERVICE], { redactTo: `''` }),
      city: rule(PersonalDataClass.CONTACT, ErasureAction.NULLIFY, [SERVICE, MARKETING], { hunted: false }),
      region: rule(PersonalDataClass.CONTACT, ErasureAction.NULLIFY, [SERVICE, MARKETING], { hunted: false }),
      // Coarse enough to name nobody once the rest is gone; per-country counts keep adding up.
      country: rule(PersonalDataClass.CONTACT, ErasureAction.KEEP, [SERVICE, MARKETING], { hunted: false }),
      tier: rule(PersonalDataClass.PROFILING, ErasureAction.KEEP, [SERVICE]),
      // Free-form values ("gold", "yes") are not hunted elsewhere: that would cut other people's words.
      attributes: rule(PersonalDataClass.IDENTIFIER, ErasureAction.REDACT, [SERVICE, MARKETING], { redactTo: `'{}'::jsonb`, hunted: false }),
    },
  },
  erasures: {
    owned: CUSTOMER_ID,
    columns: { ...operational('id', 'erased_by', 'erased_at', 'counts'), ...pseudonymous('customer_id') },
  },
  escalations: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('team', 'automatic', 'created_at', 'created_by', 'resolved_at', 'resolved_by'),
      // Issue 26, escalation worklists: the owner is a staff token subject.
      ...operational('owner', 'acknowledged_at', 'due_at', 'breach_notified_at'),
      ...pseudonymous('id', 'customer_id', 'interaction_id'),
      reason: note(),
      resolution: note(),
    },
  },
  idempotency_keys: {
    // A touchpoint's result is the customer's id, a score's names it: those keys are the customer's.
    owned: 't.result IS NOT NULL AND EXISTS (SELECT 1 FROM unnest($1::uuid[]) f(id) WHERE strpos(t.result::text, f.id::text) > 0)',
    columns: {
      ...operational('operation', 'created_at'),
      key: mentions(PersonalDataClass.PSEUDONYMOUS),
      // sha256 of the input (emails, phones, handles): guessable from a suspect's values, so it goes.
      // A retry of the erased call then answers CONFLICT instead of re-creating the customer.
      content_hash: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.REDACT, [SERVICE], { redactTo: `'erased'` }),
      result: mentions(PersonalDataClass.PSEUDONYMOUS),
    },
  },
  // Identity safeguards (migration IdentitySafeguards): values that never link, opt-out words, their version.
  // A blocked value is meant to be a placeholder or a shared number; should it be someone's, erasure cuts it out.
  identifier_blocks: {
    columns: {
      ...operational('id', 'kind', 'platform', 'is_pattern', 'reason', 'created_at', 'created_by', 'removed_at', 'removed_by'),
      value: mentions(PersonalDataClass.IDENTIFIER),
    },
  },
  identity_rules_version: { columns: operational('id', 'version') },
  opt_out_keywords: { columns: operational('keyword', 'updated_at', 'updated_by') },
  influence_scores: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('platform', 'source', 'computed', 'flagged', 'measured_at', 'recorded_at'),
      ...pseudonymous('id', 'customer_id'),
      score: rule(PersonalDataClass.PROFILING, ErasureAction.KEEP, [PROFILING]),
      topic: mentions(PersonalDataClass.PROFILING, [PROFILING]),
    },
  },
  interaction_history: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('event', 'from_status', 'to_status', 'actor', 'at'),
      ...pseudonymous('id', 'customer_id', 'interaction_id', 'escalation_id'),
      // Escalation reasons and notes are copied here.
      detail: note(),
    },
  },
  // Private notes of agents: what they wrote about the customer goes whole; who wrote and whom it mentioned (staff) stay.
  interaction_notes: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('author', 'mentions', 'created_at'),
      ...pseudonymous('id', 'customer_id', 'interaction_id'),
      text: note(),
      idempotency_key: mentions(PersonalDataClass.PSEUDONYMOUS),
    },
  },
  interactions: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational(
        'channel', 'direction', 'occurred_at', 'is_public', 'category', 'lane', 'skill_group', 'status', 'responded_at', 'resolved_at',
        'sla_due_at', 'created_at', 'actionable', 'closed_loop', 'created_by', 'priority_base', 'queue_key', 'brand_channel_id',
        'template_id', 'template_version', 'assigned_to', 'assigned_at', 'assignment_due_at', 'queue_tier',
        'snoozed_until',
        'do_not_engage_rule_id', 'delivery_status', 'delivery_updated_at',
      ),
      // A connector's words about a failed reply (it may quote the customer): the whole text goes.
      delivery_error: note(),
      ...operational('breach_notified_at'),
      ...operational('grouped_incident_id'),
      ...pseudonymous('id', 'customer_id', 'conversation_id', 'social_identity_id', 'in_reply_to_id'),
      content: note(),
      sentiment: rule(PersonalDataClass.PROFILING, ErasureAction.KEEP, [SERVICE, PROFILING]),
      topics: mentions(PersonalDataClass.PROFILING, [SERVICE, PROFILING]),
      external_id: rule(PersonalDataClass.IDENTIFIER, ErasureAction.NULLIFY, [SERVICE]),
      idempotency_key: mentions(PersonalDataClass.PSEUDONYMOUS),
      content_hash: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.NULLIFY, [SERVICE]),
      // Masked findings ("**** 1111") name nobody elsewhere: not hunted.
      pii: rule(PersonalDataClass.CONTACT, ErasureAction.REDACT, [SERVICE], { redactTo: `'[]'::jsonb`, hunted: false }),
    },
  },
  outbox_events: {
    // Event data is parsed by the live feed and webhook payloads: values are cut out, its shape stays.
    owned: CUSTOMER_ID,
    columns: { ...operational('seq', 'id', 'type', 'occurred_at', 'tx'), ...pseudonymous('customer_id'), data: mentions(PersonalDataClass.PSEUDONYMOUS) },
  },
  pii_patterns: { columns: operational('name', 'kind', 'pattern', 'case_sensitive', 'enabled', 'updated_at', 'updated_by') },
  priority_settings: { columns: operational('id', 'weights', 'updated_at', 'updated_by') },
  purchases: {
    // What someone bought is profiling (targeting, tiers): an erased customer's purchases are deleted, row and all.
    owned: CUSTOMER_ID,
    columns: {
      ...operational('purchased_at', 'channel', 'created_at', 'created_by'),
      ...pseudonymous('id', 'customer_id'),
      product: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [SERVICE, MARKETING, PROFILING]),
      category: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [SERVICE, MARKETING, PROFILING]),
      amount: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [SERVICE, MARKETING, PROFILING]),
      currency: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [SERVICE, MARKETING, PROFILING]),
      // The job's key may embed the shop's order number: it goes with the row.
      idempotency_key: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.DELETE, [SERVICE]),
      content_hash: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.DELETE, [SERVICE]),
    },
  },
  rate_limit_counters: { columns: operational('key', 'points', 'expire') },
  response_template_versions: { columns: operational('template_id', 'version', 'text', 'created_at', 'created_by') },
  response_templates: { columns: operational('id', 'name', 'category', 'channels', 'take_offline', 'version', 'created_at', 'updated_at', 'updated_by') },
  social_identities: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('platform', 'verified', 'captured_via', 'captured_at', 'captured_by'),
      ...pseudonymous('id', 'customer_id'),
      handle: rule(PersonalDataClass.IDENTIFIER, ErasureAction.REDACT, [SERVICE, MARKETING], { redactTo: `'erased:' || id` }),
      external_user_id: rule(PersonalDataClass.IDENTIFIER, ErasureAction.NULLIFY, [SERVICE, MARKETING]),
      profile_url: rule(PersonalDataClass.IDENTIFIER, ErasureAction.NULLIFY, [SERVICE, MARKETING]),
      follower_count: rule(PersonalDataClass.PROFILING, ErasureAction.NULLIFY, [PROFILING]),
    },
  },
  tier_changes: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('changed_by', 'changed_at'),
      ...pseudonymous('id', 'customer_id'),
      tier: rule(PersonalDataClass.PROFILING, ErasureAction.KEEP, [SERVICE]),
      previous_tier: rule(PersonalDataClass.PROFILING, ErasureAction.KEEP, [SERVICE]),
      reason: note(),
    },
  },
  tier_rules: { columns: operational('id', 'tier', 'attribute', 'min_value', 'created_at', 'created_by', 'retired_at', 'product', 'category') },
  topic_normalisation_undo: { columns: { ...operational('table_name', 'row_id'), old_value: mentions(PersonalDataClass.PROFILING, [SERVICE, PROFILING]) } },
  touchpoint_events: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('recorded_by', 'recorded_at', 'request_id', 'created_customer', 'consent_count', 'attribute_keys', 'occurred_at'),
      ...pseudonymous('id', 'customer_id', 'matched_ids', 'added_ids'),
      touchpoint: mentions(PersonalDataClass.FREE_TEXT),
      // The identifiers the touchpoint gave; the shape stays for the identity history reader.
      identifiers: rule(PersonalDataClass.IDENTIFIER, ErasureAction.REDACT, [SERVICE], { redactTo: `'{"emails":[],"phones":[],"handles":[]}'::jsonb` }),
    },
  },
  webhook_deliveries: {
    // Deliveries of the customer's events (indexed; a pruned event takes its deliveries with it).
    // The payload itself is read from outbox_events.data at delivery time.
    related: 't.event_seq IN (SELECT seq FROM outbox_events WHERE customer_id = ANY($1::uuid[]))',
    columns: {
      ...operational('id', 'webhook_id', 'event_type', 'state', 'attempts', 'last_status', 'delivered_at', 'next_attempt_at', 'created_at'),
      ...pseudonymous('event_seq', 'ordering_key'),
      // A receiver's error body may echo the payload.
      last_error: mentions(PersonalDataClass.FREE_TEXT),
    },
  },
  webhooks: { columns: operational('id', 'url', 'events', 'purpose', 'active', 'secret_ciphertext', 'created_at', 'created_by') },
  // Follower counts over time: hang off the identity (a merge or detach moves them with it); erasure deletes them.
  follower_history: {
    owned: 't.social_identity_id IN (SELECT id FROM social_identities WHERE customer_id = ANY($1::uuid[]))',
    columns: {
      ...operational('id', 'measured_at'),
      ...pseudonymous('social_identity_id'),
      follower_count: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [PROFILING]),
    },
  },
  retention_policy: { columns: operational('id', 'closed_conversation_days', 'anonymise_inactive_customer_days', 'updated_at', 'updated_by') },
  // The daily retention job's runs: counts and a keyset cursor (a conversation or customer id, meaningless alone).
  retention_runs: {
    columns: {
      ...operational('id', 'started_at', 'finished_at', 'closed_conversation_days', 'anonymise_inactive_customer_days', 'phase', 'batches',
        'conversations_redacted', 'customers_anonymised'),
      ...pseudonymous('cursor'),
    },
  },
  // Saved segments: the definitions are marketing's configuration (the filter names tiers, topics, dates: no one person).
  saved_segments: { columns: operational('id', 'name', 'purpose', 'filter', 'created_by', 'created_at', 'evaluated_at') },
  // Being in a segment is a profile of the customer: erasure deletes the rows (no SEGMENT_LEFT: CUSTOMER_ERASED says it).
  saved_segment_members: {
    owned: CUSTOMER_ID,
    columns: {
      ...operational('entered_at'),
      segment_id: rule(PersonalDataClass.PROFILING, ErasureAction.DELETE, [MARKETING, SERVICE]),
      customer_id: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.DELETE, [MARKETING, SERVICE]),
    },
  },
  // Customers to re-evaluate, consumed within seconds; an erased customer's rows go with the erasure.
  segment_dirty_customers: {
    owned: CUSTOMER_ID,
    columns: { ...operational('seq', 'marked_at'), customer_id: rule(PersonalDataClass.PSEUDONYMOUS, ErasureAction.DELETE, [MARKETING, SERVICE]) },
  },
};

/** One classified column, as `dataInventory` answers it. */
export interface InventoryEntry {
  table: string;
  column: string;
  class: PersonalDataClass;
  onErasure: ErasureAction;
  purposes: ConsentPurpose[];
}

/** Every column that can hold personal data (all but OPERATIONAL), by table and column. */
export function personalColumns(): InventoryEntry[] {
  return Object.entries(DATA_INVENTORY)
    .flatMap(([table, t]) => Object.entries(t.columns).map(([column, c]) => ({ table, column, class: c.class, onErasure: c.onErasure, purposes: [...c.purposes] })))
    .filter((e) => e.class !== PersonalDataClass.OPERATIONAL)
    .sort((a, b) => a.table.localeCompare(b.table) || a.column.localeCompare(b.column));
}

/** A stored column as the catalog describes it. */
export interface CatalogColumn {
  table: string;
  column: string;
  /** udt_name: text, varchar, jsonb, _text, uuid, ... */
  type: string;
  nullable: boolean;
}

/** Every column of every base table of schema public but TypeORM's own `migrations`. */
export const CATALOG_SQL = `
  SELECT c.table_name AS "table", c.column_name AS "column", c.udt_name AS "type", c.is_nullable = 'YES' AS nullable
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
   WHERE c.table_schema = 'public' AND c.table_name <> 'migrations'
   ORDER BY c.table_name, c.ordinal_position`;

/** Text-like types erasure can cut values out of. */
export const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', '_text', '_varchar', 'json', 'jsonb']);

/**
 * What is wrong between the inventory and the catalog, one line each (empty: nothing): a column
 * not classified, a classified column that does not exist, and actions the column cannot take.
 * Usage: `expect(inventoryProblems(await m.query(CATALOG_SQL))).toEqual([])`
 */
export function inventoryProblems(catalog: readonly CatalogColumn[], inventory: Readonly<Record<string, TableRule>> = DATA_INVENTORY): string[] {
  const problems: string[] = [];
  const stored = new Map(catalog.map((c) => [`${c.table}.${c.column}`, c]));
  for (const c of catalog) {
    if (!inventory[c.table]?.columns[c.column]) problems.push(`${c.table}.${c.column} is not classified in src/privacy/data-inventory.ts`);
  }
  for (const [table, t] of Object.entries(inventory)) {
    const hasCustomerId = stored.has(`${table}.customer_id`);
    if (hasCustomerId && !t.owned) problems.push(`${table} has customer_id but no owned rows`);
    for (const [column, c] of Object.entries(t.columns)) {
      const found = stored.get(`${table}.${column}`);
      if (!found) {
        problems.push(`${table}.${column} is classified but not stored`);
        continue;
      }
      if (c.class === PersonalDataClass.OPERATIONAL && c.onErasure !== ErasureAction.KEEP) problems.push(`${table}.${column} is operational but not kept`);
      if (c.onErasure === ErasureAction.NULLIFY && !found.nullable) problems.push(`${table}.${column} is NOT NULL and cannot be nullified`);
      if (c.onErasure === ErasureAction.REDACT && !c.redactTo && !TEXT_TYPES.has(found.type)) problems.push(`${table}.${column} (${found.type}) has no text to cut values out of`);
      const onOwnedRowsOnly = c.redactTo || c.onErasure === ErasureAction.NULLIFY || c.onErasure === ErasureAction.DELETE;
      if (onOwnedRowsOnly && !t.owned) problems.push(`${table}.${column} acts on the customer's own rows but the table has none`);
    }
  }
  return problems;
}
