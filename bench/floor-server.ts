import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { isUuid } from '../src/db/batch';

/**
 * The floor for the customer-360 benchmark: the same data as the GraphQL query, answered by
 * one hand-written SQL statement over `pg`, with no framework, auth or GraphQL in between.
 * Nothing real can be faster, so the service's distance to it is what the framework costs.
 * Usage: `DATABASE_URL=postgres://... PORT=4101 node dist/bench/floor-server.js`,
 * then `POST /` with `{"customerId":"<uuid>"}`, or `POST /queue` for the top 50 of the care queue.
 */

/** One statement: the customer, its identities, its 20 latest interactions and its latest overall influence with the trend. */
const CUSTOMER_360_SQL = `
SELECT json_build_object(
  'id', c.id,
  'displayName', c.display_name,
  'tier', c.tier,
  'socialIdentities', COALESCE((
    SELECT json_agg(json_build_object('platform', s.platform, 'handle', s.handle, 'followerCount', s.follower_count)
                    ORDER BY s.platform, s.handle)
    FROM social_identities s WHERE s.customer_id = c.id), '[]'::json),
  'interactions', COALESCE((
    SELECT json_agg(json_build_object('id', i.id, 'channel', i.channel, 'direction', i.direction, 'occurredAt', i.occurred_at,
                                      'content', i.content, 'category', i.category, 'sentiment', i.sentiment)
                    ORDER BY i.occurred_at DESC, i.id DESC)
    FROM (SELECT * FROM interactions WHERE customer_id = c.id ORDER BY occurred_at DESC, id DESC LIMIT 20) i), '[]'::json),
  'influence', (
    SELECT json_build_object('score', latest.score, 'measuredAt', latest.measured_at, 'trend', latest.score - latest.previous)
    FROM (SELECT score, measured_at, lead(score) OVER (ORDER BY measured_at DESC, id DESC) AS previous
          FROM influence_scores
          WHERE customer_id = c.id AND topic IS NULL AND platform IS NULL
          ORDER BY measured_at DESC, id DESC LIMIT 2) latest
    ORDER BY latest.measured_at DESC LIMIT 1)
) AS customer
FROM customers c
WHERE c.id = $1`;


/**
 * The queue floor: the top 50 of the care queue (open inbound actionable items, not snoozed,
 * not kept out by a do-not-engage rule, not grouped behind an incident: the membership of
 * src/care/desk/queue-membership.ts, by the indexed virtual deadline) with each item's customer, its identities, its 5 latest interactions and its
 * latest overall influence, in one statement.
 */
const QUEUE_SQL = `
SELECT coalesce(json_agg(item ORDER BY ord), '[]'::json) AS items FROM (
  SELECT q.ord, json_build_object(
    'queueKey', q.queue_key,
    'interaction', json_build_object('id', q.id, 'channel', q.channel, 'content', q.content, 'occurredAt', q.occurred_at,
      'customer', json_build_object('id', c.id, 'displayName', c.display_name, 'tier', c.tier,
        'socialIdentities', COALESCE((
          SELECT json_agg(json_build_object('platform', s.platform, 'handle', s.handle, 'followerCount', s.follower_count) ORDER BY s.captured_at, s.id)
          FROM social_identities s WHERE s.customer_id = c.id), '[]'::json),
        'interactions', COALESCE((
          SELECT json_agg(json_build_object('id', i.id, 'channel', i.channel, 'occurredAt', i.occurred_at, 'content', i.content)
                          ORDER BY i.occurred_at DESC, i.id DESC)
          FROM (SELECT * FROM interactions WHERE customer_id = c.id ORDER BY occurred_at DESC, id DESC LIMIT 5) i), '[]'::json),
        'influence', (
          SELECT json_build_object('score', x.score, 'measuredAt', x.measured_at) FROM influence_scores x
           WHERE x.customer_id = c.id AND x.topic IS NULL AND x.platform IS NULL ORDER BY x.measured_at DESC, x.id DESC LIMIT 1)))
  ) AS item
  FROM (SELECT i.*, row_number() OVER (ORDER BY i.queue_key, i.id) AS ord FROM interactions i
         WHERE i.status = 'OPEN' AND i.direction = 'INBOUND' AND i.actionable AND i.do_not_engage_rule_id IS NULL
           AND i.grouped_incident_id IS NULL AND (i.snoozed_until IS NULL OR i.snoozed_until <= now())
         ORDER BY i.queue_key, i.id LIMIT 50) q
  JOIN customers c ON c.id = q.customer_id
) t`;

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 4101);
// Same pool size as the service's default (DB_POOL_SIZE=20), so only the request path differs.
const pool = new Pool({ connectionString: databaseUrl, max: Number(process.env.DB_POOL_SIZE ?? 20), application_name: 'social-crm-floor' });
/** Read by the benchmark like the service's /metrics, to report statements per request. */
let requestsTotal = 0;
let statementsTotal = 0;

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function customer360(req: IncomingMessage, res: ServerResponse): Promise<void> {
  requestsTotal++;
  let customerId: unknown;
  try {
    customerId = (JSON.parse(await readBody(req)) as { customerId?: unknown }).customerId;
  } catch {
    return send(res, 400, '{"error":"body must be JSON"}');
  }
  if (typeof customerId !== 'string' || !isUuid(customerId)) return send(res, 400, '{"error":"customerId must be a UUID"}');
  statementsTotal++;
  // Named: prepared once per connection, like a well-tuned hand-written path would be.
  const { rows } = await pool.query<{ customer: unknown }>({ name: 'customer-360', text: CUSTOMER_360_SQL, values: [customerId] });
  if (rows.length === 0) return send(res, 404, '{"error":"no such customer"}');
  send(res, 200, JSON.stringify({ customer: rows[0].customer }));
}

async function queue(req: IncomingMessage, res: ServerResponse): Promise<void> {
  requestsTotal++;
  await readBody(req);
  statementsTotal++;
  const { rows } = await pool.query<{ items: unknown }>({ name: 'care-queue-50', text: QUEUE_SQL });
  send(res, 200, JSON.stringify({ careQueue: rows[0].items }));
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/queue') {
    queue(req, res).catch((error: unknown) => {
      process.stderr.write(`floor: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) send(res, 500, '{"error":"internal"}');
    });
  } else if (req.method === 'POST') {
    customer360(req, res).catch((error: unknown) => {
      process.stderr.write(`floor: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) send(res, 500, '{"error":"internal"}');
    });
  } else if (req.url === '/readyz') {
    send(res, 200, '{"status":"ok"}');
  } else if (req.url === '/metrics') {
    send(res, 200, `floor_requests_total ${requestsTotal}\nfloor_sql_statements_total ${statementsTotal}\n`, 'text/plain');
  } else {
    send(res, 404, '{"error":"POST a {\\"customerId\\"}"}');
  }
});

server.listen(port, '127.0.0.1');
const stop = (): void => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
