import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { Gauge, type Registry } from 'prom-client';
import type { Viewer } from '../auth';
import { recordAudit } from '../audit';
import { UnsafePatternError } from '../common';
import { DomainError, badInput, checkId, Platform } from '../graphql';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';
import { compileBlockPattern, compileIdentityRules, type BlockHit, type IdentifierKind, type IdentityRules, type StoredBlock } from './identity-rules';

export interface BlockInput {
  kind: IdentifierKind;
  platform?: Platform | null;
  value?: string | null;
  pattern?: string | null;
  region?: string | null;
  reason: string;
}

export interface BlockRow extends StoredBlock {
  createdAt: Date;
  createdBy: string;
}

const MAX_REASON = 200;
const MAX_PATTERN = 200;
const MAX_KEYWORDS = 50;
const KEYWORD = /^[\p{L}\p{N}]{1,30}$/u;

const BLOCK_COLUMNS = `id, kind, platform, value, is_pattern AS "isPattern", reason, created_at AS "createdAt", created_by AS "createdBy"`;
/** The live blocks and the opt-out keywords, in one statement. */
const LOAD_SQL = `SELECT
  coalesce((SELECT json_agg(json_build_object('id', id, 'kind', kind, 'platform', platform, 'value', value, 'isPattern', is_pattern, 'reason', reason))
              FROM identifier_blocks WHERE removed_at IS NULL), '[]') AS blocks,
  coalesce((SELECT json_agg(keyword ORDER BY keyword) FROM opt_out_keywords), '[]') AS keywords`;

/**
 * The stored identity rules (blocked identifiers, opt-out keywords): changed by supervisors,
 * read by every touchpoint and ingestion call from memory, kept per identity_rules_version
 * (bumped by the tables' triggers in the transaction of a change, as care_rules_version is).
 */
export class IdentityRulesService {
  private last: { version: string; rules: IdentityRules } | null = null;
  /** Identifiers left out because they are blocked, per kind, since start (/metrics). */
  readonly blocked: Record<IdentifierKind, number> = { EMAIL: 0, PHONE: 0, HANDLE: 0 };

  constructor(private readonly dataSource: DataSource, private readonly pool: Pool, private readonly defaultPhoneRegion: string) {}

  /**
   * The rules at `version` (identity_rules_version as the caller read it in its transaction):
   * from memory when nothing changed since, else read again in the caller's transaction.
   * Usage: `await identityRules.cached(m, version)`
   */
  async cached(m: EntityManager, version: string): Promise<IdentityRules> {
    if (this.last?.version === version) return this.last.rules;
    const [row]: { blocks: StoredBlock[]; keywords: string[] }[] = await m.query(LOAD_SQL);
    const rules = compileIdentityRules(row.blocks, row.keywords);
    this.last = { version, rules };
    return rules;
  }

  /**
   * The rules for a write that has not read the version yet: one statement, which brings the
   * rules along only when the version moved since the last read (else from memory).
   */
  async current(m: EntityManager): Promise<IdentityRules> {
    const known = this.last?.version ?? '';
    const [row]: { version: string; blocks: StoredBlock[] | null; keywords: string[] | null }[] = await m.query(
      `SELECT v.version::text AS version, l.blocks, l.keywords FROM identity_rules_version v
         LEFT JOIN LATERAL (${LOAD_SQL} WHERE v.version::text <> $1) l ON true`,
      [known],
    );
    if (row.version === known && this.last) return this.last.rules;
    const rules = compileIdentityRules(row.blocks!, row.keywords!);
    this.last = { version: row.version, rules };
    return rules;
  }

  /** Counts identifiers left out by a block (the metric). */
  countBlocked(hits: readonly BlockHit[]): void {
    for (const h of hits) this.blocked[h.kind] += 1;
  }

  async list(): Promise<BlockRow[]> {
    const { rows } = await this.pool.query<BlockRow>(`SELECT ${BLOCK_COLUMNS} FROM identifier_blocks WHERE removed_at IS NULL ORDER BY created_at, id`);
    return rows;
  }

