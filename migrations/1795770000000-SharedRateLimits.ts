import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counters of the per-token mutation rate limit, shared by every process that serves the API
 * (WEB_CONCURRENCY workers, several instances): rate-limiter-flexible's RateLimiterPostgres
 * reads and bumps one row per key with one upsert. The columns are the ones that store expects
 * (it is told the table exists and never creates it). `expire` is epoch milliseconds.
 * UNLOGGED: a counter lost in a crash only forgives one minute of mutations, and the table
 * is not copied to replicas (which never serve mutations).
 */
export class SharedRateLimits1795770000000 implements MigrationInterface {
  name = 'SharedRateLimits1795770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_counters (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await q.query(`CREATE INDEX rate_limit_counters_expire_idx ON rate_limit_counters (expire)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_counters`);
  }
}
