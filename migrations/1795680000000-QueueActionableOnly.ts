import type { MigrationInterface, QueryRunner } from 'typeorm';

const INDEXES: [string, string][] = [
  ['interactions_queue_idx', '(queue_key, id)'],
  ['interactions_queue_lane_idx', '(lane, queue_key, id)'],
  ['interactions_queue_channel_idx', '(channel, queue_key, id)'],
  ['interactions_queue_skill_idx', '(skill_group, queue_key, id)'],
];

/**
 * The care queue leaves out mentions the filter rules marked non-actionable (care workflow);
 * its partial indexes now carry the same predicate, so the top of the queue stays an index scan.
 */
export class QueueActionableOnly1795680000000 implements MigrationInterface {
  name = 'QueueActionableOnly1795680000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, columns] of INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON interactions ${columns} WHERE status = 'OPEN' AND direction = 'INBOUND' AND actionable`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name, columns] of INDEXES) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON interactions ${columns} WHERE status = 'OPEN' AND direction = 'INBOUND'`);
    }
  }
}
