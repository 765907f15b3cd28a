import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded';
import { freePort } from './process';

/**
 * A fresh database on the shared test server, migrated unless told otherwise, dropped after
 * `fn`: for tests that lock tables or kill backends and must not disturb other files.
 */
export async function withScratchDatabase(fn: (url: string) => Promise<void>, options: { migrate?: boolean } = {}): Promise<void> {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `scratch_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    url.pathname = `/${name}`;
    if (options.migrate !== false) {
      const ds = createDataSource({ url: url.toString(), poolSize: 1 });
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      await ds.destroy();
    }
    await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export interface ThrowawayCluster {
  url: string;
  port: number;
  /** Stops PostgreSQL (a fast shutdown: sessions are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it if running and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of this test's own (temp folder, free port), so it can be stopped and
 * restarted without touching the shared test database.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-cluster-'));
  const port = await freePort();
  const open = () => startEmbeddedPostgres({ dir, port, database: 'social_crm' });
  let db: EmbeddedDatabase | null = await open();
  const url = db.url;
  return {
    url,
    port,
    async stop() {
      await db?.stop();
      db = null;
    },
    async start() {
      db ??= await open();
    },
    async destroy() {
      await db?.stop();
      db = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
