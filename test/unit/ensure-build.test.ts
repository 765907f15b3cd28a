import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** scripts/ensure-build.cjs on a one-file project of its own (same script, same TypeScript). */
describe('build only when sources changed', () => {
  let dir: string;
  const build = () => execFileSync(process.execPath, [path.join(dir, 'scripts/ensure-build.cjs')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const run = () => execFileSync(process.execPath, [path.join(dir, 'dist/src/main.js')], { encoding: 'utf8' }).trim();
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ensure-build-'));
    mkdirSync(path.join(dir, 'scripts'));
    mkdirSync(path.join(dir, 'src'));
    copyFileSync(path.join(ROOT, 'scripts/ensure-build.cjs'), path.join(dir, 'scripts/ensure-build.cjs'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'commonjs', target: 'ES2022', types: [] }, include: ['src'] }));
    writeFileSync(path.join(dir, 'src/main.ts'), `console.log('one');\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles the first time, skips when nothing changed, compiles again after an edit', () => {
    build();
    expect(run()).toBe('one');
    const stamp = readFileSync(path.join(dir, 'dist/.source-hash'), 'utf8');
    // A hand-edited output survives a build with unchanged sources: nothing was compiled.
    writeFileSync(path.join(dir, 'dist/src/main.js'), `console.log('untouched');\n`);
    build();
    expect(run()).toBe('untouched');
    writeFileSync(path.join(dir, 'src/main.ts'), `console.log('two');\n`);
    build();
    expect(run()).toBe('two');
    expect(readFileSync(path.join(dir, 'dist/.source-hash'), 'utf8')).not.toBe(stamp);
  });

  it('does nothing where there are no sources yet (the Dockerfile installs before it copies them)', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'ensure-build-empty-'));
    mkdirSync(path.join(empty, 'scripts'));
    copyFileSync(path.join(ROOT, 'scripts/ensure-build.cjs'), path.join(empty, 'scripts/ensure-build.cjs'));
    execFileSync(process.execPath, [path.join(empty, 'scripts/ensure-build.cjs')]);
    rmSync(empty, { recursive: true, force: true });
  });
});
