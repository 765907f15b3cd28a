import { AsyncResource } from 'node:async_hooks';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { badInput, InteractionCategory, Tier } from '../graphql';
import { ChurnPatternError, churnPatternOf } from './churn-rule';
import { DEFAULT_PRIORITY_WEIGHTS, type PriorityWeights } from './priority';
import type { PriorityWeightsInput, PriorityWeightsSettings } from './priority.types';

/** How long a process trusts its copy of the weights before reading them again. */
const CACHE_MS = 5_000;

interface StoredSettings {
  weights: PriorityWeights;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * The stored weights of the priority formula. Reads are served from a short-lived copy so
 * that Customer.priority costs no statement; the refresh runs outside the request's async
 * context (it is nobody's request) and the care queue reads the weights in its own statement.
 */
export class PrioritySettingsService {
  private cached: { at: number; value: Promise<StoredSettings> } | null = null;
  private readonly refresh: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pool: Pool,
  ) {
    this.refresh = AsyncResource.bind(() => {
      const value = this.read();
      value.then(
        () => (this.cached = { at: Date.now(), value }),
        () => undefined,
      );
    });
    // The first read starts now, outside any request, and every early caller shares it.
    const first = AsyncResource.bind(() => this.read())();
    first.catch(() => (this.cached = null));
    this.cached = { at: Date.now(), value: first };
  }

  /** The current weights; once a copy exists, never waits for the database. */
  async weights(): Promise<PriorityWeights> {
    if (!this.cached) {
      const value = this.read();
      this.cached = { at: Date.now(), value };
      value.catch(() => (this.cached = null));
      return (await value).weights;
    }
    if (Date.now() - this.cached.at > CACHE_MS) {
      this.cached.at = Date.now();
      this.refresh();
    }
    return (await this.cached.value).weights;
  }

  async settings(): Promise<PriorityWeightsSettings> {
    return toSettings(await this.read());
  }

  /**
   * Changes the given weights, then re-ranks every open inbound interaction in the same
   * transaction (the row trigger recomputes them), so the queue never mixes two weightings.
   */
  async update(input: PriorityWeightsInput, by: string): Promise<PriorityWeightsSettings> {
    const stored = await this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT weights FROM priority_settings FOR UPDATE`);
      const weights = mergeWeights({ ...DEFAULT_PRIORITY_WEIGHTS, ...(row?.weights ?? {}) }, input);
      const churnPatternSql = churnPatternOf(weights.churnPattern).sql;
      if (input.churnPattern != null) {
        // The compiled form is a regex PostgreSQL has never seen: let it refuse one it cannot build
        // (too complex, say) here rather than in the next ranking.
        await m.query(`SAVEPOINT pattern`);
        try {
          await m.query(`SELECT '' ~ $1`, [churnPatternSql]);
        } catch {
          throw badInput('churnPattern', 'churnPattern is too complex for PostgreSQL');
        }
        await m.query(`RELEASE SAVEPOINT pattern`);
      }
      // The ranking function reads the SQL form of the churn rule beside the pattern it comes from.
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [[saved]] = await m.query(
        `UPDATE priority_settings SET weights = $1::jsonb, updated_at = now(), updated_by = $2
         RETURNING weights, updated_at AS "updatedAt", updated_by AS "updatedBy"`,
        [JSON.stringify({ ...weights, churnPatternSql }), by],
      );
      await m.query(`UPDATE interactions SET status = status WHERE status = 'OPEN' AND direction = 'INBOUND'`);
      return saved as StoredSettings;
    });
    const settings = { ...stored, weights: withoutSqlForm(stored.weights) };
    this.cached = { at: Date.now(), value: Promise.resolve(settings) };
    return toSettings(settings);
  }

  private async read(): Promise<StoredSettings> {
    const { rows } = await this.pool.query<StoredSettings>(
      `SELECT weights, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM priority_settings`,
    );
    const row = rows[0];
    const weights = withoutSqlForm({ ...DEFAULT_PRIORITY_WEIGHTS, ...(row?.weights ?? {}) });
    // The first compile builds the case table (tens of ms): do it here, outside any request's
    // path when the constructor reads. A pattern that does not compile fails where it is used.
    try {
      churnPatternOf(weights.churnPattern);
    } catch {
      // reported by the reader that needs it
    }
    return { weights, updatedAt: row?.updatedAt ?? new Date(0), updatedBy: row?.updatedBy ?? 'default' };
  }
}

/** The stored weights without the churn rule's SQL form, which only the database reads. */
function withoutSqlForm(weights: PriorityWeights & { churnPatternSql?: string }): PriorityWeights {
  const { churnPatternSql: _sql, ...rest } = weights;
  return rest;
}

function toSettings(s: StoredSettings): PriorityWeightsSettings {
  const w = s.weights;
  return {
    base: w.base,
    tierPoints: Object.values(Tier).map((tier) => ({ tier, points: w.tier[tier] ?? 0 })),
    influencePerPoint: w.influencePerPoint,
    categoryPoints: Object.values(InteractionCategory).map((category) => ({ category, points: w.category[category] ?? 0 })),
    negativeSentiment: w.negativeSentiment,
    churn: w.churn,
    churnPattern: w.churnPattern,
    slaDoublingMinutes: w.slaDoublingMinutes,
    defaultSlaMinutes: w.defaultSlaMinutes,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

const MAX_POINTS = 1000;
/**
 * Smaller non-zero points would make the SQL formula's products underflow (PostgreSQL raises
 * "value out of range: underflow" where JavaScript rounds to 0), and every ranked write fail:
 * the property test of the formula (priority-formula.property.test.ts) found 5e-324.
 */
const MIN_POINTS = 1e-6;

function points(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_POINTS) throw badInput(field, `${field} must be between 0 and ${MAX_POINTS}`);
  if (value !== 0 && value < MIN_POINTS) throw badInput(field, `${field} must be 0 or at least ${MIN_POINTS}`);
  return value;
}

/** Validates every given field before anything is written. */
export function mergeWeights(current: PriorityWeights, input: PriorityWeightsInput): PriorityWeights {
  const next: PriorityWeights = { ...current, tier: { ...current.tier }, category: { ...current.category } };
  if (input.base != null) next.base = points('base', input.base);
  if (input.influencePerPoint != null) next.influencePerPoint = points('influencePerPoint', input.influencePerPoint);
  if (input.negativeSentiment != null) next.negativeSentiment = points('negativeSentiment', input.negativeSentiment);
  if (input.churn != null) next.churn = points('churn', input.churn);
  input.tierPoints?.forEach((t, i) => (next.tier[t.tier] = points(`tierPoints[${i}].points`, t.points)));
  input.categoryPoints?.forEach((c, i) => (next.category[c.category] = points(`categoryPoints[${i}].points`, c.points)));
  if (input.slaDoublingMinutes != null) {
    if (!Number.isInteger(input.slaDoublingMinutes) || input.slaDoublingMinutes < 1 || input.slaDoublingMinutes > 10_080) {
      throw badInput('slaDoublingMinutes', 'slaDoublingMinutes must be between 1 and 10080 (a week)');
    }
    next.slaDoublingMinutes = input.slaDoublingMinutes;
  }
  if (input.defaultSlaMinutes != null) {
    if (!Number.isInteger(input.defaultSlaMinutes) || input.defaultSlaMinutes < 1 || input.defaultSlaMinutes > 43_200) {
      throw badInput('defaultSlaMinutes', 'defaultSlaMinutes must be between 1 and 43200 (30 days)');
    }
    next.defaultSlaMinutes = input.defaultSlaMinutes;
  }
  if (input.churnPattern != null) {
    const pattern = input.churnPattern.trim();
    // The churn rule's language: what compiles means the same in TypeScript and in SQL.
    try {
      churnPatternOf(pattern);
    } catch (error) {
      if (error instanceof ChurnPatternError) throw badInput('churnPattern', error.message);
      throw error;
    }
    next.churnPattern = pattern;
  }
  return next;
}
