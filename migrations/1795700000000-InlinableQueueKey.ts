import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE = 'interaction_queue_key(jsonb, double precision, timestamptz, timestamptz)';

/**
 * interaction_queue_key was declared IMMUTABLE, but its body uses timestamptz arithmetic and
 * extract(epoch ...), which PostgreSQL marks STABLE. PostgreSQL inlines a one-line SQL function
 * only when its body is no more volatile than its declaration, so every call went through the
 * SQL-function executor: ~6 µs per row, a thousand times per bulk ingestion call. Declared
 * STABLE (what it is), the planner inlines it into the ingestion INSERT and the row trigger.
 * No index or generated column uses it, which is what would need IMMUTABLE.
 */
export class InlinableQueueKey1795700000000 implements MigrationInterface {
  name = 'InlinableQueueKey1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} STABLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} IMMUTABLE`);
  }
}
