import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The same rule for an event type (an upper-case name of 1-64 characters: a letter, then letters
 * and underscores), checked for a fraction of the cost. PostgreSQL's regex engine expands the
 * bounded repetition `{0,63}` into a large automaton and runs it for every inserted row: on a
 * bulk write whose every item emits an event (recordPurchases, 1,000 outbox rows) the CHECK cost
 * about 4-5 µs of PostgreSQL per row, a quarter of the outbox insert. An unbounded `*` plus
 * `length()` accepts exactly the same values (docs/benchmarks.md, "Bulk purchases").
 */
export class CheaperEventTypeChecks1797300000000 implements MigrationInterface {
  name = 'CheaperEventTypeChecks1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox_events
        DROP CONSTRAINT outbox_events_type_check,
        ADD CONSTRAINT outbox_events_type_check CHECK (type ~ '^[A-Z][A-Z_]*$' AND length(type) <= 64)`);
    await q.query(`
      ALTER TABLE webhook_deliveries
        DROP CONSTRAINT webhook_deliveries_event_type_check,
        ADD CONSTRAINT webhook_deliveries_event_type_check CHECK (event_type ~ '^[A-Z][A-Z_]*$' AND length(event_type) <= 64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_deliveries
        DROP CONSTRAINT webhook_deliveries_event_type_check,
        ADD CONSTRAINT webhook_deliveries_event_type_check CHECK (event_type ~ '^[A-Z][A-Z_]{0,63}$')`);
    await q.query(`
      ALTER TABLE outbox_events
        DROP CONSTRAINT outbox_events_type_check,
        ADD CONSTRAINT outbox_events_type_check CHECK (type ~ '^[A-Z][A-Z_]{0,63}$')`);
  }
}
