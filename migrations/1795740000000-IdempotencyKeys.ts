import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One table of idempotency keys for the writes an ingestion job retries besides interactions
 * (which keep theirs in interactions.idempotency_key): recordTouchpoint(s), recordInfluenceScore,
 * recordFollowerCounts, setConsent. `operation` names the write, `content_hash` the first call's
 * content, `result` what it answered (ids and values, never personal data). See src/db/idempotency.ts.
 */
export class IdempotencyKeys1795740000000 implements MigrationInterface {
  name = 'IdempotencyKeys1795740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        operation text NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        content_hash text NOT NULL,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (operation, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
