import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * touchpoint_events.occurred_at: when the customer gave the touchpoint (an import of last
 * year's store visits is dated then), beside recorded_at (when it was recorded). Existing
 * events occurred when they were recorded.
 */
export class TouchpointOccurredAt1795741000000 implements MigrationInterface {
  name = 'TouchpointOccurredAt1795741000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE touchpoint_events ADD COLUMN occurred_at timestamptz`);
    await q.query(`UPDATE touchpoint_events SET occurred_at = recorded_at`);
    await q.query(`ALTER TABLE touchpoint_events ALTER COLUMN occurred_at SET NOT NULL, ALTER COLUMN occurred_at SET DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE touchpoint_events DROP COLUMN occurred_at`);
  }
}
