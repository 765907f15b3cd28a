import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The import rules of src/ (STYLE.md "Layout"; the layers are listed in .dependency-cruiser.cjs),
// checked with dependency-cruiser over the real sources, so a new cycle fails `npm test`.
const root = path.resolve(__dirname, '../..');

interface Cruise {
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

const cruise: Cruise = JSON.parse(
  execFileSync(process.execPath, [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root, maxBuffer: 64 * 1024 * 1024,
  }).toString(),
);

const folderOf = (file: string) => /^src\/([^/]+)\//.exec(file)?.[1] ?? '.';

describe('layering of src/', () => {
  it('breaks none of the import rules of .dependency-cruiser.cjs', () => {
    expect(cruise.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('has no import cycle between folders (files directly under src/ are composition: they import everything, nothing imports them)', () => {
    const edges = new Map<string, Set<string>>();
    for (const m of cruise.modules) {
      const from = folderOf(m.source);
      if (from === '.') continue;
      for (const d of m.dependencies) {
        const to = folderOf(d.resolved);
        // Type-only imports count too, except of src/context.ts (`RequestContext`): that is composition.
        if (!d.resolved.startsWith('src/') || to === from || to === '.') continue;
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, trail: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
    expect(edges.size).toBeGreaterThan(10); // the graph was read: every feature folder imports something
  });

  it('refuses an import around a folder\'s index.ts, around a care room\'s, of its own index, and up the care rooms', () => {
    // A throwaway tree cruised with the real rules: a rule that stopped matching would let these through.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layering-probe-'));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    try {
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16' } }));
      write('src/db/batch.ts', 'export const isUuid = 1;\n');
      write('src/db/index.ts', "export { isUuid } from './batch';\n");
      write('src/care/rules/sla.ts', "export const sla = 1;\n");
      write('src/care/rules/index.ts', "export { sla } from './sla';\n");
      write('src/care/desk/queue.ts', "import { sla } from '../rules/sla';\nimport { isUuid } from '../../db';\nexport const queue = [sla, isUuid];\n");
      write('src/care/desk/claim.ts', "import { queue } from '.';\nexport const claim = queue;\n");
      write('src/care/desk/index.ts', "export { queue } from './queue';\n");
      write('src/care/rules/routing.ts', "import { queue } from '../desk';\nexport const routing = queue;\n");
      write('src/care/index.ts', "export { queue } from './desk';\n");
      write('src/analytics/report.ts', "import { isUuid } from '../db/batch';\nimport { queue } from '../care/desk';\nexport const report = [isUuid, queue];\n");
      const out: Cruise = JSON.parse(execFileSync(process.execPath, [
        path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'json',
      ], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).toString());
      const found = out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).filter((v) => !v.startsWith('no-circular'));
      expect(found.sort()).toEqual([
        'care-rules-imports-only-lower-rooms: src/care/rules/routing.ts -> src/care/desk/index.ts',
        'not-through-its-own-index: src/care/desk/claim.ts -> src/care/desk/index.ts',
        'other-folders-through-their-index: src/analytics/report.ts -> src/care/desk/index.ts',
        'other-folders-through-their-index: src/analytics/report.ts -> src/db/batch.ts',
        'other-rooms-through-their-index: src/care/desk/queue.ts -> src/care/rules/sla.ts',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
