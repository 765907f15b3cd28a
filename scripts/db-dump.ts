// `npm run db:dump`: writes schema/database.sql, the current body of every function, trigger and
// partial index, from a database migrated from scratch (a test fails when the file differs).
// DATABASE_URL set: a scratch database on that server, dropped afterwards; unset: a throwaway
// embedded PostgreSQL in a temp folder.
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/common/free-port';
import { createDataSource } from '../src/db/data-source';
import { databaseRules } from '../src/db/database-rules';
import { startEmbeddedPostgres } from '../src/db/embedded';

async function withServer(run: (url: string) => Promise<void>): Promise<void> {
  if (process.env.DATABASE_URL) return run(process.env.DATABASE_URL);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-dump-'));
  const db = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'social_crm_dump', throwaway: true });
  try {
    await run(db.url);
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await withServer(async (serverUrl) => {
    const url = new URL(serverUrl);
    const name = `dump_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      url.pathname = `/${name}`;
      const ds = createDataSource({ url: url.toString(), poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
        const file = path.resolve(__dirname, '../../schema/database.sql');
        writeFileSync(file, await databaseRules((sql) => ds.query(sql)));
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
      } finally {
        await ds.destroy();
      }
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
