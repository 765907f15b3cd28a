import type { Pool } from 'pg';
import type { Logger } from '../src/logger';
import { seedDatabase } from './generate';

/** Customers loaded on the first start of a development database. */
const DEMO_CUSTOMERS = 1000;
/** Fixed, so every developer's first start shows the same people. */
const DEMO_SEED = 1;
/** Arbitrary advisory-lock key: two instances starting together seed once. */
const DEMO_LOCK_KEY = 7_245_001;

/**
 * Loads ~1,000 demo customers when the customers table is empty; returns whether it did.
 * Usage (src/main.ts, not in production): `await seedDemoIfEmpty(db.pool, logger)`.
 */
export async function seedDemoIfEmpty(pool: Pool, logger: Logger): Promise<boolean> {
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [DEMO_LOCK_KEY]);
    const { rows } = await lock.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM customers) AS found');
    if (rows[0].found) return false;
    const started = Date.now();
    const { customerIds: _ids, ...counts } = await seedDatabase(pool, { customers: DEMO_CUSTOMERS, seed: DEMO_SEED });
    logger.info({ ...counts, ms: Date.now() - started }, 'empty database: demo data seeded');
    return true;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [DEMO_LOCK_KEY]).catch(() => undefined);
    lock.release();
  }
}
