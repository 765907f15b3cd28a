import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createDataSource } from '../../src/db/data-source';
import { migrations } from '../../migrations';
import { withScratchDatabase } from '../helpers/databases';

const tables = async (ds: ReturnType<typeof createDataSource>) =>
  (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`))
    .map((r: { table_name: string }) => r.table_name);

describe('migrations', () => {
  it('lists every migration file of migrations/ in migrations/index.ts', () => {
    const files = readdirSync(path.resolve(__dirname, '../../migrations')).filter((f) => /^\d+-.+\.ts$/.test(f));
    const names = files.map((f) => f.replace(/^(\d+)-(.+)\.ts$/, '$2$1')).sort();
    expect(migrations.map((m) => m.name).sort()).toEqual(names);
  });

  it('apply on an empty database, revert completely, and apply again', async () => {
    await withScratchDatabase(async (url) => {
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations();
        const created = await tables(ds);
        expect(created).toEqual(expect.arrayContaining(['customers', 'interactions', 'social_identities', 'consent_events']));
        for (let n = 0; n < migrations.length; n++) await ds.undoLastMigration();
        expect(await tables(ds)).toEqual([]);
        await ds.runMigrations();
        expect(await tables(ds)).toEqual(created);
      } finally {
        await ds.destroy();
      }
    }, { migrate: false });
  });

  it('revert every migration after the core model, newest first, on a database that holds data, and apply them again', async () => {
    await withScratchDatabase(async (url) => {
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations();
        const [{ id }] = await ds.query(`INSERT INTO customers (display_name) VALUES ('Kept Customer') RETURNING id`);
        const [{ id: conversation }] = await ds.query(
          `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
           VALUES ($1, 'EMAIL', 'EMAIL', '{EMAIL}', now(), now()) RETURNING id`,
          [id],
        );
        await ds.query(
          `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content)
           VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'kept through every down and up')`,
          [id, conversation],
        );
        const [{ id: identity }] = await ds.query(
          `INSERT INTO social_identities (customer_id, platform, handle, captured_via, captured_by)
           VALUES ($1, 'TWITTER', 'kept', 'IMPORT', 'test') RETURNING id`,
          [id],
        );
        await ds.query(
          `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by)
           VALUES ($1, $2, 'MARKETING', 'GRANTED', 'IMPORT', 'test')`,
          [id, identity],
        );
        await ds.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at) VALUES ($1, 5, 'test', now())`, [id]);
        for (let n = 1; n < migrations.length; n++) await ds.undoLastMigration();
        await ds.runMigrations();
        const [kept] = await ds.query(
          `SELECT (SELECT count(*)::int FROM interactions WHERE customer_id = $1) AS interactions,
                  (SELECT count(*)::int FROM consent_events WHERE customer_id = $1) AS consents,
                  (SELECT count(*)::int FROM influence_scores WHERE customer_id = $1) AS scores`,
          [id],
        );
        expect(kept).toEqual({ interactions: 1, consents: 1, scores: 1 });
      } finally {
        await ds.destroy();
      }
    }, { migrate: false });
  });
});
