import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Queryable } from '../audit';
import type { TokenVerifier, Viewer } from '../auth';
import { ConsentPurpose, DomainError, type ErrorCode } from '../graphql';
import type { Logger } from '../logger';
import { exportSegmentFor } from './segment-export';
import { parseSegmentFilter } from './segment-filter';

const STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 };

export interface SegmentExportHttpDeps {
  verifyToken: TokenVerifier;
  /** Where the audit entry is written (the primary). */
  audit: Queryable;
  /** The pool the export reads, per request (a usable replica, else the primary). */
  source: () => Pool;
  logger: Logger;
  /** Audits a refusal (ACCESS_DENIED), as @Authorized does for GraphQL. */
  recordDenied: (viewer: Viewer, reason: string) => Promise<void>;
}

/**
 * `GET /segments/export?filter=<json>&purpose=MARKETING` with `Authorization: Bearer <JWT>`:
 * the whole segment as NDJSON, one member per line (the `segment` query's members, in no
 * order), streamed from one snapshot with flat memory. `x-total-count` says how many lines
 * follow. Anything refused before the first byte answers JSON `{ errors: [{ extensions: { code } }] }`
 * with the status of its code; a failure after it cuts the response short (fewer lines than
 * `x-total-count`).
 */
export function segmentExportHandler(deps: SegmentExportHttpDeps): RequestHandler {
  return async (req, res) => {
    let viewer: Viewer | undefined;
    try {
      viewer = await viewerOf(deps.verifyToken, req.headers.authorization);
      const filter = parseSegmentFilter(queryText(req.query.filter, 'filter') ?? '{}');
      const purpose = (queryText(req.query.purpose, 'purpose') ?? ConsentPurpose.MARKETING) as ConsentPurpose;
      await exportSegmentFor(deps.source(), res, {
        viewer,
        via: 'http',
        audit: deps.audit,
        filter,
        purpose,
        onStart: (total) => {
          res.status(200).setHeader('content-type', 'application/x-ndjson; charset=utf-8');
          res.setHeader('x-total-count', String(total));
          res.setHeader('cache-control', 'no-store');
          res.flushHeaders();
        },
      });
      res.end();
    } catch (error) {
      if (res.headersSent) {
        deps.logger.warn({ err: error, requestId: res.locals.requestId }, 'segment export cut short');
        res.destroy();
        return;
      }
      const known = error instanceof DomainError ? error : null;
      if (!known) deps.logger.error({ err: error, requestId: res.locals.requestId }, 'segment export failed');
      if (known?.code === 'FORBIDDEN' && viewer) await deps.recordDenied(viewer, known.message);
      const code: ErrorCode | 'INTERNAL_SERVER_ERROR' = known?.code ?? 'INTERNAL_SERVER_ERROR';
      res.status(known ? STATUS[known.code] ?? 400 : 500).json({
        errors: [{
          message: known?.message ?? 'Internal server error',
          extensions: { code, ...(known?.details ?? {}), requestId: res.locals.requestId },
        }],
      });
    }
  };
}

async function viewerOf(verifyToken: TokenVerifier, header: string | undefined): Promise<Viewer> {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <JWT>)');
  try {
    return await verifyToken(match[1]);
  } catch (error) {
    throw new DomainError('UNAUTHENTICATED', `invalid token: ${error instanceof Error ? error.message : 'rejected'}`);
  }
}

/** One query-string value as text (a repeated parameter is refused rather than guessed at). */
function queryText(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DomainError('BAD_USER_INPUT', `${field} must be given once, as text`, { field });
  return value;
}
