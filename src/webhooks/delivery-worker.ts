import http from 'node:http';
import https from 'node:https';
import type { Pool, PoolClient } from 'pg';
import type { ConsentPurpose } from '../graphql';
import type { Logger } from '../logger';
import { grantsAt, webhookData } from './webhook-payload';
import { guardedLookup } from './webhook-url';
import type { SecretBox } from './webhook-secrets';
import {
  DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_ID_HEADER, sign,
} from './webhook-signature';

export interface WorkerOptions {
  /** Deliveries in flight at once in this process (each holds one pooled connection while it is sent). */
  concurrency: number;
  /** How often an idle worker looks for due deliveries (it is also woken by new events). */
  pollMs: number;
  /** A receiver that has not answered by then counts as failed (and is retried). */
  timeoutMs: number;
  /** Retries stop this long after the delivery was created. */
  maxAgeMs: number;
  /** First retry delay; each retry doubles it, up to maxBackoffMs, with jitter (50-100 %). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  allowPrivate: boolean;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 4,
  pollMs: 1000,
  timeoutMs: 10_000,
  maxAgeMs: 24 * 3600_000,
  baseBackoffMs: 5_000,
  maxBackoffMs: 3600_000,
  allowPrivate: false,
};

/** What one attempt came to. */
export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs?: number }
  | { kind: 'stop'; status: number; error: string };

/** The rule for a response status: 2xx delivered; 408, 429 and 5xx retried; anything else stops. */
export function outcomeOf(status: number, retryAfter: string | undefined, now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', status, error: `HTTP ${status}`, retryAfterMs: status === 429 ? retryAfterMs(retryAfter, now) : undefined };
  }
  return { kind: 'stop', status, error: `HTTP ${status}: not retried (only network errors, timeouts, 408, 429 and 5xx are)` };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: attempt 1 waits 50-100 % of base, each next one twice as long, capped. */
export function backoffMs(attempts: number, options: Pick<WorkerOptions, 'baseBackoffMs' | 'maxBackoffMs'>, random = Math.random): number {
  const raw = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.5 + random() * 0.5));
}

