import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { DomainError, badInput } from '../../graphql';
import type { Channel, Tier } from '../../graphql';
import { isTimeZone, weeklyProblems } from './business-hours';
import type { CareRules } from './care-rules';
import { LOAD_RULES_SQL } from './care-rules.sql';
import type {
  BusinessHoursInput, EscalationRuleInput, FilterRuleInput, LaneRuleInput, SkillGroupInput, SlaTargetInput,
} from './care-rules.types';
import { normaliseTopics } from '../../common';


const MAX_SLA_MINUTES = 60 * 24 * 90;

function name(value: string, field = 'name'): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw badInput(field, `${field} must be 1-100 characters`);
  return trimmed;
}

function words(values: readonly string[], field: string): string[] {
  const cleaned = values.map((v, i) => {
    const w = v.trim();
    if (w === '' || w.length > 100 || w === '*') throw badInput(`${field}[${i}]`, `${field}[${i}] must be 1-100 characters`);
    return w.toLowerCase();
  });
  return [...new Set(cleaned)];
}

function tags(values: readonly string[], field: string): string[] {
  return normaliseTopics(words(values, field));
}

/** PostgreSQL error code of a failed statement, if any. */
function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * The stored care rules: read in one statement per write or request, changed by supervisors.
 * Every change records who made it (updated_by) and when.
 */
export class CareRulesService {
  /** The rules as last read, with the care_rules_version they were read at or after. */
  private last: { version: string; rules: CareRules } | null = null;

  constructor(private readonly pool: Pool) {}

  /** Every rule, as the pure routing/SLA/escalation functions take them. */
  async load(m?: EntityManager): Promise<CareRules> {
    if (m) return ((await m.query(LOAD_RULES_SQL)) as CareRules[])[0];
    return (await this.pool.query<CareRules>(LOAD_RULES_SQL)).rows[0];
  }

  /**
   * The rules at `version` (care_rules_version, which every change of a rule table bumps, as
   * the caller read it in its transaction): from memory when nothing changed since the last
   * read, else read again. Rules read after the version are at least that new, so a change
   * committed in between is read again on the next call, never missed.
   * Usage: `await rules.cached(m, version)` with version from `SELECT version FROM care_rules_version`.
   */
  async cached(m: EntityManager, version: string): Promise<CareRules> {
    if (this.last?.version === version) return this.last.rules;
    const rules = await this.load(m);
    this.last = { version, rules };
    return rules;
  }

  async setSlaTarget(input: SlaTargetInput, by: string) {
    if (!Number.isInteger(input.responseMinutes) || input.responseMinutes < 1 || input.responseMinutes > MAX_SLA_MINUTES) {
      throw badInput('responseMinutes', `responseMinutes must be a whole number from 1 to ${MAX_SLA_MINUTES}`);
    }
    // An explicit null takes the default, as leaving the field out does.
    const businessHours = name(input.businessHours ?? 'always', 'businessHours');
    try {
      await this.pool.query(
        `INSERT INTO care_sla_targets (channel, tier, response_minutes, business_hours, updated_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT care_sla_targets_channel_tier_key
         DO UPDATE SET response_minutes = excluded.response_minutes, business_hours = excluded.business_hours,
                       updated_by = excluded.updated_by, updated_at = now()`,
        [input.channel, input.tier ?? null, input.responseMinutes, businessHours, by],
      );
    } catch (error) {
      if (pgCode(error) === '23503') throw badInput('businessHours', `no business hours named "${input.businessHours}"`);
      throw error;
    }
    return { channel: input.channel, tier: input.tier ?? null, responseMinutes: input.responseMinutes, businessHours };
  }

