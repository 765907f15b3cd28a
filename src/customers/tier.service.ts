import type { DataSource } from 'typeorm';
import { DomainError, badInput, Tier } from '../graphql';
import { checkCustomerId } from './customer.service';
import { liveCustomerId } from './customer-survivor';
import type { TierRule, TierRuleInput, TierRulesApplied } from './tier.types';
import { EventType, appendEvent } from '../events';

const RULE_COLUMNS = `id::text AS id, tier, attribute, min_value::float8 AS "minValue", product, category, created_at AS "createdAt", created_by AS "createdBy"`;
const TIER_ORDER: Tier[] = [Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.BRONZE];

/** Tiers set by people or by stored rules; every change is written to tier_changes. */
export class TierService {
  constructor(private readonly dataSource: DataSource) {}

  /** Sets a customer's tier; a change (not a repeat) is added to the tier history. Returns the customer id. */
  async setTier(customerId: string, tier: Tier, by: string): Promise<string> {
    checkCustomerId(customerId, 'customerId');
    if (!Object.values(Tier).includes(tier)) throw badInput('tier', 'unknown tier');
    return this.dataSource.transaction(async (m) => {
      const id = await liveCustomerId(m, customerId);
      const changed: { previous: Tier }[] = await m.query(
        `WITH old AS (SELECT tier FROM customers WHERE id = $1),
              upd AS (UPDATE customers SET tier = $2, updated_at = now() WHERE id = $1 AND tier <> $2 RETURNING id)
         INSERT INTO tier_changes (customer_id, tier, previous_tier, reason, changed_by)
         SELECT upd.id, $2, old.tier, $3, $4 FROM upd, old RETURNING previous_tier AS previous`,
        [id, tier, `set by ${by}`, by],
      );
      if (changed[0]) await appendEvent(m, EventType.TIER_CHANGED, id, { customerId: id, tier, previousTier: changed[0].previous });
      return id;
    });
  }

  async rules(): Promise<TierRule[]> {
    return this.dataSource.query(`SELECT ${RULE_COLUMNS} FROM tier_rules WHERE retired_at IS NULL ORDER BY min_value DESC NULLS LAST, id`);
  }

  /** Replaces the rule set; the old rules are kept, retired, for the record. */
  async setRules(inputs: readonly TierRuleInput[], by: string): Promise<TierRule[]> {
    if (inputs.length > 50) throw badInput('rules', 'at most 50 tier rules');
    const rules = inputs.map((r, index) => {
      const fail = (field: string, message: string) => new DomainError('BAD_USER_INPUT', message, { field, index });
      if (!TIER_ORDER.includes(r.tier)) throw fail('tier', 'a rule reaches PLATINUM, GOLD, SILVER or BRONZE');
      const attribute = r.attribute ?? null;
      const minValue = r.minValue ?? null;
      if ((attribute === null) !== (minValue === null)) throw fail(attribute === null ? 'attribute' : 'minValue', 'attribute and minValue go together');
      if (attribute !== null && !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(attribute)) throw fail('attribute', 'attribute must be a plain key such as lifetimeValue');
      if (minValue !== null && !Number.isFinite(minValue)) throw fail('minValue', 'minValue must be a number');
      const product = r.product?.trim() ?? null;
      if (product !== null && (product === '' || product.length > 200)) throw fail('product', 'product must be 1-200 characters');
      const category = r.category?.trim() ?? null;
      if (category !== null && (category === '' || category.length > 100)) throw fail('category', 'category must be 1-100 characters');
      if (attribute === null && product === null && category === null) throw fail('attribute', 'a rule names attribute with minValue, a product or a category');
      return { tier: r.tier, attribute, minValue, product, category };
    });
    return this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE tier_rules IN EXCLUSIVE MODE`);
      await m.query(`UPDATE tier_rules SET retired_at = now() WHERE retired_at IS NULL`);
      if (rules.length === 0) return [];
      return m.query(
        `INSERT INTO tier_rules (tier, attribute, min_value, product, category, created_by)
         SELECT *, $6 FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::text[]) RETURNING ${RULE_COLUMNS}`,
        [rules.map((r) => r.tier), rules.map((r) => r.attribute), rules.map((r) => r.minValue), rules.map((r) => r.product), rules.map((r) => r.category), by],
      );
    });
  }

  /**
   * Applies the rules to every live customer that carries a numeric value for at least one
   * rule attribute, or (while some rule names a product or category) any purchase: the highest
   * tier whose rule it meets (every condition the rule names), NONE when it meets none.
   * Customers with nothing a rule reads keep their tier (for example one set by a person).
   * Products and categories match case-insensitively.
   */
  async applyRules(by: string): Promise<TierRulesApplied> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE tier_rules IN SHARE MODE`);
      const [result] = await m.query(
        `WITH rules AS (
           SELECT id, tier, attribute, min_value, lower(product) AS product, lower(category) AS category,
                  array_position(ARRAY['PLATINUM','GOLD','SILVER','BRONZE'], tier) AS rank
             FROM tier_rules WHERE retired_at IS NULL
         ),
         examined AS (
           SELECT c.id, c.tier AS old_tier, best.tier AS new_tier, best.why
             FROM customers c
             LEFT JOIN LATERAL (
               SELECT r.tier, 'rule: ' || concat_ws(' and ', CASE WHEN r.attribute IS NOT NULL THEN format('%s >= %s', r.attribute, r.min_value) END,
                        'owns ' || r.product, 'owns a product of ' || r.category) AS why
                 FROM rules r
                WHERE (r.attribute IS NULL
                       OR (jsonb_typeof(c.attributes -> r.attribute) = 'number' AND (c.attributes ->> r.attribute)::numeric >= r.min_value))
                  AND (r.product IS NULL OR EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND lower(p.product) = r.product))
                  AND (r.category IS NULL OR EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND lower(p.category) = r.category))
                ORDER BY r.rank, r.min_value DESC NULLS LAST LIMIT 1
             ) best ON true
            WHERE c.merged_into IS NULL AND c.erased_at IS NULL
              AND (EXISTS (SELECT 1 FROM rules r WHERE jsonb_typeof(c.attributes -> r.attribute) = 'number')
                   OR (EXISTS (SELECT 1 FROM rules r WHERE r.product IS NOT NULL OR r.category IS NOT NULL)
                       AND EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id)))
         ),
         changed AS (
           UPDATE customers c SET tier = coalesce(e.new_tier, 'NONE'), updated_at = now()
             FROM examined e WHERE c.id = e.id AND c.tier <> coalesce(e.new_tier, 'NONE')
           RETURNING c.id, c.tier, e.old_tier, coalesce(e.why, 'no tier rule met') AS why
         ),
         history AS (
           INSERT INTO tier_changes (customer_id, tier, previous_tier, reason, changed_by)
           SELECT id, tier, old_tier, why, $1 FROM changed RETURNING 1
         ),
         -- The outbox rows of src/events/outbox.ts, written set-based with the change.
         events AS (
           INSERT INTO outbox_events (type, customer_id, data)
           SELECT '${EventType.TIER_CHANGED}', id, jsonb_build_object('customerId', id, 'tier', tier, 'previousTier', old_tier)
             FROM changed ORDER BY id RETURNING 1
         )
         SELECT (SELECT count(*) FROM examined)::int AS examined, (SELECT count(*) FROM history)::int AS changed,
                (SELECT count(*) FROM events)::int AS events`,
        [by],
      );
      return { examined: result.examined, changed: result.changed };
    });
  }
}
