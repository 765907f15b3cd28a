import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ChurnPatternError, churnSignalSql, compileChurnPattern } from '../src/influence/churn-rule';

/** interaction_priority_base with a churn condition; the rest is as 1795660000000 made it. */
const priorityBase = (churn: string) => `
      CREATE OR REPLACE FUNCTION interaction_priority_base(w jsonb, p_tier text, p_influence double precision, p_category text,
                                                           p_sentiment real, p_content text, p_topics text[])
      RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
        SELECT greatest(1.0,
          (w->>'base')::float8
          + coalesce((w->'tier'->>p_tier)::float8, 0)
          + coalesce(p_influence, 0) * (w->>'influencePerPoint')::float8
          + coalesce((w->'category'->>p_category)::float8, 0)
          - coalesce(p_sentiment::numeric::float8, 0) * (w->>'negativeSentiment')::float8
          + CASE WHEN ${churn} THEN (w->>'churn')::float8 ELSE 0 END)
      $$`;

/** The condition before this migration: the supervisor's pattern, read by PostgreSQL's own regex engine. */
const OLD_CHURN = `p_content ~* (w->>'churnPattern') OR 'churn' = ANY(p_topics)`;

/** Re-ranks every open inbound item, rewriting only those whose rank changes (1795710000000). */
const REQUEUE_ALL = `SELECT interactions_requeue(ARRAY(SELECT DISTINCT customer_id FROM interactions WHERE status = 'OPEN' AND direction = 'INBOUND'))`;

/**
 * One churn rule (docs/churn.md). The ranking function used to apply the supervisor's
 * churnPattern with PostgreSQL's `~*` while the reasons applied it with JavaScript's RegExp:
 * two regex engines, two meanings of the same text (`\b`, `\w`, `.` and newlines, non-ASCII case).
 * Now src/influence/churn-rule.ts compiles the pattern once into both forms; the settings keep
 * the SQL form beside the pattern (weights->>'churnPatternSql') and the ranking function applies
 * it with the case-sensitive `~` (the cases are spelled out in it). Open items whose rank changes
 * under the compiled form are re-ranked.
 */
export class OneChurnRule1795720000000 implements MigrationInterface {
  name = 'OneChurnRule1795720000000';

  async up(q: QueryRunner): Promise<void> {
    const rows: { pattern: string | null }[] = await q.query(`SELECT weights->>'churnPattern' AS pattern FROM priority_settings`);
    for (const { pattern } of rows) {
      if (pattern === null) continue;
      let sql: string;
      try {
        sql = compileChurnPattern(pattern).sql;
      } catch (error) {
        if (!(error instanceof ChurnPatternError)) throw error;
        throw new Error(
          `the stored churnPattern ${JSON.stringify(pattern)} is outside the churn rule's language (${error.message}); ` +
          'change it with setPriorityWeights (or in priority_settings.weights) and migrate again',
        );
      }
      await q.query(`UPDATE priority_settings SET weights = weights || jsonb_build_object('churnPatternSql', $1::text)`, [sql]);
    }
    await q.query(priorityBase(churnSignalSql('w', 'p_content', 'p_topics')));
    await q.query(REQUEUE_ALL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(priorityBase(OLD_CHURN));
    await q.query(`UPDATE priority_settings SET weights = weights - 'churnPatternSql'`);
    await q.query(REQUEUE_ALL);
  }
}
