import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit';
import type { Viewer } from '../auth';
import { checkPurposeForRoles } from '../auth';
import { EventType } from '../events';
import { DomainError, badInput, checkId, decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection } from '../graphql';
import { checkWebhookUrl, type UrlPolicy } from './webhook-url';
import { newWebhookSecret, type SecretBox } from './webhook-secrets';
import type { Webhook, WebhookDelivery, WebhookInput } from './webhook.types';

const WEBHOOK_COLUMNS = `id, url, events, purpose, active, created_at AS "createdAt", NULL AS secret`;
const MAX_WEBHOOKS = 100;

/** Registration, listing and removal of webhooks, and their deliveries. */
export class WebhookService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pool: Pool,
    private readonly secrets: SecretBox,
    private readonly policy: UrlPolicy,
  ) {}

  /**
   * Stores the webhook with a new secret (encrypted) and answers with the secret, this once.
   * The purpose is bound to the registrant's roles like every consented list that leaves the
   * service (auth/purpose-roles.ts); registration is audited with the webhook's row.
   */
  async register(input: WebhookInput, by: Viewer): Promise<Webhook> {
    const events = [...new Set(input.events)];
    if (events.length === 0) throw badInput('input.events', 'choose at least one event type');
    const unknown = events.find((e) => !Object.values(EventType).includes(e));
    if (unknown) throw badInput('input.events', `unknown event type ${unknown}`);
    const purpose = input.purpose ?? null;
    if (purpose !== null) checkPurposeForRoles(by.roles, purpose, 'input.purpose');
    const url = await checkWebhookUrl(input.url, this.policy);
    const secret = newWebhookSecret();
    return this.dataSource.transaction(async (m) => {
      const [row]: Webhook[] = await m.query(
        `INSERT INTO webhooks (url, events, purpose, secret_ciphertext, created_by)
         SELECT $1, $2::text[], $3, $4, $5 WHERE (SELECT count(*) FROM webhooks) < $6
         RETURNING ${WEBHOOK_COLUMNS}`,
        [url, events, purpose, this.secrets.seal(secret), by.sub, MAX_WEBHOOKS],
      );
      if (!row) throw new DomainError('CONFLICT', `at most ${MAX_WEBHOOKS} webhooks`);
      // The URL's host says where data goes; its path and query may hold a receiver's token: not logged.
      await recordAudit(m, {
        actor: by, action: 'WEBHOOK_REGISTERED', subject: null,
        details: { webhookId: row.id, host: new URL(url).host, events, purpose },
      });
      return { ...row, secret };
    });
  }

  async list(): Promise<Webhook[]> {
    const { rows } = await this.pool.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`);
    return rows;
  }

  /** Removes the webhook and its deliveries (pending ones are not sent), audited. False when there was none. */
  async delete(id: string, by: Viewer): Promise<boolean> {
    checkId(id, 'id', 'a webhook id');
    return this.dataSource.transaction(async (m) => {
      // TypeORM answers a DELETE with [rows, count].
      const [[deleted]]: [{ id: string; url: string; purpose: string | null }[], number] = await m.query(
        `DELETE FROM webhooks WHERE id = $1 RETURNING id, url, purpose`, [id],
      );
      if (!deleted) return false;
      await recordAudit(m, { actor: by, action: 'WEBHOOK_DELETED', subject: null, details: { webhookId: deleted.id, host: new URL(deleted.url).host, purpose: deleted.purpose } });
      return true;
    });
  }

  /**
   * Queues again every event this webhook was sent (or failed to get) that occurred at or after
   * `since`, with the same event id (receivers deduplicate on it); returns how many. Each goes
   * back to PENDING with a fresh retry window (created_at is the time it was queued last), and is
   * sent in event order per customer like any delivery. Deliveries still pending are already
   * queued and are not counted. Audited in the same transaction.
   */
  async redeliver(webhookId: string, since: Date, by: { sub: string; roles?: Iterable<string> }): Promise<number> {
    checkId(webhookId, 'webhookId', 'a webhook id');
    if (Number.isNaN(since.getTime())) throw badInput('since', 'since must be a date-time');
    if (since.getTime() > Date.now()) throw badInput('since', 'since is in the future: no event occurred after it yet');
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount: found } = await client.query(`SELECT 1 FROM webhooks WHERE id = $1 FOR SHARE`, [webhookId]);
      if (!found) throw new DomainError('NOT_FOUND', 'no webhook with this id');
      const { rowCount } = await client.query(
        `UPDATE webhook_deliveries d
            SET state = 'PENDING', attempts = 0, last_status = NULL, last_error = NULL, delivered_at = NULL,
                next_attempt_at = now(), created_at = now()
           FROM outbox_events e
          WHERE e.seq = d.event_seq AND d.webhook_id = $1 AND e.occurred_at >= $2 AND d.state <> 'PENDING'`,
        [webhookId, since],
      );
      const queued = rowCount ?? 0;
      await recordAudit(client, { actor: by, action: 'WEBHOOK_EVENTS_REDELIVERED', subject: webhookId, details: { since: since.toISOString(), queued } });
      await client.query('COMMIT');
      return queued;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Newest first. */
  async deliveries(webhookId: string, first: number, after?: string | null): Promise<Connection<WebhookDelivery>> {
    const cursor = decodeCursor(after);
    const { rows } = await this.pool.query(
      `SELECT d.id, e.id AS "eventId", d.event_type AS "eventType", d.attempts, d.last_status AS "lastStatus", d.last_error AS "lastError",
              d.delivered_at AS "deliveredAt", CASE WHEN d.state = 'PENDING' THEN d.next_attempt_at END AS "nextAttemptAt",
              ${sortKeySql('d.created_at')} AS "sortKey"
         FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
        WHERE d.webhook_id = $1 AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
        ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
      [webhookId, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1],
    );
    return toConnection(rows as (WebhookDelivery & { sortKey: string })[], first, (r) => encodeCursor(r.sortKey, r.id), async () => {
      const { rows: n } = await this.pool.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1`, [webhookId]);
      return n[0].n;
    });
  }
}
