import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchases (issue 27): what a customer bought, recorded in bulk by ingestion jobs with an
 * idempotency key per item (same rules as interactions.idempotency_key), and tier rules that
 * may require owning a product or a product of a category besides (or instead of) a numeric
 * attribute. Amounts are numeric: a lifetime value is a sum of money, not of floats.
 */
export class Purchases1796500000000 implements MigrationInterface {
  name = 'Purchases1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE purchases (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        product text NOT NULL,
        category text,
        amount numeric(18, 4) CHECK (amount >= 0),
        currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
        purchased_at timestamptz NOT NULL,
        channel text,
        idempotency_key text NOT NULL UNIQUE,
        content_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK ((amount IS NULL) = (currency IS NULL))
      )`);
    // The customer's page (newest first) and every per-customer aggregate (lifetime value, ownership).
    await q.query(`CREATE INDEX purchases_customer_idx ON purchases (customer_id, purchased_at DESC, id DESC)`);
    await q.query(`
      ALTER TABLE tier_rules
        ADD COLUMN product text,
        ADD COLUMN category text,
        ALTER COLUMN attribute DROP NOT NULL,
        ALTER COLUMN min_value DROP NOT NULL,
        ADD CONSTRAINT tier_rules_numeric_pair CHECK ((attribute IS NULL) = (min_value IS NULL)),
        ADD CONSTRAINT tier_rules_some_condition CHECK (attribute IS NOT NULL OR product IS NOT NULL OR category IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Rules with no numeric part cannot be stored by the old table: they go (retired or not).
    await q.query(`DELETE FROM tier_rules WHERE attribute IS NULL`);
    await q.query(`
      ALTER TABLE tier_rules
        DROP CONSTRAINT tier_rules_some_condition,
        DROP CONSTRAINT tier_rules_numeric_pair,
        ALTER COLUMN attribute SET NOT NULL,
        ALTER COLUMN min_value SET NOT NULL,
        DROP COLUMN category,
        DROP COLUMN product`);
    await q.query(`DROP TABLE purchases`);
  }
}
