import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(__dirname, '../../src');
const WRITER = join('care', 'desk', 'conversation.writer.ts');

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(join(SRC, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

describe('one conversation writer', () => {
  it('writes the conversations table only in src/care/desk/conversation.writer.ts', () => {
    // Case-insensitive, any whitespace: `insert  into conversations`, `UPDATE conversations v` ...
    const write = /\b(INSERT\s+INTO|UPDATE)\s+conversations\b/i;
    const elsewhere = [...sources('.')].filter((path) => path !== WRITER && write.test(readFileSync(join(SRC, path), 'utf8')));
    expect(elsewhere).toEqual([]);
    expect(write.test(readFileSync(join(SRC, WRITER), 'utf8'))).toBe(true);
  });
});