  /** Removes a tier's own target (the tier then follows the channel's); the channel's own target stays. */
  async deleteSlaTarget(channel: Channel, tier: Tier): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM care_sla_targets WHERE channel = $1 AND tier = $2`, [channel, tier]);
    if (!rowCount) throw new DomainError('NOT_FOUND', `no ${tier} target for ${channel}`);
    return true;
  }

  async setBusinessHours(input: BusinessHoursInput, by: string) {
    if (!isTimeZone(input.timeZone)) throw badInput('timeZone', `timeZone "${input.timeZone}" is not an IANA time zone`);
    const weekly = input.weekly ?? null;
    const problems = weekly ? weeklyProblems(weekly) : [];
    if (problems.length > 0) throw badInput('weekly', problems.join('; '));
    const plain = weekly?.map((h) => ({ day: h.day, opens: h.opens, closes: h.closes })) ?? null;
    await this.pool.query(
      `INSERT INTO care_business_hours (name, time_zone, weekly, updated_by) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (name) DO UPDATE SET time_zone = excluded.time_zone, weekly = excluded.weekly,
                                        updated_by = excluded.updated_by, updated_at = now()`,
      [name(input.name), input.timeZone, plain === null ? null : JSON.stringify(plain), by],
    );
    return { name: input.name.trim(), timeZone: input.timeZone, weekly: plain };
  }

  async setLaneRule(input: LaneRuleInput, by: string) {
    const rule = {
      name: name(input.name), position: input.position, lane: input.lane, channels: [...new Set(input.channels)],
      categories: [...new Set(input.categories)], keywords: words(input.keywords, 'keywords'), hashtags: tags(input.hashtags, 'hashtags'),
      enabled: input.enabled,
    };
    await this.pool.query(
      `INSERT INTO care_lane_rules (name, position, lane, channels, categories, keywords, hashtags, enabled, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, lane = excluded.lane, channels = excluded.channels,
         categories = excluded.categories, keywords = excluded.keywords, hashtags = excluded.hashtags,
         enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()`,
      [rule.name, rule.position, rule.lane, rule.channels, rule.categories, rule.keywords, rule.hashtags, rule.enabled, by],
    );
    return rule;
  }

  async deleteLaneRule(ruleName: string): Promise<boolean> {
    return this.deleteNamed('care_lane_rules', 'lane rule', ruleName);
  }

  async createSkillGroup(input: SkillGroupInput, by: string) {
    const group = this.skillGroup(input);
    const { rowCount } = await this.pool.query(
      `INSERT INTO care_skill_groups (name, position, keywords, hashtags, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO NOTHING`,
      [group.name, group.position, group.keywords, group.hashtags, by],
    );
    if (!rowCount) throw new DomainError('CONFLICT', `a skill group named "${group.name}" exists already`, { field: 'name' });
    return group;
  }

  /** Replaces a group's cluster (and may rename it: `input.name`). */
  async updateSkillGroup(current: string, input: SkillGroupInput, by: string) {
    const group = this.skillGroup(input);
    try {
      const { rowCount } = await this.pool.query(
        `UPDATE care_skill_groups SET name = $2, position = $3, keywords = $4, hashtags = $5, updated_by = $6, updated_at = now()
          WHERE name = $1`,
        [current.trim(), group.name, group.position, group.keywords, group.hashtags, by],
      );
      if (!rowCount) throw new DomainError('NOT_FOUND', `no skill group named "${current}"`);
    } catch (error) {
      if (pgCode(error) === '23505') throw new DomainError('CONFLICT', `a skill group named "${group.name}" exists already`, { field: 'name' });
      throw error;
    }
    return group;
  }

  async deleteSkillGroup(groupName: string): Promise<boolean> {
    return this.deleteNamed('care_skill_groups', 'skill group', groupName);
  }

  async setEscalationRule(input: EscalationRuleInput, by: string) {
    const rule = {
      name: name(input.name), kind: input.kind, team: input.team, threshold: input.threshold ?? null,
      windowMinutes: input.windowMinutes ?? null, phrases: words(input.phrases, 'phrases'), enabled: input.enabled,
    };
    if (rule.kind === 'TOPIC_THRESHOLD') {
      if (rule.threshold === null || rule.threshold < 2 || rule.threshold > 1_000_000) throw badInput('threshold', 'threshold must be 2 .. 1000000 posts');
      if (rule.windowMinutes === null || rule.windowMinutes < 1 || rule.windowMinutes > 7 * 24 * 60) {
        throw badInput('windowMinutes', 'windowMinutes must be 1 .. 10080 (a week)');
      }
    } else if (rule.kind === 'CHURN') {
      if (rule.phrases.length === 0) throw badInput('phrases', 'a churn rule needs at least one phrase');
      rule.threshold = null;
      rule.windowMinutes = null;
    } else {
      throw badInput('kind', 'kind must be TOPIC_THRESHOLD or CHURN');
    }
    await this.pool.query(
      `INSERT INTO care_escalation_rules (name, kind, team, threshold, window_minutes, phrases, enabled, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, team = excluded.team, threshold = excluded.threshold,
         window_minutes = excluded.window_minutes, phrases = excluded.phrases, enabled = excluded.enabled,
         updated_by = excluded.updated_by, updated_at = now()`,
      [rule.name, rule.kind, rule.team, rule.threshold, rule.windowMinutes, rule.phrases, rule.enabled, by],
    );
    return rule;
  }

  async deleteEscalationRule(ruleName: string): Promise<boolean> {
    return this.deleteNamed('care_escalation_rules', 'escalation rule', ruleName);
  }

  async setFilterRule(input: FilterRuleInput, by: string) {
    const rule = { name: name(input.name), categories: [...new Set(input.categories)], unlessSkillGroup: input.unlessSkillGroup, enabled: input.enabled };
    await this.pool.query(
      `INSERT INTO care_filter_rules (name, categories, unless_skill_group, enabled, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET categories = excluded.categories, unless_skill_group = excluded.unless_skill_group,
         enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()`,
      [rule.name, rule.categories, rule.unlessSkillGroup, rule.enabled, by],
    );
    return rule;
  }

  private skillGroup(input: SkillGroupInput) {
    const group = { name: name(input.name), position: input.position, keywords: words(input.keywords, 'keywords'), hashtags: tags(input.hashtags, 'hashtags') };
    if (group.keywords.length + group.hashtags.length === 0) throw badInput('keywords', 'a skill group owns at least one keyword or hashtag');
    return group;
  }

  private async deleteNamed(table: string, what: string, ruleName: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${table} WHERE name = $1`, [ruleName.trim()]);
    if (!rowCount) throw new DomainError('NOT_FOUND', `no ${what} named "${ruleName}"`);
    return true;
  }
}
