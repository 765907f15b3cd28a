import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { EVENT_PAYLOAD_FIELDS } from '../../src/events/event-payloads';
import { EventType } from '../../src/events/event-types';

// Webhook payloads are a public contract (STYLE.md "Events"): the table of docs/live-and-webhooks.md
// must list every event type of the typed catalogue (EventPayloads) with exactly its keys, the
// optional ones marked `?`. The keys are read from the type itself with the TypeScript compiler,
// so the docs follow what writers are allowed to send, not a second hand-written list.
const root = path.resolve(__dirname, '../..');
const catalogueFile = path.join(root, 'src/events/event-payloads.ts');
const docsFile = path.join(root, 'docs/live-and-webhooks.md');

/** event type -> its payload keys as the docs write them (`replyId?` when optional), sorted. */
function keysOfTheType(): Map<string, string[]> {
  const program = ts.createProgram([catalogueFile], { strict: true, experimentalDecorators: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(catalogueFile)!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'EventPayloads');
  if (!decl) throw new Error('EventPayloads not found in src/events/event-payloads.ts');
  const keys = new Map<string, string[]>();
  for (const event of checker.getPropertiesOfType(checker.getTypeAtLocation(decl))) {
    const payload = checker.getTypeOfSymbolAtLocation(event, decl);
    keys.set(event.name, checker.getPropertiesOfType(payload)
      .map((k) => (k.flags & ts.SymbolFlags.Optional ? `${k.name}?` : k.name))
      .sort());
  }
  return keys;
}

/** event type -> keys, from the table whose header is `| event | written by | data keys | notes |`. */
function keysOfTheDocs(): { keys: Map<string, string[]>; problems: string[] } {
  const lines = readFileSync(docsFile, 'utf8').split('\n');
  const start = lines.indexOf('| event | written by | data keys | notes |');
  if (start < 0) throw new Error('docs/live-and-webhooks.md: the table `| event | written by | data keys | notes |` is gone');
  const keys = new Map<string, string[]>();
  const problems: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [event, , data] = line.split('|').slice(1, -1).map((c) => c.trim());
    const name = /^`([A-Z_]+)`$/.exec(event)?.[1];
    if (!name) problems.push(`one event per row, written \`EVENT\`: ${line}`);
    else if (keys.has(name)) problems.push(`${name} listed twice`);
    else if (data !== '' && !/^`\w+\??`(, `\w+\??`)*$/.test(data)) problems.push(`${name}: data keys are \`key\` or \`key?\` separated by ", " (prose goes to notes): ${data}`);
    else keys.set(name, data === '' ? [] : data.split(', ').map((k) => k.slice(1, -1)).sort());
  }
  return { keys, problems };
}

describe('the webhook payload table of docs/live-and-webhooks.md', () => {
  const typed = keysOfTheType();
  const docs = keysOfTheDocs();

  it('the compiler read the whole catalogue (one payload type per event type, same keys as EVENT_PAYLOAD_FIELDS)', () => {
    expect([...typed.keys()].sort()).toEqual(Object.values(EventType).sort());
    for (const [event, keys] of typed) {
      expect([event, keys.map((k) => k.replace(/\?$/, ''))]).toEqual([event, Object.keys(EVENT_PAYLOAD_FIELDS[event as EventType]).sort()]);
    }
  });

  it('is well formed', () => {
    expect(docs.problems).toEqual([]);
  });

  it('lists every event type with exactly the keys of its payload type, and nothing else', () => {
    expect(Object.fromEntries([...docs.keys].sort())).toEqual(Object.fromEntries([...typed].sort()));
  });
});
