import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being answered: its id and the statements it ran so far. */
const statementScope = new AsyncLocalStorage<RequestScope>();

export interface RequestScope {
  statements: number;
  requestId?: string;
  /** The GraphQL operation name once Apollo resolved it, for the access log. */
  operation?: string;
}

/**
 * Runs `fn` with a fresh per-request statement counter and the request id, so code far from
 * the request (formatError, the pg error listener) can name the request it belongs to.
 */
export function withStatementCount<T>(fn: () => T, requestId?: string): T {
  return statementScope.run({ statements: 0, requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return statementScope.getStore()?.requestId;
}

export function currentRequestScope(): RequestScope | undefined {
  return statementScope.getStore();
}

/**
 * Runs `fn` in a request's scope captured earlier (work done for a request from another
 * request's async context: its statements count for the request it serves).
 * Usage: `const scope = currentRequestScope(); ...; inRequestScope(scope, () => write())`
 */
export function inRequestScope<T>(scope: RequestScope | undefined, fn: () => T): T {
  return scope ? statementScope.run(scope, fn) : fn();
}
