import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { freePort } from './helpers/process';

/**
 * One real PostgreSQL for the whole run: DATABASE_URL when set, otherwise a throwaway
 * embedded cluster in a temp folder on a free port. Migrations run once here; test files
 * then share the database and each makes its own data.
 */
export default async function globalSetup(): Promise<void> {
  // Lets test files share work done once per run (test/helpers/process.ts compiles dist/ once).
  process.env.TEST_RUN_ID = randomUUID();
  if (!process.env.DATABASE_URL) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-test-'));
    const db = await startEmbeddedPostgres({
      dir, port: await freePort(), database: 'social_crm_test', throwaway: true,
      notice: (line) => process.stderr.write(line + '\n'),
    });
    process.env.DATABASE_URL = db.url;
    (globalThis as Record<string, unknown>).__TEST_DB__ = { stop: db.stop, dir };
  }
  const dataSource = createDataSource({ url: process.env.DATABASE_URL!, poolSize: 2 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
