import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * While an incident is open, every ingested post on its topic joins it: one care_incident_posts
 * row per post and incident, one care_incident_posters row per new poster. Their five foreign
 * keys made PostgreSQL run five row checks (`SELECT 1 ... FOR KEY SHARE`) per joined post, more
 * than half of the join statement and about 20 µs of PostgreSQL per ingested interaction in
 * `npm run bench:ingest` (docs/benchmarks.md), where the bench's topics keep incidents open.
 *
 * The checks can never fail. The two tables are written by src/care/incidents/incident.writer.ts only,
 * with ids the same statement just read: incidents locked FOR SHARE in it (the lock the check
 * would take), interactions and their customers inserted or selected by the same transaction.
 * Nothing deletes incidents, interactions or customers (erasure scrubs values in place, merges
 * keep the merged customer row). So the keys go, and with them the index that served only the
 * interaction key; the primary keys, the posters' order and customer indexes stay.
 * `down` puts keys and index back (validating the rows written meanwhile).
 */
export class IncidentPostsWithoutRowChecks1795821000000 implements MigrationInterface {
  name = 'IncidentPostsWithoutRowChecks1795821000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE care_incident_posts
        DROP CONSTRAINT care_incident_posts_incident_id_fkey,
        DROP CONSTRAINT care_incident_posts_interaction_id_fkey`);
    await q.query(`DROP INDEX care_incident_posts_interaction_idx`);
    await q.query(`
      ALTER TABLE care_incident_posters
        DROP CONSTRAINT care_incident_posters_incident_id_fkey,
        DROP CONSTRAINT care_incident_posters_customer_id_fkey,
        DROP CONSTRAINT care_incident_posters_interaction_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX care_incident_posts_interaction_idx ON care_incident_posts (interaction_id)`);
    await q.query(`
      ALTER TABLE care_incident_posts
        ADD CONSTRAINT care_incident_posts_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES care_incidents(id),
        ADD CONSTRAINT care_incident_posts_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES interactions(id)`);
    await q.query(`
      ALTER TABLE care_incident_posters
        ADD CONSTRAINT care_incident_posters_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES care_incidents(id),
        ADD CONSTRAINT care_incident_posters_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
        ADD CONSTRAINT care_incident_posters_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES interactions(id)`);
  }
}
