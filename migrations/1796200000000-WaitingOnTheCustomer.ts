import type { MigrationInterface, QueryRunner } from 'typeorm';
import { claimNextFunctionSql } from '../src/care/desk/queue-membership';
import { CLAIM_NEXT_AS_CREATED } from './1795830000000-ClaimInOneStatement';

/**
 * Waiting on the customer (docs/care.md, "Waiting on the customer"):
 * - interactions.snoozed_until: out of the queue (and of care_claim_next) until then, or until
 *   the customer's next inbound post in the conversation. The queue's partial indexes keep their
 *   predicate (a time cannot be in it); the claim function is re-applied with the new conjunct.
 *   interactions_snoozed_idx finds the snoozed items of a conversation when a post arrives.
 * - interaction_notes: private notes of agents, with the agents they mention.
 * - conversations.labels: a normalised set, filtered on by the queue (GIN).
 * - conversation_handoffs.reason_code: why a conversation moved off its channel (HandoffReason).
 */
export class WaitingOnTheCustomer1796200000000 implements MigrationInterface {
  name = 'WaitingOnTheCustomer1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interactions ADD COLUMN snoozed_until timestamptz`);
    await q.query(`CREATE INDEX interactions_snoozed_idx ON interactions (conversation_id) WHERE snoozed_until IS NOT NULL`);
    await q.query(`
      CREATE TABLE interaction_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        interaction_id uuid NOT NULL REFERENCES interactions(id),
        author text NOT NULL,
        text text NOT NULL,
        mentions text[] NOT NULL DEFAULT '{}',
        idempotency_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX interaction_notes_interaction_idx ON interaction_notes (interaction_id, created_at, id)`);
    await q.query(`CREATE INDEX interaction_notes_customer_idx ON interaction_notes (customer_id)`);
    await q.query(`ALTER TABLE conversations ADD COLUMN labels text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX conversations_labels_idx ON conversations USING gin (labels)`);
    await q.query(`ALTER TABLE conversation_handoffs ADD COLUMN reason_code text
      CHECK (reason_code IN ('CUSTOMER_REQUEST', 'SECURITY', 'COMPLEXITY', 'OTHER'))`);
    await q.query(claimNextFunctionSql());
  }

  async down(q: QueryRunner): Promise<void> {
    // The membership before this migration (OneQueueRule wrote the same meaning as ClaimInOneStatement created).
    await q.query(CLAIM_NEXT_AS_CREATED.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await q.query(`ALTER TABLE conversation_handoffs DROP COLUMN reason_code`);
    await q.query(`DROP INDEX conversations_labels_idx`);
    await q.query(`ALTER TABLE conversations DROP COLUMN labels`);
    await q.query(`DROP TABLE interaction_notes`);
    await q.query(`DROP INDEX interactions_snoozed_idx`);
    await q.query(`ALTER TABLE interactions DROP COLUMN snoozed_until`);
  }
}
