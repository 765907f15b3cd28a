import type { Interaction } from '../../interactions';

/**
 * Queue membership, the one definition. An interaction is in the care queue while it is open,
 * inbound and actionable (filter rules keep other mentions out) and no do-not-engage rule matched it; it is free while nobody holds
 * it (never claimed, released, or the hold expired); a hold counts while its due time is ahead.
 *
 * Every reader builds its SQL from these fragments: the queue page and count and the queue items
 * of the live desk (care-queue.service.ts), the claim (care_claim_next, whose body
 * `claimNextFunctionSql` writes and the migrations apply), the release (agent.service.ts).
 * The partial indexes of the queue carry `queued()` as their predicate; the planner uses them
 * because every query states it literally (test/integration/queue-membership.test.ts checks
 * both with EXPLAIN and against the index definitions). Changing a fragment is a migration
 * that re-applies `claimNextFunctionSql()` and re-creates the queue indexes
 * (docs/architecture.md, "Database rules").
 */

/** SQL: the row `alias` is in the queue; no alias: the bare predicate of the partial indexes. */
export const queued = (alias?: string) => {
  const a = alias ? `${alias}.` : '';
  return `${a}status = 'OPEN' AND ${a}direction = 'INBOUND' AND ${a}actionable`
    // Snoozed (waiting on the customer) until snoozed_until: a time, so it cannot be part of the
    // indexes' predicate (now() is not immutable); snoozed rows stay in the indexes and are skipped.
    + (alias ? ` AND (${a}snoozed_until IS NULL OR ${a}snoozed_until <= now())` : '')
    // A do-not-engage rule matched the post at ingestion: recorded, never queued (DoNotEngageAndReplyDelivery1796300000000).
    + ` AND ${a}do_not_engage_rule_id IS NULL`
    // A post grouped behind an open incident's stand-in (docs/incidents-and-agents.md, "Grouping").
    + ` AND ${a}grouped_incident_id IS NULL`;
};

/** SQL: nobody holds the row `alias` now. */
export const free = (alias: string) => `(${alias}.assigned_to IS NULL OR ${alias}.assignment_due_at <= now())`;

/** SQL: `holder` (an SQL expression; omitted: anyone) holds the row `alias` now. */
export const held = (alias: string, holder?: string) =>
  `${alias}.assigned_to ${holder === undefined ? 'IS NOT NULL' : `= ${holder}`} AND ${alias}.assignment_due_at > now()`;

/** `held` on a row already read (Interaction.assignedTo, assignedUntil): past its due time the item is back in the queue. */
export const holds = (i: Pick<Interaction, 'assignedToId' | 'assignmentDueAt'>, now = Date.now()) =>
  i.assignedToId != null && i.assignmentDueAt != null && new Date(i.assignmentDueAt).getTime() > now;

/** What an agent `a` (a care_agents row) may take of the queue row `n`: free, and in the agent's lanes, channels and skill groups. */
const takeable = (n: string, a: string) => `${queued(n)}
            AND ${free(n)}
            AND ${n}.lane = ANY(${a}.lanes)
            AND (cardinality(${a}.channels) = 0 OR ${n}.channel = ANY(${a}.channels))
            AND (cardinality(${a}.skill_groups) = 0 OR ${n}.skill_group = ANY(${a}.skill_groups))`;

/**
 * The claim, care_claim_next(agent) (ClaimInOneStatement1795830000000 explains its two
 * statements and its two static picks). Applied by migrations as `CREATE OR REPLACE`.
 */
export const claimNextFunctionSql = () => `
      CREATE OR REPLACE FUNCTION care_claim_next(p_agent text) RETURNS SETOF interactions LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        a care_agents;
        picked uuid;
      BEGIN
        SELECT * INTO a FROM care_agents WHERE id = p_agent FOR UPDATE;
        IF NOT FOUND OR NOT a.active THEN
          RETURN;
        END IF;
        IF (SELECT count(*) FROM interactions x WHERE ${held('x', 'p_agent')}) >= a.capacity THEN
          RETURN;
        END IF;
        IF cardinality(a.tiers) = 1 THEN
          SELECT n.id INTO picked FROM interactions n
           WHERE n.queue_tier = a.tiers[1] AND ${takeable('n', 'a')}
           ORDER BY n.queue_key, n.id LIMIT 1 FOR UPDATE SKIP LOCKED;
        ELSE
          SELECT n.id INTO picked FROM interactions n
           WHERE n.queue_tier = ANY(a.tiers) AND ${takeable('n', 'a')}
           ORDER BY n.queue_key, n.id LIMIT 1 FOR UPDATE SKIP LOCKED;
        END IF;
        IF picked IS NULL THEN
          RETURN;
        END IF;
        RETURN QUERY
          UPDATE interactions i SET assigned_to = p_agent, assigned_at = now(), assignment_due_at = now() + make_interval(secs => a.assignment_seconds)
           WHERE i.id = picked RETURNING i.*;
      END $$`;
