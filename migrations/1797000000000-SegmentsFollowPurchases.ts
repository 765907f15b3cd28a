import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The purchase columns a segment filter reads (products, purchasedSince, minLifetimeValue). */
const COLUMNS = ['customer_id', 'product', 'purchased_at', 'amount', 'currency'];

/**
 * Saved segments follow purchases (issue 27): the purchases table (Purchases1796500000000) gets
 * the triggers SavedSegments1796700000000 gives every table a filter reads, so a purchase moves
 * its customer into a `products` or `minLifetimeValue` segment within one worker round instead
 * of at the hourly full evaluation.
 */
export class SegmentsFollowPurchases1797000000000 implements MigrationInterface {
  name = 'SegmentsFollowPurchases1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TRIGGER purchases_segment_dirty_ins AFTER INSERT ON purchases REFERENCING NEW TABLE AS new_rows
                     FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_customer_id()`);
    await q.query(`CREATE TRIGGER purchases_segment_dirty_del AFTER DELETE ON purchases REFERENCING OLD TABLE AS old_rows
                     FOR EACH STATEMENT EXECUTE FUNCTION segment_dirty_by_customer_id()`);
    await q.query(`CREATE TRIGGER purchases_segment_dirty_upd AFTER UPDATE ON purchases FOR EACH ROW
                     WHEN (${COLUMNS.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ')}) EXECUTE FUNCTION segment_dirty_on_update()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const suffix of ['ins', 'del', 'upd']) await q.query(`DROP TRIGGER purchases_segment_dirty_${suffix} ON purchases`);
  }
}
