import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Dead code in src/ goes unnoticed otherwise (issue 23): knip walks the imports from every entry
// point listed in knip.json (src/main.ts, scripts/, seeds/, bench/, test/, migrations/,
// ormconfig.ts) and reports a file of src/ nothing reaches, or an export nothing imports.
const root = path.resolve(__dirname, '../..');

interface KnipReport {
  issues: { file: string; files: { name: string }[]; [kind: string]: unknown }[];
}

const run = spawnSync(process.execPath, [path.join(root, 'node_modules/knip/bin/knip.js'), '--no-progress', '--reporter', 'json'], {
  cwd: root, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
});

describe('unused code in src/ (knip)', () => {
  it('ran (exit 1 means it found something, reported below; 2 is a configuration error)', () => {
    expect([0, 1]).toContain(run.status);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
  });

  it('finds no file nothing imports and no export nothing uses', () => {
    const report: KnipReport = JSON.parse(run.stdout);
    const found: string[] = [];
    for (const issue of report.issues) {
      if (issue.files.length > 0) found.push(`${issue.file}: unused file`);
      for (const [kind, items] of Object.entries(issue)) {
        if (kind === 'file' || kind === 'files' || !Array.isArray(items)) continue;
        for (const item of items as { name: string; line?: number }[]) found.push(`${issue.file}:${item.line ?? ''} unused ${kind}: ${item.name}`);
      }
    }
    expect(found).toEqual([]);
  });
});
