import type { Queryable } from '../audit';
import type { EventPayloads } from './event-payloads';
import type { EventType } from './event-types';

/**
 * An event to append to the outbox. `customerId` is the customer it is about (the ordering
 * key of webhook deliveries: one customer's events are delivered in order). `data` holds ids
 * and what changed; identifiers only where the event is about them. Its shape per type is
 * EventPayloads (src/events/event-payloads.ts).
 */
export type NewEvent = { [T in EventType]: { type: T; customerId: string | null; data: EventPayloads[T] } }[EventType];

/** Events of one transaction, collected by several steps and appended with one statement (bulk paths). */
export type EventSink = NewEvent[];

/**
 * Appends events in one set-based INSERT, in the order given. Call it with the writing
 * transaction's manager: the rows commit or roll back with the change, and the outbox trigger
 * (migration OutboxWebhooks) fans them out to webhooks and NOTIFYs listeners, on commit only.
 * Usage: `await appendEvents(m, [{ type: EventType.TIER_CHANGED, customerId, data: { from, to } }])`
 */
export async function appendEvents(m: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await m.query(appendEventsSql('$1'), [outboxRows(events)]);
}

/**
 * SQL: appendEvents' INSERT of `param` (outboxRows), for a writer that folds it into another
 * statement as a data-modifying CTE (one round trip less; the rows still commit with the change).
 */
export const appendEventsSql = (param: string) =>
  `INSERT INTO outbox_events (type, customer_id, data)
   SELECT e.v->>0, (e.v->>1)::uuid, e.v->2
     FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS e(v, n)
    ORDER BY e.n`;

/**
 * appendEventsSql's parameter. One JSON parameter: the driver sends it as it is, where three
 * text arrays cost it an escape pass over every element (a 1,000-item ingestion call appends
 * 1,000-3,000 events). Each event is a positional [type, customerId, data] tuple: no key names
 * to send, parse and look up.
 */
export const outboxRows = (events: readonly NewEvent[]) => JSON.stringify(events.map((e) => [e.type, e.customerId, e.data]));

/** One event. Usage: `await appendEvent(m, EventType.CUSTOMER_MERGED, survivorId, { survivorId, mergedId, mergeId })` */
export async function appendEvent<T extends EventType>(m: Queryable, type: T, customerId: string | null, data: EventPayloads[T]): Promise<void> {
  await appendEvents(m, [{ type, customerId, data } as NewEvent]);
}

/** Adds to the caller's sink when it collects the transaction's events, else appends at once. */
export async function emit(m: Queryable, sink: EventSink | undefined, events: readonly NewEvent[]): Promise<void> {
  if (sink) sink.push(...events);
  else await appendEvents(m, events);
}
