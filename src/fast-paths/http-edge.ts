import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenVerifier } from '../auth';
import type { Limits } from '../graphql';
import { verifyBearer, type ScopedResponse } from '../http';
import { offerToFastPath, type FastPath } from './fast-path.middleware';

// The plain edge: Node's 'request' listener in front of Express. A read the response fast path
// covers costs the same SQL either way; what Express adds around it (router, request and response
// prototypes, body-parser's content-type, charset and stream machinery) was a fifth of the
// service's CPU per customer(id) at the bench (docs/benchmarks.md). The edge runs the same
// functions in the same order as Express's /graphql route (CORS, request scope, bearer before
// the body), reads a small JSON body itself and offers it to the fast path; whatever it does not
// answer goes to Express with the body parsed and the scope open, and Express's turn of each
// step sees it done (requestScope: locals.requestId, bearerFirst: locals.viewer,
// fastPathMiddleware: locals.offered, parsedBody: the request already read).

type Step = (req: IncomingMessage, res: ScopedResponse, next: () => void) => void;

export interface HttpEdgeDeps {
  /** The CORS handler of /graphql (http/cors.ts): the edge takes POSTs only, the preflight stays Express's. */
  cors: Step;
  /** The request scope of /graphql (http/request-scope.ts). */
  scope: Step;
  verifyToken: TokenVerifier;
  limits: Limits;
  path: FastPath;
  /** With trusted documents: their rule (graphql/trusted-documents.ts), applied to the body before the fast path; null: go on, else its refusal (Express answers it). */
  trusted?: (body: unknown) => string | null;
  /** The Express application: every request the edge does not answer. */
  express: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The bodies body-parser's `express.json()` reads as UTF-8 JSON; any other goes to Express untouched. */
const JSON_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
/** body-parser's strict mode: a JSON body is an object or an array. */
const FIRST_CHAR = /^[\x20\x09\x0a\x0d]*(.)/;

/** An error as body-parser raises it: app.ts's jsonErrors answers it (400, 'request body is not valid JSON'). */
function bodyError(message: string, type: string): Error {
  return Object.assign(new SyntaxError(message), { status: 400, statusCode: 400, expose: true, type });
}

/** The whole body (its length is known and small), or the error body-parser would raise. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone mid-body: body-parser's error (nobody is left to read it); never an unhandled 'error'.
    const aborted = () => resolve(bodyError('request aborted', 'request.aborted'));
    req.on('aborted', aborted);
    req.on('error', aborted);
    req.on('end', () => {
      // As body-parser's decoder (iconv-lite): a byte-order mark is not part of the text.
      let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const first = FIRST_CHAR.exec(text)?.[1];
      if (first !== '{' && first !== '[') return resolve(bodyError('request body is not a JSON object or array', 'entity.parse.failed'));
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        resolve(bodyError(error instanceof Error ? error.message : 'invalid JSON', 'entity.parse.failed'));
      }
    });
  });
}

/**
 * The 'request' listener of the HTTP server: a POST to /graphql with a UTF-8 JSON body of a
 * known length within the fast-path limit goes through CORS, the request scope and the bearer
 * check, and is offered to the fast path; everything else goes to Express as it came.
 * Usage: `server.on('request', httpEdge({ cors, scope, verifyToken, limits, path, express: app }))`
 */
export function httpEdge(deps: HttpEdgeDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { limits, path, verifyToken } = deps;
  return (req, plain) => {
    const length = Number(req.headers['content-length']);
    if (
      req.method !== 'POST' || req.url !== '/graphql' || !(length > 0 && length <= limits.maxBodyBytes) ||
      req.headers['content-encoding'] !== undefined || !JSON_TYPE.test(req.headers['content-type'] ?? '')
    ) {
      return deps.express(req, plain);
    }
    const res = plain as ScopedResponse;
    res.locals = Object.create(null) as Record<string, unknown>;
    const toExpress = (error?: unknown) => {
      if (error !== undefined) res.locals.edgeError = error;
      deps.express(req, res);
    };
    deps.cors(req, res, () =>
      deps.scope(req, res, () => {
        // Before the body: without a viewer Express's bearerFirst answers the 401, the body unread.
        void verifyBearer(req, res, verifyToken).then(async (viewer) => {
          if (!viewer) return toExpress();
          const body = await readJson(req);
          if (body instanceof Error) return toExpress(body);
          (req as IncomingMessage & { body?: unknown }).body = body;
          if (deps.trusted && deps.trusted(body) !== null) return toExpress();
          res.locals.bodyBytes = length;
          res.locals.offered = path;
          offerToFastPath(req, res, body, length, limits, verifyToken, path, toExpress);
        }, (error: unknown) => {
          if (!res.headersSent) toExpress(error);
        });
      }),
    );
  };
}
