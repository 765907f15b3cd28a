import { requiredText, Platform, DomainError, badInput, checkId } from '../../graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '../../audit';
import type { Viewer } from '../../auth';
import { withRetry } from '../../db';
import { normaliseHandle } from '../../identities';
import type { DoNotEngageRule, DoNotEngageRuleInput } from './do-not-engage.types';
import { foldText } from '../rules';

const MAX_HANDLES = 200;
const MAX_KEYWORDS = 100;
const MAX_WORD = 100;
const MAX_REASON = 500;

/** Columns of a DoNotEngageRule (table alias r), with what it filtered (a partial index answers the count). */
const RULE_COLUMNS = `r.id, r.name, r.handles, r.keywords, r.reason, r.active, r.updated_at AS "updatedAt", r.updated_by AS "updatedBy",
  (SELECT count(*)::int FROM interactions i WHERE i.do_not_engage_rule_id = r.id) AS filtered`;

/** The rule as stored: handles normalised as identities store them, keywords folded, duplicates dropped. */
function checked(input: DoNotEngageRuleInput) {
  if (input.handles.length > MAX_HANDLES) throw badInput('handles', `at most ${MAX_HANDLES} handles`);
  if (input.keywords.length > MAX_KEYWORDS) throw badInput('keywords', `at most ${MAX_KEYWORDS} keywords`);
  const handles = [...new Set(input.handles.map((h, i) => {
    const field = `handles[${i}]`;
    // Platform OTHER: @ and profile URLs stripped, lower case, as every platform but WhatsApp stores a handle.
    return normaliseHandle(Platform.OTHER, requiredText(h, field, MAX_WORD), 'US', field).handle;
  }))];
  const keywords = [...new Set(input.keywords.map((k, i) => {
    const keyword = foldText(requiredText(k, `keywords[${i}]`, MAX_WORD)).replace(/\s+/g, ' ');
    // A bare * would match every post.
    if (keyword.replace(/\*$/, '').trim() === '') throw badInput(`keywords[${i}]`, `keywords[${i}] must contain a word`);
    return keyword;
  }))];
  if (input.active && handles.length + keywords.length === 0) {
    throw badInput('handles', 'an active rule names at least one handle or keyword (to remove a rule: active: false)');
  }
  return { name: requiredText(input.name, 'name', MAX_WORD), handles, keywords, reason: requiredText(input.reason, 'reason', MAX_REASON), active: input.active };
}

const sameContent = (a: ReturnType<typeof checked>, b: DoNotEngageRule) =>
  JSON.stringify([a.handles, a.keywords, a.reason, a.active]) === JSON.stringify([b.handles, b.keywords, b.reason, b.active]);

/**
 * Do-not-engage rules: supervisors set them, agents read them, ingestion applies them (they are
 * part of the care rules it caches: do-not-engage.ts). Every change is audited.
 */
export class DoNotEngageService {
  constructor(private readonly dataSource: DataSource) {}

  /** Active rules first, then by name. */
  async list(): Promise<DoNotEngageRule[]> {
    return this.dataSource.query(`SELECT ${RULE_COLUMNS} FROM care_do_not_engage_rules r ORDER BY r.active DESC, r.name`);
  }

  /**
   * Creates a rule, or replaces the one named by id. Without id a name in use is CONFLICT, unless
   * the content is the same (a retry): then the rule is answered and nothing written.
   */
  async set(input: DoNotEngageRuleInput, by: Viewer): Promise<DoNotEngageRule> {
    const id = input.id == null ? null : checkId(input.id, 'id', 'a rule id');
    const rule = checked(input);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      let ruleId: string;
      try {
        const written: { id: string }[] = id === null
          ? await m.query(
            `INSERT INTO care_do_not_engage_rules (name, handles, keywords, reason, active, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (name) DO NOTHING RETURNING id`,
            [rule.name, rule.handles, rule.keywords, rule.reason, rule.active, by.sub])
          : (await m.query(
            `UPDATE care_do_not_engage_rules SET name = $2, handles = $3, keywords = $4, reason = $5, active = $6, updated_by = $7, updated_at = now()
              WHERE id = $1 RETURNING id`,
            [id, rule.name, rule.handles, rule.keywords, rule.reason, rule.active, by.sub]))[0];
        if (written.length === 0 && id !== null) throw new DomainError('NOT_FOUND', `no do-not-engage rule with id ${id}`, { field: 'id' });
        if (written.length === 0) {
          const existing = await this.byName(m, rule.name);
          if (!sameContent(rule, existing)) throw new DomainError('CONFLICT', `a do-not-engage rule named "${rule.name}" exists already`, { field: 'name' });
          return existing;
        }
        ruleId = written[0].id;
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new DomainError('CONFLICT', `a do-not-engage rule named "${rule.name}" exists already`, { field: 'name' });
        throw error;
      }
      // Counts only: the handles a rule names are personal data, and the audit log is not erased.
      await recordAudit(m, {
        actor: by, action: 'DO_NOT_ENGAGE_RULE_SET', subject: null,
        details: { ruleId, created: id === null, active: rule.active, handles: rule.handles.length, keywords: rule.keywords.length },
      });
      const [saved]: DoNotEngageRule[] = await m.query(`SELECT ${RULE_COLUMNS} FROM care_do_not_engage_rules r WHERE r.id = $1`, [ruleId]);
      return saved;
    }));
  }

  private async byName(m: EntityManager, name: string): Promise<DoNotEngageRule> {
    const [rule]: DoNotEngageRule[] = await m.query(`SELECT ${RULE_COLUMNS} FROM care_do_not_engage_rules r WHERE r.name = $1`, [name]);
    return rule;
  }
}