  /**
   * Blocks a value or a pattern. Blocking what is already blocked answers the live block (a
   * retry writes once). Identifiers already linked stay where they are: a block only stops
   * future links (detachIdentifier moves one that was linked by mistake).
   */
  async block(input: BlockInput, viewer: Viewer): Promise<BlockRow> {
    const reason = input.reason?.trim() ?? '';
    if (reason.length < 1 || reason.length > MAX_REASON) throw badInput('input.reason', `reason must be 1-${MAX_REASON} characters`);
    if ((input.value == null) === (input.pattern == null)) throw badInput('input.value', 'give exactly one of value or pattern');
    if (input.kind !== 'HANDLE' && input.platform != null) throw badInput('input.platform', 'platform goes with kind HANDLE only');
    const platform = input.platform ?? null;
    let value: string;
    if (input.pattern != null) {
      value = input.pattern.trim();
      if (value.length < 1 || value.length > MAX_PATTERN) throw badInput('input.pattern', `pattern must be 1-${MAX_PATTERN} characters`);
      let matchesEmpty: boolean;
      try {
        matchesEmpty = compileBlockPattern(value).test('');
      } catch (error) {
        if (error instanceof UnsafePatternError) throw badInput('input.pattern', error.message);
        throw error;
      }
      if (matchesEmpty) throw badInput('input.pattern', 'pattern matches the empty value: it would block everything');
    } else {
      const region = input.region?.trim() || this.defaultPhoneRegion;
      if (input.kind === 'EMAIL') value = normaliseEmail(input.value!, 'input.value');
      else if (input.kind === 'PHONE') value = normalisePhone(input.value!, region, 'input.value');
      else {
        if (!platform) throw badInput('input.platform', 'platform is required to block a handle');
        value = normaliseHandle(platform, input.value!, region, 'input.value').handle;
      }
    }
    return this.dataSource.transaction(async (m) => {
      const inserted: BlockRow[] = await m.query(
        `INSERT INTO identifier_blocks (kind, platform, value, is_pattern, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, coalesce(platform, ''), value, is_pattern) WHERE removed_at IS NULL DO NOTHING RETURNING ${BLOCK_COLUMNS}`,
        [input.kind, platform, value, input.pattern != null, reason, viewer.sub],
      );
      if (inserted[0]) {
        await recordAudit(m, {
          actor: viewer, action: 'IDENTIFIER_BLOCKED', subject: inserted[0].id,
          details: { kind: input.kind, platform, pattern: input.pattern != null },
        });
        return inserted[0];
      }
      const [live]: BlockRow[] = await m.query(
        `SELECT ${BLOCK_COLUMNS} FROM identifier_blocks
          WHERE kind = $1 AND coalesce(platform, '') = coalesce($2, '') AND value = $3 AND is_pattern = $4 AND removed_at IS NULL`,
        [input.kind, platform, value, input.pattern != null],
      );
      return live;
    });
  }

  /** Lifts a block (kept, with who lifted it and when). True when this call lifted it, false when it was lifted before. */
  async unblock(id: string, viewer: Viewer): Promise<boolean> {
    checkId(id, 'id', 'a block id');
    return this.dataSource.transaction(async (m) => {
      const [found]: { removed: boolean }[] = await m.query(`SELECT removed_at IS NOT NULL AS removed FROM identifier_blocks WHERE id = $1 FOR UPDATE`, [id]);
      if (!found) throw new DomainError('NOT_FOUND', `no blocked identifier with id ${id}`, { field: 'id' });
      if (found.removed) return false;
      await m.query(`UPDATE identifier_blocks SET removed_at = now(), removed_by = $2 WHERE id = $1`, [id, viewer.sub]);
      await recordAudit(m, { actor: viewer, action: 'IDENTIFIER_UNBLOCKED', subject: id });
      return true;
    });
  }

  async optOutKeywords(): Promise<string[]> {
    const { rows } = await this.pool.query<{ keyword: string }>(`SELECT keyword FROM opt_out_keywords ORDER BY keyword`);
    return rows.map((r) => r.keyword);
  }

  /** Replaces the opt-out keywords (upper-cased, one word each; an empty list turns opt-out by message off). */
  async setOptOutKeywords(keywords: readonly string[], viewer: Viewer): Promise<string[]> {
    if (keywords.length > MAX_KEYWORDS) throw badInput('keywords', `at most ${MAX_KEYWORDS} keywords`);
    const words = [...new Set(keywords.map((k, i) => {
      const w = k.trim().toUpperCase();
      if (!KEYWORD.test(w)) throw badInput(`keywords[${i}]`, `keywords[${i}] must be one word of 1-30 letters or digits`);
      return w;
    }))].sort();
    await this.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM opt_out_keywords WHERE keyword <> ALL($1::text[])`, [words]);
      await m.query(
        `INSERT INTO opt_out_keywords (keyword, updated_by) SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT (keyword) DO NOTHING`,
        [words, viewer.sub],
      );
      await recordAudit(m, { actor: viewer, action: 'OPT_OUT_KEYWORDS_SET', subject: 'Mutation.setOptOutKeywords', details: { keywords: words.length } });
    });
    return words;
  }
}

/**
 * Identifiers left out by a block, per kind, on /metrics, summed over the app's services.
 * Usage: `registerIdentityMetrics(metrics.registry, [services.identityRules])` (src/app.ts)
 */
export function registerIdentityMetrics(registry: Registry, services: readonly Pick<IdentityRulesService, 'blocked'>[]): void {
  new Gauge({
    name: 'social_crm_identifiers_blocked_total', help: 'Identifiers given at a touchpoint or ingestion that a block kept from linking, by kind',
    labelNames: ['kind'], registers: [registry],
    collect() {
      for (const kind of ['EMAIL', 'PHONE', 'HANDLE'] as const) this.set({ kind }, services.reduce((n, s) => n + s.blocked[kind], 0));
    },
  });
}
