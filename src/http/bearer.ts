import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { TokenVerifier, Viewer } from '../auth';
import type { Metrics } from './metrics';
import type { ScopedResponse } from './request-scope';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The viewer that `bearerFirst` (or the plain edge, through `verifyBearer`) verified for this request; undefined before it ran (or for a GET). */
export function verifiedViewer(res: Pick<ScopedResponse, 'locals'>): Viewer | undefined {
  return res.locals.viewer as Viewer | undefined;
}

/**
 * Verifies the request's bearer token and keeps its viewer for what follows (the fast paths,
 * and `bearerFirst`, which then does not verify again). Plain Node objects: the plain edge
 * (fast-paths/http-edge.ts) calls it before Express. null: no token, or one that does not verify.
 */
export async function verifyBearer(req: IncomingMessage, res: ScopedResponse, verifyToken: TokenVerifier): Promise<Viewer | null> {
  const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return null;
  try {
    const viewer = await verifyToken(token);
    res.locals.viewer = viewer;
    return viewer;
  } catch {
    return null;
  }
}

/**
 * A POST to /graphql is refused with 401 UNAUTHENTICATED before its body is read unless its
 * bearer token verifies, so a client without a valid token cannot make us read and parse a body
 * up to the 2 MB bulk limit, nor parse, validate or cache its document on a fast path (Apollo
 * itself builds the context, which verifies the token, before it parses). The answer is
 * Apollo's for the same token (buildContext's message; Apollo prefixes a context failure).
 * The viewer is kept for the fast paths; buildContext verifies again (a cache hit). A request
 * the plain edge verified goes on at once (the edge reads no body without a viewer).
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
    if (req.method !== 'POST' || verifiedViewer(res)) return next();
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
