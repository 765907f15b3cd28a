import cors from 'cors';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Origins a browser page may call us from: exact origins (`https://crm.example.com`) or an
 * origin with any port (`http://localhost:*`, for dev servers whose port moves).
 */
export type OriginList = readonly string[];

/**
 * The one origin rule of HTTP (CORS) and WebSocket upgrades.
 * Usage: `const allowed = originRule(['http://localhost:*']); allowed('http://localhost:5173') // true`
 */
export function originRule(list: OriginList): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const entry of list) {
    const lower = entry.toLowerCase();
    if (lower.endsWith(':*')) anyPort.add(lower.slice(0, -2));
    else exact.add(lower);
  }
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    const port = /^(.*):\d{1,5}$/.exec(lower);
    // `http://localhost:*` admits the default port too (`http://localhost`).
    return anyPort.has(port ? port[1] : lower);
  };
}

/**
 * May a WebSocket upgrade with this Origin header go on? Browsers always send one; other clients
 * (Node, curl) usually do not, and they are not what the rule protects against. A page served by
 * this service itself (the IDE) is same-origin: its Origin names the Host it connects to.
 */
export function upgradeOriginAllowed(allowed: (origin: string) => boolean, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return true;
  if (host && /^https?:\/\/(.*)$/i.exec(origin)?.[1]?.toLowerCase() === host.toLowerCase()) return true;
  return allowed(origin);
}

/** How long a browser may reuse a preflight answer (seconds; Chromium caps it at 7200). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for /graphql and /graphql/stream, mounted before Apollo: a listed origin's preflight is
 * answered here (204 with the headers for `authorization` and `content-type`), so Apollo's CSRF
 * guard never sees an OPTIONS request. An unlisted origin gets no CORS headers at all (the
 * browser refuses the response), and its preflight ends here too, as 204 without them.
 */
export function corsFor(allowed: (origin: string) => boolean): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: ['x-request-id'],
    maxAge: PREFLIGHT_MAX_AGE_S,
    credentials: false,
  });
  return (req, res, next) => {
    handler(req, res, () => {
      if (req.method === 'OPTIONS') {
        res.statusCode = 204;
        return void res.end();
      }
      next();
    });
  };
}
