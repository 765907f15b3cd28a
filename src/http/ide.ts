import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request } from 'express';
import { IDE_SCRIPT, IDE_STYLE } from './ide.assets';

/**
 * GraphiQL served by the service itself, from the packages npm installed (GraphiQL 3's prebuilt
 * UMD bundle, React 18's UMD builds, graphql-ws's browser build): no CDN, no web fonts from
 * outside (GraphiQL's stylesheet embeds its fonts), so it works on a machine without internet.
 * A token field above it fills `Authorization` for HTTP and `connection_init` for the WebSocket.
 */
const PACKAGE_FILES: Record<string, [pkg: string, file: string, type: string]> = {
  'graphiql.min.js': ['graphiql', 'graphiql.min.js', 'text/javascript'],
  'graphiql.min.css': ['graphiql', 'graphiql.min.css', 'text/css'],
  'react.production.min.js': ['react', 'umd/react.production.min.js', 'text/javascript'],
  'react-dom.production.min.js': ['react-dom', 'umd/react-dom.production.min.js', 'text/javascript'],
  'graphql-ws.min.js': ['graphql-ws', 'umd/graphql-ws.min.js', 'text/javascript'],
};

function packageFile(pkg: string, file: string): string {
  // Through package.json: the packages' export maps do not list their browser builds.
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>social-crm GraphiQL</title>
<link rel="stylesheet" href="/graphql/ide/graphiql.min.css">
<link rel="stylesheet" href="/graphql/ide/ide.css">
</head>
<body>
<form id="token-bar" autocomplete="off">
  <label for="token">Bearer token</label>
  <input id="token" name="token" type="password" spellcheck="false" placeholder="paste a JWT (npm run token -- --role agent)">
  <span id="token-state"></span>
</form>
<div id="graphiql">Loading GraphiQL...</div>
<script src="/graphql/ide/react.production.min.js"></script>
<script src="/graphql/ide/react-dom.production.min.js"></script>
<script src="/graphql/ide/graphql-ws.min.js"></script>
<script src="/graphql/ide/graphiql.min.js"></script>
<script src="/graphql/ide/ide.js"></script>
</body>
</html>
`;

/**
 * Only the service's own origin: scripts, styles (GraphiQL sets inline styles), fonts (embedded as
 * data: URIs), fetch and the WebSocket. A page that tried a CDN would be blocked, not slow.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
].join('; ');

/** A browser asking for a page; API clients send `application/json` or `*\/*`. */
function wantsHtml(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html' && !req.query.query;
}

/**
 * The IDE at `GET /graphql` (Accept: text/html) and its files under `/graphql/ide/`.
 * Usage: `app.use('/graphql', ideRouter())` before Apollo.
 */
export function ideRouter(): Router {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [name, [pkg, file, type]] of Object.entries(PACKAGE_FILES)) files.set(name, { body: readFileSync(packageFile(pkg, file)), type });
  files.set('ide.js', { body: Buffer.from(IDE_SCRIPT), type: 'text/javascript' });
  files.set('ide.css', { body: Buffer.from(IDE_STYLE), type: 'text/css' });
  const router = Router();
  router.get('/', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    res.setHeader('content-security-policy', CSP);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(PAGE);
  });
  router.get('/ide/:file', (req, res, next) => {
    const found = files.get(req.params.file);
    if (!found) return next();
    res.setHeader('cache-control', 'public, max-age=3600');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(found.type).send(found.body);
  });
  return router;
}
