#!/usr/bin/env node
'use strict';
/**
 * Compiles the TypeScript to dist/ only when the sources changed since the last build, so
 * `npm start` after the first build starts in well under a second of build time.
 * Usage: `node scripts/ensure-build.cjs` (`npm run build`; also `prepare`, i.e. once at `npm install`).
 *
 * "Changed" is a SHA-256 over the contents of every file tsc reads from this project (the folders
 * tsconfig.json includes, tsconfig.json and package-lock.json for the types), kept in
 * dist/.source-hash. Contents, not mtimes: a git checkout or a copy touches mtimes and nothing else.
 * A real change compiles incrementally (dist/.tsbuildinfo), so editing one file costs seconds.
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.source-hash');

function sourceFiles() {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
  const files = ['tsconfig.json', 'package-lock.json'].filter((f) => existsSync(path.join(ROOT, f)));
  const walk = (relative) => {
    const absolute = path.join(ROOT, relative);
    if (!existsSync(absolute)) return;
    if (!relative.endsWith('.ts') && !relative.endsWith('.json')) {
      for (const entry of readdirSync(absolute, { withFileTypes: true })) {
        const child = path.join(relative, entry.name);
        if (entry.isDirectory()) walk(child);
        else if (/\.(ts|json)$/.test(entry.name)) files.push(child);
      }
    } else files.push(relative);
  };
  for (const include of config.include ?? []) walk(include);
  return files.sort();
}

function hashOf(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(path.join(ROOT, file))).update('\0');
  return hash.digest('hex');
}

function main() {
  // `npm ci` in the Dockerfile's dependency layer runs `prepare` before the sources are copied in.
  if (!existsSync(path.join(ROOT, 'tsconfig.json')) || !existsSync(path.join(ROOT, 'src'))) return 0;
  const hash = hashOf(sourceFiles());
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && existsSync(path.join(DIST, 'src', 'main.js'))) return 0;
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--incremental', '--tsBuildInfoFile', path.join(DIST, '.tsbuildinfo')], { stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  mkdirSync(DIST, { recursive: true });
  writeFileSync(STAMP, hash);
  if (!process.env.npm_config_silent && process.env.npm_config_loglevel !== 'silent') {
    process.stderr.write(`compiled TypeScript to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (sources changed)\n`);
  }
  return 0;
}

process.exit(main());
