import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * src/common/topics.ts normaliseTopic in SQL, as it was when this migration was written (a
 * migration must not change with the code). PostgreSQL's [[:space:]] and lower() (the
 * database's ctype) agree with it for the ASCII and Latin topics stored so far.
 */
const n = (expr: string) =>
  `regexp_replace(regexp_replace(lower(regexp_replace(btrim(${expr}), '^#+', '')), '[[:space:]_-]+', '-', 'g'), '^-|-$', '', 'g')`;

/**
 * Topics already stored are put in the one form of src/common/topics.ts (docs/topics.md):
 * interactions.topics, influence_scores.topic, and the hashtags of lane rules and skill groups.
 * Every value changed is kept in topic_normalisation_undo first, so down puts them back.
 * The burst counters (care_topic_minutes, care_topic_bursts) are merged under the new form:
 * two old spellings of one topic become one counter. They only span the last windows, and the
 * merge cannot be told apart afterwards, so down leaves them merged (it is a no-op for them).
 */
export class NormaliseTopics1795742000000 implements MigrationInterface {
  name = 'NormaliseTopics1795742000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE topic_normalisation_undo (
        table_name text NOT NULL,
        row_id text NOT NULL,
        old_value jsonb,
        PRIMARY KEY (table_name, row_id)
      )`);
    // The array in the new form: each topic normalised, empty ones dropped, each once in order of first use.
    const normalisedArray = (col: string) => `ARRAY(
        SELECT t FROM (SELECT ${n('x')} AS t, min(o) AS o FROM unnest(${col}) WITH ORDINALITY AS u(x, o) GROUP BY 1) v
         WHERE t <> '' ORDER BY o)`;
    await q.query(`
      INSERT INTO topic_normalisation_undo (table_name, row_id, old_value)
      SELECT 'interactions', id::text, to_jsonb(topics) FROM interactions WHERE topics <> ${normalisedArray('topics')}`);
    await q.query(`
      UPDATE interactions i SET topics = ${normalisedArray('i.topics')}
        FROM topic_normalisation_undo u WHERE u.table_name = 'interactions' AND u.row_id = i.id::text`);
    await q.query(`
      INSERT INTO topic_normalisation_undo (table_name, row_id, old_value)
      SELECT 'influence_scores', id::text, to_jsonb(topic) FROM influence_scores
       WHERE topic IS NOT NULL AND topic IS DISTINCT FROM nullif(${n('topic')}, '')`);
    await q.query(`
      UPDATE influence_scores s SET topic = nullif(${n('s.topic')}, '')
        FROM topic_normalisation_undo u WHERE u.table_name = 'influence_scores' AND u.row_id = s.id::text`);
    for (const table of ['care_lane_rules', 'care_skill_groups']) {
      await q.query(`
        INSERT INTO topic_normalisation_undo (table_name, row_id, old_value)
        SELECT '${table}', name, to_jsonb(hashtags) FROM ${table} WHERE hashtags <> ${normalisedArray('hashtags')}`);
      await q.query(`
        UPDATE ${table} r SET hashtags = ${normalisedArray('r.hashtags')}
          FROM topic_normalisation_undo u WHERE u.table_name = '${table}' AND u.row_id = r.name`);
    }
    await q.query(`
      WITH old AS (
        DELETE FROM care_topic_minutes WHERE topic <> ${n('topic')} RETURNING ${n('topic')} AS topic, minute, posts
      )
      INSERT INTO care_topic_minutes AS m (topic, minute, posts)
      SELECT topic, minute, sum(posts) FROM old WHERE topic <> '' GROUP BY topic, minute
      ON CONFLICT (topic, minute) DO UPDATE SET posts = m.posts + excluded.posts`);
    // A burst under an old spelling whose new form already has one is dropped (the newer burst stays).
    await q.query(`
      DELETE FROM care_topic_bursts b WHERE b.topic <> ${n('b.topic')} AND (${n('b.topic')} = '' OR EXISTS (
        SELECT 1 FROM care_topic_bursts o WHERE o.rule_name = b.rule_name AND o.topic <> b.topic AND ${n('o.topic')} = ${n('b.topic')}
          AND (o.topic = ${n('o.topic')} OR o.ctid > b.ctid)))`);
    await q.query(`UPDATE care_topic_bursts SET topic = ${n('topic')} WHERE topic <> ${n('topic')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE interactions i SET topics = ARRAY(SELECT jsonb_array_elements_text(u.old_value))
        FROM topic_normalisation_undo u WHERE u.table_name = 'interactions' AND u.row_id = i.id::text`);
    await q.query(`
      UPDATE influence_scores s SET topic = u.old_value #>> '{}'
        FROM topic_normalisation_undo u WHERE u.table_name = 'influence_scores' AND u.row_id = s.id::text`);
    for (const table of ['care_lane_rules', 'care_skill_groups']) {
      await q.query(`
        UPDATE ${table} r SET hashtags = ARRAY(SELECT jsonb_array_elements_text(u.old_value))
          FROM topic_normalisation_undo u WHERE u.table_name = '${table}' AND u.row_id = r.name`);
    }
    await q.query(`DROP TABLE topic_normalisation_undo`);
  }
}
