import type { Pool } from 'pg';
import { EventType } from '../events/event-types';
import { DomainError, badInput } from '../graphql/errors';
import { checkId } from '../graphql/ids';
import { decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection } from '../graphql/pagination';
import { checkWebhookUrl, type UrlPolicy } from './webhook-url';
import { newWebhookSecret, type SecretBox } from './webhook-secrets';
import type { Webhook, WebhookDelivery, WebhookInput } from './webhook.types';

const WEBHOOK_COLUMNS = `id, url, events, active, created_at AS "createdAt", NULL AS secret`;
const MAX_WEBHOOKS = 100;

/** Registration, listing and removal of webhooks, and their deliveries. */
export class WebhookService {
  constructor(
    private readonly pool: Pool,
    private readonly secrets: SecretBox,
    private readonly policy: UrlPolicy,
  ) {}

  /** Stores the webhook with a new secret (encrypted) and answers with the secret, this once. */
  async register(input: WebhookInput, by: string): Promise<Webhook> {
    const events = [...new Set(input.events)];
    if (events.length === 0) throw badInput('input.events', 'choose at least one event type');
    const unknown = events.find((e) => !Object.values(EventType).includes(e));
    if (unknown) throw badInput('input.events', `unknown event type ${unknown}`);
    const url = await checkWebhookUrl(input.url, this.policy);
    const secret = newWebhookSecret();
    const { rows } = await this.pool.query(
      `INSERT INTO webhooks (url, events, secret_ciphertext, created_by)
       SELECT $1, $2::text[], $3, $4 WHERE (SELECT count(*) FROM webhooks) < $5
       RETURNING ${WEBHOOK_COLUMNS}`,
      [url, events, this.secrets.seal(secret), by, MAX_WEBHOOKS],
    );
    if (!rows[0]) throw new DomainError('CONFLICT', `at most ${MAX_WEBHOOKS} webhooks`);
    return { ...rows[0], secret };
  }

  async list(): Promise<Webhook[]> {
    const { rows } = await this.pool.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`);
    return rows;
  }

  /** Removes the webhook and its deliveries (pending ones are not sent). False when there was none. */
  async delete(id: string): Promise<boolean> {
    checkId(id, 'id', 'a webhook id');
    const { rowCount } = await this.pool.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
    return (rowCount ?? 0) > 0;
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
