import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';

/**
 * PostGraphile 5 over the bench's database, for the customer-360 comparison (docs/benchmarks.md):
 * the Amber preset as shipped (relations from the foreign keys, no plugin of ours), grafserv on
 * node http, a pool as large as the service's (DB_POOL_SIZE, default 20). Nothing in the
 * database is changed for it. `/readyz` and `/metrics` (requests and SQL statements, counted at
 * the pool's clients) answer like the floor's, so the bench reads all three targets alike.
 * Usage: `DATABASE_URL=postgres://... PORT=4102 node dist/bench/postgraphile-server.js`, then
 * POST GraphQL to `/graphql`.
 */

// PostGraphile 5 asks for Node 22; of Node 22 it uses Promise.withResolvers (per request), which Node 20 lacks.
// This process only: the service runs without it.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 4102);
const pool = new Pool({ connectionString: databaseUrl, max: Number(process.env.DB_POOL_SIZE ?? 20), application_name: 'social-crm-postgraphile' });
let requestsTotal = 0;
let statementsTotal = 0;
// Every statement PostGraphile sends goes through a pooled client's query (pool.query included).
pool.on('connect', (client) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statementsTotal++;
    return query(...args);
  };
});

/**
 * Amber offers `condition` and `orderBy` only on indexed columns. The customer 360 reads the
 * overall influence (topic and platform NULL) among a customer's scores, and identities in
 * capture order: these smart tags (configuration, not comments in our database) open those
 * columns, whose rows are reached through the customer_id indexes anyway.
 */
const SmartTags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      influence_scores: { attribute: { topic: { tags: { isIndexed: true } }, platform: { tags: { isIndexed: true } } } },
      social_identities: { attribute: { captured_at: { tags: { isIndexed: true } } } },
    },
  },
});

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [SmartTags],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { port, graphiql: false, watch: false },
  grafast: { explain: false },
};

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function main(): Promise<void> {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  // Built before /readyz answers: the first request must not pay for the introspection.
  await pgl.getSchema();
  const graphql = serv.createHandler();
  const server = createServer((req, res) => {
    if (req.url === '/readyz') return send(res, 200, '{"status":"ok"}');
    if (req.url === '/metrics') return send(res, 200, `postgraphile_requests_total ${requestsTotal}\npostgraphile_sql_statements_total ${statementsTotal}\n`, 'text/plain');
    if (req.method === 'POST') requestsTotal++;
    graphql(req, res);
  });
  server.listen(port, '127.0.0.1');
  const stop = (): void => {
    server.close();
    void Promise.resolve(pgl.release()).finally(() => pool.end().finally(() => process.exit(0)));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`postgraphile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
