import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

/**
 * Headless Chromium driven over the DevTools protocol (no downloaded browser: Debian's `chromium`,
 * or the binary named by CHROMIUM). Only what the browser tests need: open a page, evaluate a
 * script in it and await its promise.
 * Usage: `const browser = await launchChromium(); const page = await browser.open(url); await page.evaluate('1 + 1')`
 */
export interface Browser {
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

export interface Page {
  /** Runs `expression` in the page (a promise is awaited) and returns its JSON value; a thrown error rejects. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy or `timeoutMs` passes. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  /** Messages the page logged with console.* (for failure messages). */
  readonly console: string[];
}

export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'social-crm-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
      '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start in 30 s: ${text.slice(-500)}`)), 30_000);
    child.once('error', (error) => reject(new Error(`cannot start ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM): ${error.message}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
  });
  const socket = new WebSocket(endpoint, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, { resolve(v: any): void; reject(e: Error): void }>();
  const listeners = new Set<(message: any) => void>();
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw));
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(message.error.message));
      else call?.resolve(message.result);
    } else for (const listener of listeners) listener(message);
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, sessionId }));
    });

  return {
    async open(url) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const consoleLines: string[] = [];
      listeners.add((m) => {
        if (m.sessionId === sessionId && m.method === 'Runtime.consoleAPICalled') consoleLines.push(m.params.args.map((a: any) => a.value ?? a.description).join(' '));
      });
      await send('Runtime.enable', {}, sessionId);
      await send('Page.enable', {}, sessionId);
      const loaded = new Promise<void>((resolve) => listeners.add((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired' && resolve()));
      await send('Page.navigate', { url }, sessionId);
      await loaded;
      const page: Page = {
        console: consoleLines,
        async evaluate<T>(expression: string) {
          const result = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
          if (result.exceptionDetails) throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
          return result.result.value as T;
        },
        async waitFor(expression, timeoutMs = 15_000) {
          const until = Date.now() + timeoutMs;
          while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
            if (Date.now() > until) throw new Error(`timed out waiting for ${expression}; console: ${consoleLines.join(' | ')}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        },
      };
      return page;
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      socket.close();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
