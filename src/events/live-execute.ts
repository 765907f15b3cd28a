import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';

/**
 * One subscription's part in shared executions: what makes its answer (`key`), the context a
 * shared execution runs with, and how it formats errors and audits a field it was refused.
 */
export interface SharedSubscriber {
  /** Document text, operation name, variables and role set (see `executionKey`). */
  key: string;
  /** The subscription's document, operation and variables (its contextValue is replaced per execution). */
  args: ExecutionArgs;
  /** A context for one shared execution: the subscriber's, with fresh loaders and this audit sink. */
  sharedContext(recordDenied: (entry: DeniedEntry) => Promise<void>): unknown;
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

/** One execution's answer: the result serialised once (errors formatted), and the fields it refused. */
interface SharedResult {
  json: string;
  denied: readonly DeniedEntry[];
}

/**
 * Everything that decides a payload's answer besides the event. Fields of live payloads may
 * depend on the viewer's roles, never on who the viewer is (the shared context's `viewer.sub`
 * throws), so two agents with the same document share one execution.
 */
export function executionKey(query: string, operationName: string | null | undefined, variables: unknown, roles: Iterable<string>): string {
  return JSON.stringify([query, operationName ?? null, variables ?? null, [...roles].sort()]);
}

/** Executions by source payload object, then key: subscribers of one event get the same object from `sharedRead`. */
const executions = new WeakMap<object, Map<string, Promise<SharedResult>>>();

/**
 * The payload's ExecutionResult for this subscriber, as JSON: executed and serialised ONCE per
 * source payload and key, shared by every subscriber with that key (200 agents on one document
 * cost one execution per event, not 200). Field-level rules still run, with the key's role set; a field refused in
 * the shared execution is audited as each subscriber that receives it, once per subscription.
 * Usage: `socket.send(prefix + (await executeShared(subscriber, payload, stats)) + '}')`
 */
export async function executeShared(subscriber: SharedSubscriber, payload: unknown, stats: ExecutionStats): Promise<string> {
  const byKey = typeof payload === 'object' && payload !== null ? executions.get(payload) ?? new Map<string, Promise<SharedResult>>() : null;
  if (byKey?.size === 0) executions.set(payload as object, byKey);
  let shared = byKey?.get(subscriber.key);
  if (!shared) {
    stats.executions++;
    shared = executeOnce(subscriber, payload);
    byKey?.set(subscriber.key, shared);
  }
  const { json, denied } = await shared;
  for (const entry of denied) {
    let written = subscriber.audited.get(entry.subject);
    if (!written) subscriber.audited.set(entry.subject, (written = subscriber.recordDenied(entry)));
    await written;
  }
  stats.payloads++;
  return json;
}

async function executeOnce(subscriber: SharedSubscriber, payload: unknown): Promise<SharedResult> {
  const denied: DeniedEntry[] = [];
  const contextValue = subscriber.sharedContext(async (entry) => {
    denied.push(entry);
  });
  const result = await execute({ ...subscriber.args, rootValue: payload, contextValue });
  const errors = result.errors?.map((e) => subscriber.formatError(e)) as GraphQLError[] | undefined;
  const wire: ExecutionResult = { ...result, ...(errors ? { errors } : {}) };
  return { json: JSON.stringify(wire), denied };
}