interface Claimed {
  id: string;
  webhook_id: string;
  attempts: number;
  age_ms: number;
  url: string;
  secret_ciphertext: string;
  purpose: ConsentPurpose | null;
  event_id: string;
  type: string;
  customer_id: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

// The oldest due delivery whose webhook has no earlier pending delivery for the same customer
// (order per customer), locked for this transaction; SKIP LOCKED lets every process and
// every loop of each take a different one.
const CLAIM = `
  SELECT d.id, d.webhook_id, d.attempts, (extract(epoch FROM now() - d.created_at) * 1000)::float8 AS age_ms,
         w.url, w.secret_ciphertext, w.purpose, e.id AS event_id, e.type, e.customer_id, e.occurred_at, e.data
    FROM webhook_deliveries d
    JOIN webhooks w ON w.id = d.webhook_id
    JOIN outbox_events e ON e.seq = d.event_seq
   WHERE d.state = 'PENDING' AND d.next_attempt_at <= now()
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                      WHERE p.webhook_id = d.webhook_id AND p.ordering_key = d.ordering_key
                        AND p.state = 'PENDING' AND p.event_seq < d.event_seq)
   ORDER BY d.event_seq
   LIMIT 1
   FOR UPDATE OF d SKIP LOCKED`;

/**
 * Delivers webhook events at least once. Each loop: BEGIN, lock one due delivery, POST it,
 * record the outcome, COMMIT. The row stays locked while it is sent, so a crash (the
 * connection drops, the transaction rolls back) leaves it pending for any process, and a
 * delivery is marked DELIVERED in the same transaction that held it: an acknowledged event is
 * never sent again, except when the process dies between the receiver's 2xx and our COMMIT
 * (receivers deduplicate on the event id).
 */
export class WebhookWorker {
  private readonly options: WorkerOptions;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wakers: (() => void)[] = [];
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly pool: Pool,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
    options: Partial<WorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...options };
  }

  start(): void {
    if (this.loops.length > 0) return;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  /** New events were committed: look now rather than at the next poll. */
  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Stops taking deliveries and aborts those in flight (they stay pending: another process or the next start sends them). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of this.inFlight) c.abort();
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        worked = await this.deliverOne();
      } catch (error) {
        if (!this.stopping) this.logger.warn({ err: error }, 'webhook worker: could not deliver');
      }
      if (!worked && !this.stopping) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  /** One delivery attempt; false when nothing was due. */
  async deliverOne(): Promise<boolean> {
    const client = await this.pool.connect();
    let open = false;
    try {
      await client.query('BEGIN');
      open = true;
      const { rows } = await client.query<Claimed>(CLAIM);
      const claimed = rows[0];
      if (!claimed) {
        await client.query('COMMIT');
        open = false;
        return false;
      }
      // Consent is read now, in the transaction that holds the delivery: a retry re-reads it.
      const event = { type: claimed.type, customerId: claimed.customer_id, data: claimed.data };
      const data = webhookData(event, claimed.purpose, await grantsAt(client, event, claimed.purpose));
      const outcome = await this.attempt(claimed, data);
      if (this.stopping && outcome.kind === 'retry' && outcome.error === 'aborted') {
        await client.query('ROLLBACK'); // shutting down: not an attempt that counts
        open = false;
        return true;
      }
      await this.record(client, claimed, outcome);
      await client.query('COMMIT');
      open = false;
      return true;
    } catch (error) {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async record(client: PoolClient, d: Claimed, outcome: Outcome): Promise<void> {
    const attempts = d.attempts + 1;
    if (outcome.kind === 'delivered') {
      await client.query(
        `UPDATE webhook_deliveries SET state = 'DELIVERED', attempts = $2, last_status = $3, last_error = NULL, delivered_at = now() WHERE id = $1`,
        [d.id, attempts, outcome.status],
      );
      return;
    }
    const delay = outcome.kind === 'retry' ? outcome.retryAfterMs ?? backoffMs(attempts, this.options) : 0;
    const giveUp = outcome.kind === 'stop' || d.age_ms + delay > this.options.maxAgeMs;
    const error = outcome.kind === 'retry' && giveUp ? `${outcome.error}; gave up after ${attempts} attempts` : outcome.error;
    await client.query(
      `UPDATE webhook_deliveries SET state = $2, attempts = $3, last_status = $4, last_error = $5,
              next_attempt_at = now() + $6 * interval '1 millisecond' WHERE id = $1`,
      [d.id, giveUp ? 'FAILED' : 'PENDING', attempts, outcome.status, error.slice(0, 500), delay],
    );
    if (giveUp) this.logger.warn({ deliveryId: d.id, webhookId: d.webhook_id, attempts, error }, 'webhook delivery given up');
  }

  /** Signs and POSTs the event with `data` (the payload as this webhook may see it); never throws. */
  private attempt(d: Claimed, data: Record<string, unknown>): Promise<Outcome> {
    const body = JSON.stringify({ id: d.event_id, type: d.type, occurredAt: new Date(d.occurred_at).toISOString(), data });
    let secret: string;
    try {
      secret = this.secrets.open(d.secret_ciphertext);
    } catch {
      return Promise.resolve({ kind: 'stop', status: 0, error: 'the webhook secret cannot be decrypted with this key (WEBHOOK_SECRET_KEY)' });
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const url = new URL(d.url);
    const controller = new AbortController();
    this.inFlight.add(controller);
    return new Promise<Outcome>((resolve) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        signal: controller.signal,
        timeout: this.options.timeoutMs,
        lookup: guardedLookup(this.options.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'social-crm-webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(secret, timestamp, body),
          [EVENT_ID_HEADER]: d.event_id,
          [EVENT_TYPE_HEADER]: d.type,
          [WEBHOOK_ID_HEADER]: d.webhook_id,
          [DELIVERY_ID_HEADER]: d.id,
        },
      }, (response) => {
        response.resume(); // the body is not needed
        const status = response.statusCode ?? 0;
        const retryAfter = response.headers['retry-after'];
        response.on('end', () => resolve(outcomeOf(status, typeof retryAfter === 'string' ? retryAfter : undefined)));
        response.on('error', () => resolve(outcomeOf(status, typeof retryAfter === 'string' ? retryAfter : undefined)));
      });
      // The whole attempt, not only idle time on the socket, is bounded by timeoutMs.
      const deadline = setTimeout(() => request.destroy(Object.assign(new Error(`no answer in ${this.options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.options.timeoutMs);
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer in ${this.options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const aborted = controller.signal.aborted;
        if (error.code === 'EPRIVATE') return resolve({ kind: 'stop', status: 0, error: error.message });
        resolve({ kind: 'retry', status: null, error: aborted ? 'aborted' : `${error.code ?? 'network error'}: ${error.message}` });
      });
      request.on('close', () => clearTimeout(deadline));
      request.end(body);
    }).finally(() => this.inFlight.delete(controller));
  }
}
