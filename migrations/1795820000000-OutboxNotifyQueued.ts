import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox trigger's NOTIFY also says how many webhook deliveries the transaction queued:
 * "<min seq>:<max seq>:<tx>:<queued>". The webhook worker is woken only by commits that
 * queued some (src/events/event-bus.ts); before, every commit woke each of its loops for a
 * transaction that found nothing to claim (a 1,000-item ingestion call: 4 BEGIN, claim,
 * COMMIT round trips, about 3% of the call's PostgreSQL time, with no webhook registered).
 * Listeners that read only the first three fields are unaffected.
 */
/** The trigger function of migration OutboxWebhooks, with the NOTIFY payload given (its own variable `queued` holds the deliveries queued). */
const publishedFunction = (payload: string) => `
  CREATE OR REPLACE FUNCTION outbox_published() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE lo bigint; hi bigint; queued bigint;
  BEGIN
    SELECT min(seq), max(seq) INTO lo, hi FROM new_events;
    IF lo IS NULL THEN RETURN NULL; END IF;
    INSERT INTO webhook_deliveries (webhook_id, event_seq, event_type, ordering_key)
      SELECT w.id, n.seq, n.type, coalesce(n.customer_id::text, '')
        FROM new_events n JOIN webhooks w ON w.active AND n.type = ANY (w.events)
       ORDER BY n.seq, w.id;
    GET DIAGNOSTICS queued = ROW_COUNT;
    PERFORM pg_notify('crm_events', ${payload});
    RETURN NULL;
  END $$`;

export class OutboxNotifyQueued1795820000000 implements MigrationInterface {
  name = 'OutboxNotifyQueued1795820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(publishedFunction(`lo || ':' || hi || ':' || pg_current_xact_id() || ':' || queued`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(publishedFunction(`lo || ':' || hi || ':' || pg_current_xact_id()`));
  }
}
