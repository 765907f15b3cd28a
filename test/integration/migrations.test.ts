import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { migrations } from '../../migrations';

/** A fresh, empty database on the test server, for migration runs that must not touch shared data. */
async function withScratchDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `scratch_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    url.pathname = `/${name}`;
    await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

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
    });
  });

  it('revert and re-apply the newest migration on a database that holds data', async () => {
    await withScratchDatabase(async (url) => {
      const ds = createDataSource({ url, poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations();
        const [{ id }] = await ds.query(`INSERT INTO customers (display_name) VALUES ('Kept Customer') RETURNING id`);
        await ds.query(
          `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
           VALUES ($1, 'EMAIL', 'EMAIL', '{EMAIL}', now(), now())`,
          [id],
        );
        await ds.undoLastMigration();
        await ds.runMigrations();
        const left = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'customers'`);
        expect(left[0].n).toBe(1);
      } finally {
        await ds.destroy();
      }
    });
  });
});
