import type { RequestHandler, Response } from 'express';
import type { TokenVerifier, Viewer } from '../auth';
import type { Metrics } from './metrics';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The viewer that `bearerFirst` verified for this request; undefined before it ran (or for a GET). */
export function verifiedViewer(res: Response): Viewer | undefined {
  return res.locals.viewer as Viewer | undefined;
}

/**
 * A POST to /graphql is refused with 401 UNAUTHENTICATED before its body is read unless its
 * bearer token verifies, so a client without a valid token cannot make us read and parse a body
 * up to the 2 MB bulk limit, nor parse, validate or cache its document on a fast path (Apollo
 * itself builds the context, which verifies the token, before it parses). The answer is
 * Apollo's for the same token (buildContext's message; Apollo prefixes a context failure).
 * The viewer is kept for the fast paths; buildContext verifies again (a cache hit).
 * Usage: `app.use('/graphql', bearerFirst(verifyToken, metrics), express.json(...), ...)`
 */
export function bearerFirst(verifyToken: TokenVerifier, metrics: Metrics): RequestHandler {
  const refuse = (res: Response, message: string) => {
    metrics.errors.inc({ code: 'UNAUTHENTICATED' });
    res
      .status(401)
      .setHeader('www-authenticate', 'Bearer')
      .json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED', requestId: res.locals.requestId } }] });
  };
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return refuse(res, 'a bearer token is required (Authorization: Bearer <JWT>)');
    verifyToken(token).then(
      (viewer) => {
        res.locals.viewer = viewer;
        next();
      },
      (error: unknown) => refuse(res, `Context creation failed: invalid token: ${error instanceof Error ? error.message : 'rejected'}`),
    );
  };
}
