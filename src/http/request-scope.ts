import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { currentRequestScope, withStatementCount } from '../common';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * A response as the request scope, the bearer check and the fast paths use it: Node's own, with
 * Express's `locals` (the plain edge, fast-paths/http-edge.ts, creates them; Express keeps them).
 */
export type ScopedResponse = ServerResponse & { locals: Record<string, unknown> };

/** A caller's request id is kept when it is short and plain (it ends up in logs); otherwise we make one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (x-request-id in and out, `extensions.requestId` in errors), a
 * statement counter, and one structured access-log line when the response is finished.
 * Plain Node objects (no Express): the plain edge opens the scope before Express runs; Express's
 * turn then finds it open (`locals.requestId`) and goes on inside it, so a request has one id and
 * one log line whichever path answers it.
 * Usage: `app.use('/graphql', requestScope(logger, metrics), ...)`
 */
export function requestScope(logger: Logger, metrics: Metrics): (req: IncomingMessage, res: ScopedResponse, next: () => void) => void {
  return (req, res, next) => {
    if (res.locals.requestId !== undefined) return next();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    const started = process.hrtime.bigint();
    withStatementCount(() => {
      const scope = currentRequestScope();
      // Read back when the response is finished by code outside this scope (the request's trace span).
      res.locals.scope = scope;
      res.on('finish', () => {
        metrics.responses.inc({ status: String(res.statusCode) });
        logger.info(
          {
            requestId,
            method: req.method,
            status: res.statusCode,
            operation: scope?.operation,
            statements: scope?.statements,
            ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
          },
          'graphql request',
        );
      });
      next();
    }, requestId);
  };
}
