import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

let built = false;
/**
 * Compiles the project to dist/ once per test run (start-up tests run the real
 * `node dist/src/main.js`). Test files run in parallel workers: the first to take the lock
 * compiles, the others wait for its marker, so no process starts from a half-written dist/.
 */
export function buildOnce(): void {
  if (built) return;
  const run = process.env.TEST_RUN_ID ?? String(process.ppid);
  const done = path.join(ROOT, 'dist', `.built-${run}`);
  const lock = path.join(os.tmpdir(), `social-crm-build-${run}.lock`);
  const deadline = Date.now() + 300_000;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error('waited 5 minutes for another test file to compile dist/');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!existsSync(done)) {
        // Compiles only when the sources changed since the last build (scripts/ensure-build.cjs).
        execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.cjs')], { stdio: 'inherit' });
        writeFileSync(done, '');
      }
    } finally {
      rmdirSync(lock);
    }
  }
  built = true;
}

export { freePort } from '../../src/common/free-port';

export interface Started {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** Spawns `node dist/<script>` and waits until its output matches `ready` (or it exits). */
/** `ownGroup`: the process leads a process group of its own, as a terminal's job does, so a test can signal the whole group (Ctrl-C). */
export function startProcess(script: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 120_000, ownGroup = false): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portIsOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A POST of `body` to /graphql with its headers and first 10 bytes sent, so it is in flight
 * (deterministically, whatever the server is doing) when the test signals the server.
 * `finish()` sends the rest and resolves with the raw HTTP answer once the server closes.
 */
export async function halfSentRequest(port: number, token: string, body: string): Promise<{ finish(): Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let raw = '';
  socket.on('data', (chunk) => (raw += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
      body.slice(0, 10),
  );
  return {
    async finish() {
      socket.write(body.slice(10));
      await closed;
      return raw;
    },
  };
}
