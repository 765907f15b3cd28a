import { execFileSync } from 'node:child_process';
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
});
