import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A transactional outbox and webhooks (docs/live-and-webhooks.md).
 *
 * - outbox_events: one row per change of an EventType, written by the change's own
 *   transaction (src/events/outbox.ts). `seq` orders them; `tx` is the writing transaction,
 *   so a listener reads exactly one transaction's rows for one notification. customer_id is
 *   the ordering key of webhook deliveries and lets erasure scrub the event data like any
 *   customer-owned table (it is never moved by a merge: events say what happened then).
 * - A statement trigger fans the new rows out to the matching active webhooks
 *   (webhook_deliveries, in the same transaction) and NOTIFYs `crm_events` with
 *   "<min seq>:<max seq>:<tx>": PostgreSQL delivers it only if the transaction commits.
 * - webhooks keep their signing secret encrypted (AES-256-GCM, key from the configuration).
 */
export class OutboxWebhooks1795730000000 implements MigrationInterface {
  name = 'OutboxWebhooks1795730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL DEFAULT gen_random_uuid(), -- the event id receivers deduplicate on (random: no index needed)
        type text NOT NULL CHECK (type ~ '^[A-Z][A-Z_]{0,63}$'),
        customer_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        tx xid8 NOT NULL DEFAULT pg_current_xact_id()
      )`);
    await q.query(`CREATE INDEX outbox_events_customer ON outbox_events (customer_id)`);
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        active boolean NOT NULL DEFAULT true,
        secret_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_seq bigint NOT NULL REFERENCES outbox_events (seq) ON DELETE CASCADE,
        event_type text NOT NULL CHECK (event_type ~ '^[A-Z][A-Z_]{0,63}$'),
        ordering_key text NOT NULL,
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts int NOT NULL DEFAULT 0,
        last_status int,
        last_error text,
        delivered_at timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_seq)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, ordering_key, event_seq) WHERE state = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq)`);
    await q.query(`
      CREATE FUNCTION outbox_published() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE lo bigint; hi bigint;
      BEGIN
        SELECT min(seq), max(seq) INTO lo, hi FROM new_events;
        IF lo IS NULL THEN RETURN NULL; END IF;
        INSERT INTO webhook_deliveries (webhook_id, event_seq, event_type, ordering_key)
          SELECT w.id, n.seq, n.type, coalesce(n.customer_id::text, '')
            FROM new_events n JOIN webhooks w ON w.active AND n.type = ANY (w.events)
           ORDER BY n.seq, w.id;
        PERFORM pg_notify('crm_events', lo || ':' || hi || ':' || pg_current_xact_id());
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_published AFTER INSERT ON outbox_events
        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION outbox_published()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`DROP TRIGGER outbox_published ON outbox_events`);
    await q.query(`DROP FUNCTION outbox_published()`);
    await q.query(`DROP TABLE outbox_events`);
  }
}
