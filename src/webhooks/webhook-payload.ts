import type { Pool, PoolClient } from 'pg';
import { survivorJoin } from '../customers';
import { EVENT_PAYLOAD_FIELDS, type EventIdentifier, EventType } from '../events';
import { PersonalDataClass, type ConsentPurpose } from '../graphql';
import { grantedNowSql } from '../identities';

/** An outbox event as the delivery worker reads it. */
export interface OutboxEvent {
  type: string;
  customerId: string | null;
  data: Record<string, unknown>;
}

/** What the customer allows for the webhook's purpose at the instant of delivery. */
export interface Grants {
  /** Keys (`identifierKey`) of the event's identifiers whose own consent for the purpose is granted now. */
  identifiers: ReadonlySet<string>;
  /** The event's customer (or its survivor) holds the purpose granted now on at least one identity. */
  customer: boolean;
}

const NONE: Grants = { identifiers: new Set(), customer: false };
const ALWAYS = new Set<PersonalDataClass>([PersonalDataClass.PSEUDONYMOUS, PersonalDataClass.OPERATIONAL]);

/** One key per identifier, the same for the payload and the consent lookup. */
export function identifierKey(i: EventIdentifier): string {
  return i.kind === 'SOCIAL' ? `SOCIAL:${i.platform}:${i.handle}` : `${i.kind}:${i.value}`;
}

function isIdentifier(v: unknown): v is EventIdentifier {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/**
 * The event's `data` as a webhook with `purpose` may receive it: the one place payloads are
 * cut for receivers (pure; `grants` come from `grantsAt`). Ids and operational values stay;
 * identifiers stay one by one where their consent for the purpose is granted; other personal
 * values (free text, profiling) only where the customer holds the purpose; with no purpose,
 * no personal value at all; a key EVENT_PAYLOAD_FIELDS does not declare is dropped.
 * Usage: `const data = webhookData(event, webhook.purpose, await grantsAt(client, event, webhook.purpose))`
 */
export function webhookData(event: OutboxEvent, purpose: ConsentPurpose | null, grants: Grants): Record<string, unknown> {
  const fields = fieldsOf(event);
  const allowed = purpose === null || !purposeMatches(event, purpose) ? NONE : grants;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.data)) {
    const cls = fields[key];
    if (cls === undefined) continue;
    if (ALWAYS.has(cls) || value === null) out[key] = value;
    // A list keeps its key (empty when nothing is granted): receivers see one shape per event type.
    else if (Array.isArray(value) && value.every(isIdentifier)) out[key] = value.filter((i) => allowed.identifiers.has(identifierKey(i)));
    else if (isIdentifier(value) ? allowed.identifiers.has(identifierKey(value)) : allowed.customer) out[key] = value;
  }
  return out;
}

// Events about a consented list (a saved segment) were made for its purpose: their identifiers
// reach only a webhook of that same purpose (a MARKETING segment's entrant is not handed to a
// SERVICE receiver because they allow service contact).
const PURPOSE_BOUND: ReadonlySet<string> = new Set([EventType.SEGMENT_ENTERED, EventType.SEGMENT_LEFT]);

function purposeMatches(event: OutboxEvent, purpose: ConsentPurpose): boolean {
  return !PURPOSE_BOUND.has(event.type) || event.data.purpose === purpose;
}

/** The declared classes of the event's keys (none for a type not declared: nothing personal is sent). */
function fieldsOf(event: OutboxEvent): Readonly<Record<string, PersonalDataClass>> {
  return (EVENT_PAYLOAD_FIELDS as Readonly<Record<string, Readonly<Record<string, PersonalDataClass>>>>)[event.type] ?? {};
}

/** The identifiers an event's personal keys carry (those webhookData checks one by one). */
function identifiersOf(event: OutboxEvent): EventIdentifier[] {
  const fields = fieldsOf(event);
  return Object.entries(event.data).flatMap(([key, value]) => {
    const cls = fields[key];
    if (cls === undefined || ALWAYS.has(cls)) return [];
    if (Array.isArray(value)) return value.filter(isIdentifier);
    return isIdentifier(value) ? [value] : [];
  });
}

/** True when the event has a personal value that depends on consent (no lookup needed otherwise). */
function needsGrants(event: OutboxEvent): boolean {
  const fields = fieldsOf(event);
  return Object.entries(event.data).some(([key, value]) => value !== null && fields[key] !== undefined && !ALWAYS.has(fields[key]));
}

// One statement: which of the event's identifiers hold the purpose now (each by its own row in
// consent_current, the rule segments apply), and whether the customer the event is about (or
// the survivor it was merged into, not erased) holds it on any identity. Identifiers are found
// by value, not by the event's customer: they move with merges.
const GRANTS_SQL = `
  WITH ids AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(kind text, value text, platform text, handle text))
  SELECT coalesce((
    SELECT array_agg(k) FROM (
      SELECT ids.kind || ':' || ids.value AS k
        FROM ids JOIN contact_points cp ON cp.kind = ids.kind AND cp.value = ids.value
        JOIN consent_current cc ON cc.identity_id = cp.id AND cc.purpose = $2 AND ${grantedNowSql('cc')}
       WHERE ids.kind IN ('EMAIL', 'PHONE')
      UNION ALL
      SELECT 'SOCIAL:' || ids.platform || ':' || ids.handle
        FROM ids JOIN social_identities si ON si.platform = ids.platform AND si.handle = ids.handle
        JOIN consent_current cc ON cc.identity_id = si.id AND cc.purpose = $2 AND ${grantedNowSql('cc')}
       WHERE ids.kind = 'SOCIAL') g), '{}') AS identifiers,
    EXISTS (
      SELECT 1 FROM ${survivorJoin('k', 'c')}
        JOIN LATERAL (SELECT id FROM contact_points WHERE customer_id = c.id
                      UNION ALL SELECT id FROM social_identities WHERE customer_id = c.id) idn ON true
        JOIN consent_current cc ON cc.identity_id = idn.id AND cc.purpose = $2 AND ${grantedNowSql('cc')}
       WHERE k.id = $3 AND c.erased_at IS NULL) AS customer`;

/**
 * What the customer allows for `purpose` now, for this event: read in the delivering
 * transaction, just before the POST, so a withdrawal committed after the event and before its
 * delivery is honoured. No query when the webhook has no purpose or the event no personal value.
 */
export async function grantsAt(q: Pool | PoolClient, event: OutboxEvent, purpose: ConsentPurpose | null): Promise<Grants> {
  if (purpose === null || !purposeMatches(event, purpose) || !needsGrants(event)) return NONE;
  const { rows } = await q.query<{ identifiers: string[]; customer: boolean }>(GRANTS_SQL, [JSON.stringify(identifiersOf(event)), purpose, event.customerId]);
  return { identifiers: new Set(rows[0].identifiers), customer: rows[0].customer };
}
