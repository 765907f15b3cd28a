import type { MigrationInterface, QueryRunner } from 'typeorm';
import { customerGrantedNowSql } from '../src/identities/consent.sql';
import { INFLUENCE_BODY } from './1795710000000-SetBasedRequeue';

/** interaction_influence's body with the customer's current PROFILING grant required (before the final ORDER BY). */
const CONSENTED_INFLUENCE_BODY = INFLUENCE_BODY.replace(
  '        ORDER BY (s.topic IS NOT NULL) DESC',
  `        WHERE ${customerGrantedNowSql('p_customer', `'PROFILING'`)}
        ORDER BY (s.topic IS NOT NULL) DESC`,
);

/**
 * The care queue reads influence only while the customer holds PROFILING at that instant.
 *
 * interaction_influence (the influence that ranks an open item, used by the row trigger, bulk
 * ingestion's INSERT, interactions_requeue and every queue read for its reasons) skipped only
 * flagged scores (ingested without PROFILING): a customer who withdrew PROFILING kept the rank
 * their stored scores gave them. It now also needs the customer's current PROFILING grant
 * (consent-ledger.ts, customerGrantedNowSql: the same test segments and the influence reads use),
 * so the queue's reasons follow the consent at the read; and a statement trigger on the ledger
 * re-ranks the open items of every customer whose PROFILING decision it records, so the stored
 * order follows a grant or a withdrawal in the same transaction. (An expiry writes nothing: the
 * reasons follow it at the next read; the stored order is re-ranked by a periodic job,
 * src/influence/profiling-expiry.ts, which finds recent expiries by a partial index.)
 * Still one SELECT in SQL, so PostgreSQL keeps inlining it where it is used in FROM.
 */
export class ConsentAtTheRead1795890000000 implements MigrationInterface {
  name = 'ConsentAtTheRead1795890000000';

  async up(q: QueryRunner): Promise<void> {
    if (CONSENTED_INFLUENCE_BODY === INFLUENCE_BODY) throw new Error('ConsentAtTheRead: the influence body changed shape');
    await q.query(`
      CREATE OR REPLACE FUNCTION interaction_influence(p_customer uuid, p_topics text[])
      RETURNS TABLE (score double precision, topic text) LANGUAGE sql STABLE AS $$${CONSENTED_INFLUENCE_BODY}
      $$`);
    await q.query(`
      CREATE FUNCTION consent_events_requeue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM interactions_requeue(ARRAY(SELECT DISTINCT customer_id FROM new_events WHERE purpose = 'PROFILING'));
        RETURN NULL;
      END $$`);
    // Statement triggers fire in name order: consent_events_current has updated consent_current by then.
    await q.query(`
      CREATE TRIGGER consent_events_requeue AFTER INSERT ON consent_events
        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION consent_events_requeue()`);
    await q.query(`
      CREATE INDEX consent_current_profiling_expiry_idx ON consent_current (expires_at)
        WHERE purpose = 'PROFILING' AND status = 'GRANTED' AND expires_at IS NOT NULL`);
    // Items ranked with the influence of customers who do not hold PROFILING now lose it.
    await q.query(`SELECT interactions_requeue(ARRAY(SELECT DISTINCT customer_id FROM influence_scores))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent_current_profiling_expiry_idx`);
    await q.query(`DROP TRIGGER consent_events_requeue ON consent_events`);
    await q.query(`DROP FUNCTION consent_events_requeue()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION interaction_influence(p_customer uuid, p_topics text[])
      RETURNS TABLE (score double precision, topic text) LANGUAGE sql STABLE AS $$${INFLUENCE_BODY}
      $$`);
    await q.query(`SELECT interactions_requeue(ARRAY(SELECT DISTINCT customer_id FROM influence_scores))`);
  }
}
