import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { StoredEvent } from './event-bus';
import { later } from './fan-out';

/**
 * One subscription's part in shared executions: what makes its answer (`key`), the context a
 * shared execution runs with, and how it formats errors and audits a field it was refused.
 */
export interface SharedSubscriber {
  /** Document text, operation name, variables and role set (see `executionKey`). */
  key: string;
  /** The subscription's document, operation and variables (its contextValue is replaced per execution). */
  args: ExecutionArgs;
  /** A context for one shared execution of this event: the subscriber's, with the event batch's loaders and this audit sink. */
  sharedContext(recordDenied: (entry: DeniedEntry) => Promise<void>, event: StoredEvent): unknown;
  /** Writes a refusal to the audit log as this subscriber. */
  recordDenied(entry: DeniedEntry): Promise<void>;
  formatError(error: GraphQLError): unknown;
  /** Refusals audited for this subscription, by schema coordinate (once each, as for one query). */
  audited: Map<string, Promise<void>>;
}

/** What the auth checker writes for a refused field (src/auth/auth-checker.ts). */
export interface DeniedEntry {
  subject: string;
  [more: string]: unknown;
}

/** Counts of one live server (/metrics, the bench): payloads answered and executions run for them. */
export interface ExecutionStats {
  executions: number;
  payloads: number;
}

/** One event's answer for one key: serialised once (errors formatted), and the fields it refused. */
interface SharedAnswer {
  /** The ExecutionResult as JSON; null when the subscription's read skipped the event. */
  json: string | null;
  denied: readonly DeniedEntry[];
}

/**
 * An answer being made or made: `done` lets subscribers after the first take it at once;
 * `waiters` are the deliveries of the subscribers that came while it was being made, run in
 * fan-out slices when it is (src/events/fan-out.ts): no promise per subscriber.
 */
interface Entry {
  done: SharedAnswer | null;
  failed: { error: unknown } | null;
  waiters: ((answer: SharedAnswer) => void)[];
  fail: ((error: unknown) => void)[];
}

/**
 * Everything that decides a payload besides the event. A live subscription's read (its
 * resolver's `read`) may depend on the event and the subscription's arguments only, and its
 * fields on the viewer's roles, never on who the viewer is (the shared context's `viewer.sub`
 * throws): so subscribers with the same key get the same answer, made once.
 */
export function executionKey(query: string, operationName: string | null | undefined, variables: unknown, roles: Iterable<string>): string {
  return JSON.stringify([query, operationName ?? null, variables ?? null, [...roles].sort()]);
}

/** Answers by event (every listener of this process gets the same StoredEvent object), then key. */
const answers = new WeakMap<StoredEvent, Map<string, Entry>>();

/** How a subscriber learns its message: the message (null: nothing to send), or the error that ends its subscription. */
export type Settle = (message: string | null, error?: unknown) => void;

/**
 * The graphql-ws Next message of this event for this subscriber: read, executed and serialised
 * ONCE per event and key, shared by every subscriber with that key (200 agents on one document
 * cost one execution per event, not 200). Field-level rules still run, with the key's role set;
 * a field refused in the shared execution is audited as each subscriber that receives it, once
 * per subscription. `settle` gets the message (null: nothing to send) at once when the answer is
 * already made, otherwise in a fan-out slice after it is made.
 * Usage: `answerFor(event, subscriber, read, (json) => prefix + json + '}', stats, settle)`
 */
export function answerFor<T>(
  event: StoredEvent,
  subscriber: SharedSubscriber,
  read: (event: StoredEvent) => Promise<T | null>,
  wrap: (json: string) => string,
  stats: ExecutionStats,
  settle: Settle,
): void {
  let byKey = answers.get(event);
  if (!byKey) answers.set(event, (byKey = new Map()));
  let entry = byKey.get(subscriber.key);
  if (!entry) {
    const made: Entry = { done: null, failed: null, waiters: [], fail: [] };
    answer(event, subscriber, read, stats).then(
      (done) => {
        made.done = done;
        for (const waiter of made.waiters) later(waiter, done);
        made.waiters = [];
        made.fail = [];
      },
      (error: unknown) => {
        made.failed = { error };
        for (const fail of made.fail) later(fail, error);
        made.waiters = [];
        made.fail = [];
      },
    );
    byKey.set(subscriber.key, (entry = made));
  }
  const take = (done: SharedAnswer): void => {
    if (done.json === null) return settle(null);
    stats.payloads++;
    const message = wrap(done.json);
    if (done.denied.length === 0) return settle(message);
    audit(subscriber, done.denied).then(() => settle(message), (error: unknown) => settle(null, error ?? new Error('a refusal could not be audited')));
  };
  const fail = (error: unknown) => settle(null, error ?? new Error('a live payload could not be prepared'));
  if (entry.done) take(entry.done);
  else if (entry.failed) fail(entry.failed.error);
  else {
    entry.waiters.push(take);
    entry.fail.push(fail);
  }
}

async function answer<T>(event: StoredEvent, subscriber: SharedSubscriber, read: (event: StoredEvent) => Promise<T | null>, stats: ExecutionStats): Promise<SharedAnswer> {
  const payload = await read(event);
  if (payload === null) return { json: null, denied: [] };
  stats.executions++;
  const denied: DeniedEntry[] = [];
  const contextValue = subscriber.sharedContext(async (entry) => {
    denied.push(entry);
  }, event);
  const result = await execute({ ...subscriber.args, rootValue: payload, contextValue });
  const errors = result.errors?.map((e) => subscriber.formatError(e)) as GraphQLError[] | undefined;
  const wire: ExecutionResult = { ...result, ...(errors ? { errors } : {}) };
  return { json: JSON.stringify(wire), denied };
}

async function audit(subscriber: SharedSubscriber, denied: readonly DeniedEntry[]): Promise<void> {
  for (const entry of denied) {
    let written = subscriber.audited.get(entry.subject);
    if (!written) subscriber.audited.set(entry.subject, (written = subscriber.recordDenied(entry)));
    await written;
  }
}
