import { Client, type ClientConfig, type Notification } from 'pg';
import type { Logger } from '../logger';
import type { EventType } from './event-types';

/** The channel the outbox trigger NOTIFYs, with "<min seq>:<max seq>:<transaction id>:<webhook deliveries queued>". */
export const EVENTS_CHANNEL = 'crm_events';

/** An outbox row as listeners see it. */
export interface StoredEvent {
  seq: string;
  id: string;
  type: EventType;
  customerId: string | null;
  data: Record<string, any>;
  occurredAt: Date;
  /** When this process read it (commit-to-receipt latency in the bench starts near here). */
  receivedAt: number;
  /**
   * The same object for every event read back by one statement: the live server gives the
   * payload reads of one batch the same loaders, so a batch costs one statement per kind of
   * read, not one per event (src/events/live-server.ts).
   */
  batch: object;
}

export type EventListener = (events: StoredEvent[]) => void;

/**
 * Brings committed outbox events to this process: one connection LISTENs on crm_events (the
 * trigger's NOTIFY is delivered by PostgreSQL only when the writing transaction commits, to
 * every listening process, in commit order); each notification names one transaction's rows,
 * read in one statement per batch of notifications, then handed to every listener in order.
 * A lost connection is re-opened; events committed while it was down are not replayed here
 * (live subscriptions are "from now on"; webhooks are the at-least-once channel).
 */
export class EventBus {
  private client: Client | null = null;
  private readonly listeners = new Set<EventListener>();
  /** Listeners told only that something committed (the webhook worker reads its own queue). */
  private readonly wakers = new Set<() => void>();
  private pending: { lo: string; hi: string; tx: string; queued: boolean }[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Notifications received, read-back statements run, events read (/metrics: reads stay far below notifications under load). */
  readonly stats = { notifications: 0, reads: 0, events: 0 };

  constructor(private readonly config: ClientConfig, private readonly logger: Logger) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  /** Usage: `const off = bus.listen((events) => ...)`; call `off()` to stop. */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called after each batch of commits that queued webhook deliveries, without the rows: a
   * process with no live subscription reads no event back (a bulk call's 1,000 rows would
   * cost more than writing them), and a commit that queued no delivery wakes no worker.
   * Usage: `const off = bus.onCommit(() => worker.wake())`.
   */
  onCommit(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await this.draining?.catch(() => undefined);
    await client?.end().catch(() => undefined);
    this.listeners.clear();
    this.wakers.clear();
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.config, application_name: 'social-crm events' } as ClientConfig);
    client.on('notification', (n) => this.onNotification(n));
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'event listener connection failed; reconnecting');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.client = client;
  }

  private reconnect(client: Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    const retry = () => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.connect().catch((error) => {
        this.logger.warn({ err: error }, 'event listener could not reconnect; retrying');
        this.retryTimer = setTimeout(retry, 1000);
      });
    };
    this.retryTimer = setTimeout(retry, 200);
  }

  private onNotification(n: Notification): void {
    if (n.channel !== EVENTS_CHANNEL || !n.payload) return;
    const [lo, hi, tx, queued] = n.payload.split(':');
    if (!/^\d+$/.test(lo) || !/^\d+$/.test(hi) || !/^\d+$/.test(tx)) return;
    this.stats.notifications++;
    // No count (a database before migration OutboxNotifyQueued): a delivery may have been queued.
    this.pending.push({ lo, hi, tx, queued: queued !== '0' });
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Reads every pending notification's rows in one statement, in notification (commit) order. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 && this.client) {
      const batch = this.pending.splice(0, 500);
      for (const wake of batch.some((b) => b.queued) ? this.wakers : []) {
        try {
          wake();
        } catch (error) {
          this.logger.error({ err: error }, 'event waker failed');
        }
      }
      if (this.listeners.size === 0) continue;
      let events: StoredEvent[];
      try {
        const { rows } = await this.client.query(
          `SELECT e.seq::text AS seq, e.id, e.type, e.customer_id AS "customerId", e.data, e.occurred_at AS "occurredAt"
             FROM unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY AS n(lo, hi, tx, k)
             JOIN outbox_events e ON e.seq BETWEEN n.lo AND n.hi AND e.tx = n.tx::xid8
            ORDER BY n.k, e.seq`,
          [batch.map((b) => b.lo), batch.map((b) => b.hi), batch.map((b) => b.tx)],
        );
        const receivedAt = Date.now();
        const scope = {};
        this.stats.reads++;
        this.stats.events += rows.length;
        events = rows.map((r) => ({ ...r, receivedAt, batch: scope }));
      } catch (error) {
        if (!this.stopped) this.logger.warn({ err: error }, 'could not read published events');
        continue;
      }
      for (const listener of this.listeners) {
        try {
          listener(events);
        } catch (error) {
          this.logger.error({ err: error }, 'event listener failed');
        }
      }
    }
  }
}
