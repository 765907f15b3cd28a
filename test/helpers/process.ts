import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
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
export function startProcess(script: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 120_000): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
