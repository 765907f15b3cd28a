import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { createLoaders } from '../../src/context';

// Services reach resolvers as constructor arguments, so dependency-cruiser sees each call as an import
// (test/unit/layering.test.ts). Loaders stay per request in `ctx.loaders`, one map of every feature's:
// a call there is no import, so this test holds it to the same layers. A file may call a loader of its
// own folder or of a folder below it (the order of .dependency-cruiser.cjs), never one above.
const root = path.resolve(__dirname, '../..');
const src = path.join(root, 'src');

/** The layers, lowest first, as .dependency-cruiser.cjs lists them (its first layer rule names every layer above the first). */
function layers(): string[] {
  const config = require(path.join(root, '.dependency-cruiser.cjs')) as { forbidden: { name: string; to: { path?: string } }[] };
  const first = config.forbidden.find((rule) => rule.name.endsWith('-imports-only-lower-layers'));
  const above = first && /^\^src\/\(([^)]+)\)\//.exec(first.to.path ?? '');
  if (!first || !above) throw new Error('.dependency-cruiser.cjs: no `<layer>-imports-only-lower-layers` rule to read the layers from');
  return [first.name.replace(/-imports-only-lower-layers$/, ''), ...above[1].split('|')];
}

const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split(path.sep).join('/'));
const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : null);
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('loaders keep to the layers', () => {
  const pool = new Pool({ max: 1 }); // never connects: loaders send nothing until asked
  afterAll(() => pool.end());

  /** Every loader key with the folder of the *.loaders.ts file that makes it. */
  const owners = new Map<string, string>();
  for (const file of files.filter((f) => f.endsWith('.loaders.ts'))) {
    const module = require(path.join(src, file)) as Record<string, unknown>;
    for (const [name, create] of Object.entries(module)) {
      if (!/^create\w*Loaders$/.test(name) || typeof create !== 'function') continue;
      for (const key of Object.keys(create(pool) as object)) owners.set(key, folderOf(file)!);
    }
  }

  it('finds the maker of every loader of the request context', () => {
    expect(Object.keys(createLoaders(pool)).filter((key) => !owners.has(key))).toEqual([]);
  });

  it('has no file calling a loader of a folder above its own', () => {
    const order = layers();
    const upward: string[] = [];
    for (const file of files) {
      const folder = folderOf(file);
      if (!folder || !order.includes(folder)) continue; // composition files use everything
      for (const [, key] of withoutComments(readFileSync(path.join(src, file), 'utf8')).matchAll(/\bloaders\.(\w+)/g)) {
        const owner = owners.get(key);
        if (owner && order.indexOf(owner) > order.indexOf(folder)) upward.push(`${file} -> ${key} (${owner}/)`);
      }
    }
    expect(upward).toEqual([]);
    expect(owners.size).toBeGreaterThan(30); // the loaders were read
  });
});
