import type { DataSource } from 'typeorm';
import { DomainError, badInput } from '../graphql/errors';
import { Tier } from '../graphql/enums';
import { checkCustomerId } from './customer.service';
import { liveCustomerId } from './customer-survivor';
import type { TierRule, TierRuleInput, TierRulesApplied } from './tier.types';
import { EventType } from '../events/event-types';
import { appendEvent } from '../events/outbox';

const RULE_COLUMNS = `id::text AS id, tier, attribute, min_value::float8 AS "minValue", created_at AS "createdAt", created_by AS "createdBy"`;
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
    return this.dataSource.query(`SELECT ${RULE_COLUMNS} FROM tier_rules WHERE retired_at IS NULL ORDER BY min_value DESC, id`);
  }

  /** Replaces the rule set; the old rules are kept, retired, for the record. */
  async setRules(inputs: readonly TierRuleInput[], by: string): Promise<TierRule[]> {
    if (inputs.length > 50) throw badInput('rules', 'at most 50 tier rules');
    inputs.forEach((r, index) => {
      if (!TIER_ORDER.includes(r.tier)) throw new DomainError('BAD_USER_INPUT', 'a rule reaches PLATINUM, GOLD, SILVER or BRONZE', { field: 'tier', index });
      if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(r.attribute)) {
        throw new DomainError('BAD_USER_INPUT', 'attribute must be a plain key such as lifetimeValue', { field: 'attribute', index });
      }
      if (!Number.isFinite(r.minValue)) throw new DomainError('BAD_USER_INPUT', 'minValue must be a number', { field: 'minValue', index });
    });
    return this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE tier_rules IN EXCLUSIVE MODE`);
      await m.query(`UPDATE tier_rules SET retired_at = now() WHERE retired_at IS NULL`);
      if (inputs.length === 0) return [];
      return m.query(
        `INSERT INTO tier_rules (tier, attribute, min_value, created_by)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[]) RETURNING ${RULE_COLUMNS}`,
        [inputs.map((r) => r.tier), inputs.map((r) => r.attribute), inputs.map((r) => r.minValue), inputs.map(() => by)],
      );
    });
  }

  /**
   * Applies the rules to every live customer that carries a numeric value for at least one
   * rule attribute: the highest tier whose rule it meets, NONE when it meets none. Customers
   * without any rule attribute keep their tier (for example one set by a person).
   */
  async applyRules(by: string): Promise<TierRulesApplied> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE tier_rules IN SHARE MODE`);
      const [result] = await m.query(
        `WITH rules AS (
           SELECT id, tier, attribute, min_value,
                  array_position(ARRAY['PLATINUM','GOLD','SILVER','BRONZE'], tier) AS rank
             FROM tier_rules WHERE retired_at IS NULL
         ),
         examined AS (
           SELECT c.id, c.tier AS old_tier, best.tier AS new_tier, best.why
             FROM customers c
             LEFT JOIN LATERAL (
               SELECT r.tier, format('rule: %s >= %s', r.attribute, r.min_value) AS why FROM rules r
                WHERE jsonb_typeof(c.attributes -> r.attribute) = 'number' AND (c.attributes ->> r.attribute)::numeric >= r.min_value
                ORDER BY r.rank, r.min_value DESC LIMIT 1
             ) best ON true
            WHERE c.merged_into IS NULL AND c.erased_at IS NULL
              AND EXISTS (SELECT 1 FROM rules r WHERE jsonb_typeof(c.attributes -> r.attribute) = 'number')
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
