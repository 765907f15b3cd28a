import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** graphql-ws's own browser build, what a front-end bundle would contain. */
const GRAPHQL_WS = readFileSync(path.resolve(__dirname, '../../node_modules/graphql-ws/umd/graphql-ws.min.js'));

/**
 * A front-end app on its own origin: a page with two helpers the test calls, `read360` (fetch with
 * a bearer token) and `subscribe` (graphql-ws in the browser, events collected in `window.events`).
 */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>front-end app</title>
<script src="/graphql-ws.js"></script>
<script>
window.events = []; window.liveErrors = [];
window.read360 = async (api, token, id) => {
  try {
    const res = await fetch(api, { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($id: ID!) { customer(id: $id) { id displayName emails { value } } }', variables: { id } }) });
    return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
  } catch (error) { return { failed: String(error) }; }
};
window.subscribe = (url, token, id) => new Promise((resolve) => {
  const client = graphqlWs.createClient({ url, retryAttempts: 0, connectionParams: { authorization: 'Bearer ' + token },
    on: { connected: () => resolve('connected'), closed: (e) => { window.liveErrors.push('closed ' + e.code); resolve('closed ' + e.code); } } });
  client.subscribe({ query: 'subscription($id: ID!) { customerActivity(customerId: $id) { id content } }', variables: { id } },
    { next: (v) => window.events.push(v), error: (e) => window.liveErrors.push(String(e && e.message || e)), complete: () => {} });
});
</script></head><body>front-end app</body></html>`;

export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the page on 127.0.0.1 at an ephemeral port: another origin than the API's. */
export async function servePage(): Promise<PageServer> {
  const server = http.createServer((req, res) => {
    if (req.url === '/graphql-ws.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(GRAPHQL_WS);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
