import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * webhooks.purpose: the consent purpose a webhook's receiver uses the data for. Deliveries
 * carry a customer's identifiers only where that purpose is granted at delivery
 * (src/webhooks/webhook-payload.ts); NULL means ids only. Existing webhooks get NULL: they were
 * registered before any purpose was declared, so they receive no identifiers until re-registered.
 */
export class WebhookPurpose1795870000000 implements MigrationInterface {
  name = 'WebhookPurpose1795870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN purpose text CHECK (purpose IN ('SERVICE', 'MARKETING', 'PROFILING'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks DROP COLUMN purpose`);
  }
}
