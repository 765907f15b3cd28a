import type { MigrationInterface, QueryRunner } from 'typeorm';
import { claimNextFunctionSql } from '../src/care/desk/queue-membership';
import { CLAIM_NEXT_AS_CREATED } from './1795830000000-ClaimInOneStatement';

/**
 * Queue membership in one place: care_claim_next is now written from the fragments of
 * src/care/desk/queue-membership.ts, which the queue, the live desk and the release use too. Its
 * meaning and plans are unchanged (the same predicate, spelled by one module); a later change
 * of membership re-applies `claimNextFunctionSql()` in a migration of its own.
 */
export class OneQueueRule1795920000000 implements MigrationInterface {
  name = 'OneQueueRule1795920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunctionSql());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(CLAIM_NEXT_AS_CREATED.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }
}
