import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { currentRequestId } from '../common';
import type { Logger } from '../logger';
import { LimitError } from './limits';

/** The codes a client can cause; anything else is INTERNAL_SERVER_ERROR. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'QUERY_TOO_COMPLEX'
  | 'RATE_LIMITED';

/**
 * A rule of the domain said no. Services throw these; formatError turns them into
 * GraphQL errors with `extensions.code`.
 * Usage: `throw new DomainError('BAD_USER_INPUT', 'email is not an email address', { field: 'email' })`
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', message, { field });

/**
 * `value` trimmed, refused (BAD_USER_INPUT on `field`) when empty or longer than `max`;
 * `because` leads the message where the rule needs saying (e.g. "FAILED needs the error").
 */
export function requiredText(value: string | null | undefined, field: string, max: number, because?: string): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed.length > max) throw badInput(field, `${because ? `${because}: ` : ''}${field} must be 1-${max} characters`);
  return trimmed;
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

/** A GraphQLError for failures outside resolvers (context creation, plugins). */
export function requestError(code: ErrorCode, message: string): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, { extensions: { code, ...(status ? { http: { status } } : {}) } });
}

/** Codes that Apollo and graphql-js assign themselves and that are safe to pass through. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
]);

const TOKEN_LIMIT = /Document contains more th[a-z]+ \d+ tokens/;
const TOO_MANY_VARIABLE_ERRORS = /^Too many errors processing variables/;

/**
 * Apollo's formatError: domain errors keep their code and message; a limit keeps its code
 * even when Apollo wrapped it as a validation error; an unknown error is logged with the
 * request id and answered without internals. Every error carries `extensions.requestId`.
 */
export function createErrorFormatter(logger: Logger, options: { includeStack: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = currentRequestId();
    const withId = (f: GraphQLFormattedError): GraphQLFormattedError =>
      requestId ? { ...f, extensions: { ...f.extensions, requestId } } : f;
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return withId({
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...original.details },
      });
    }
    const limit = original instanceof LimitError ? original : original instanceof GraphQLError && original.originalError instanceof LimitError ? original.originalError : null;
    if (limit) {
      return withId({ message: limit.message, locations: formatted.locations, extensions: { code: limit.extensions.code } });
    }
    const code = formatted.extensions?.code;
    // graphql-js enforces parseOptions.maxTokens while parsing: the one limit Apollo reports as a parse error.
    if (code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT.test(formatted.message)) {
      return withId({ message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: 'QUERY_TOO_COMPLEX' } });
    }
    // graphql-js stops coercing variables at 50 errors and ends with one of its own, which
    // carries no code: it is about the client's variables like the 50 before it.
    if (TOO_MANY_VARIABLE_ERRORS.test(formatted.message)) {
      return withId({ message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } });
    }
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      if (options.includeStack) return withId(formatted);
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return withId({ ...formatted, extensions });
    }
    logger.error({ err: original, path: formatted.path, requestId }, 'unexpected error while answering a request');
    return withId({
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}
