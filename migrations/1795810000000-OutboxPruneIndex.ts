import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the outbox pruning job (src/events/outbox-prune.ts) find events older than the
 * retention without scanning the recent ones: a BRIN index on occurred_at, which grows with
 * the insertion order of an append-only table (a few pages for millions of rows, next to
 * nothing per insert, so the bulk ingestion path does not pay a B-tree).
 */
export class OutboxPruneIndex1795810000000 implements MigrationInterface {
  name = 'OutboxPruneIndex1795810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_events_occurred_brin ON outbox_events USING brin (occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_events_occurred_brin`);
  }
}
