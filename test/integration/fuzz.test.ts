import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  getNamedType, isCompositeType, isEnumType, isInputObjectType, isListType, isNonNullType,
  type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';

/**
 * Schema-driven fuzz (issue 22, "bad input never reaches the database as an error"): every
 * query and mutation of the live schema is called as admin (so role checks pass) with hostile
 * values for its arguments, and every error must carry an extensions.code other than
 * INTERNAL_SERVER_ERROR (no HTTP 5xx either). Two passes:
 * - random: fast-check builds whole argument sets from hostile values of each type;
 * - targeted: plausible values everywhere but one spot, which gets a NUL, an unpaired
 *   surrogate, an extreme number or a 1,500-item list, so a check that refuses the first bad
 *   argument cannot hide what a later one would do.
 * It runs on a database of its own: plausible calls succeed and change global settings.
 * FUZZ_SEED=<n> replays a run (the seed is printed on failure); FUZZ_RUNS sets the random calls per operation.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const BIG_LIST = 1_500;

const HOSTILE_STRINGS = [
  'a\u0000b', '\u0000', 'x'.repeat(100 * 1024), '\u202e\u0007\u001b[31m\ufeff\u200b', '\ud800', 'a\udc00b', '\ud83d',
  'NaN', 'Infinity', '-1', '1e309', '9'.repeat(400), 'not-an-id', '00000000-0000-0000-0000-000000000000',
  `${randomUUID()}\u0000`, "'; DROP TABLE customers; --", '', ' ', '😀'.repeat(500), '%00', 'null', '{"a":1}',
  '2024-02-30T25:61:61Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00.001Z', '0000-00-00', 'Y3Vyc29yOjE',
  'audit:99999999999999999999', Buffer.from('audit:\u0000').toString('base64url'), '@'.repeat(5_000), `${'a.'.repeat(3_000)}@x`,
  'https://user:pass@127.0.0.1:80@evil/', 'http://[::1]/', '#'.repeat(2_000), '\\', '(a+)+$', '*', ' \t\n ',
];
const SMALL_STRINGS = HOSTILE_STRINGS.filter((v) => v.length <= 100);
const HOSTILE_INTS = [0, -1, 1, 2_147_483_647, -2_147_483_648, 2 ** 31, -(2 ** 53), 1e300];
const HOSTILE_FLOATS = [0, -0, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1];
const HOSTILE_DATES = ['1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z', '2024-02-30T00:00:00Z', 'yesterday', '1e12', '2026-13-01'];

/** A JSON value nested `depth` levels deep. */
const deep = (depth: number): unknown => Array.from({ length: depth }).reduce<unknown>((inner) => ({ a: inner }), 'leaf');

/** `small`: inside a 1,500-item list, where 100 KB per item would only test the body limit. */
function hostile(type: GraphQLInputType, depth = 0, small = false): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inner(type.ofType, depth, small);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: inner(type, depth, small) });
}

function inner(type: GraphQLInputType, depth: number, small: boolean): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.array(hostile(type.ofType, depth + 1, small), { maxLength: 3 }) },
      { weight: 1, arbitrary: hostile(type.ofType, depth + 1, true).map((v) => Array.from({ length: BIG_LIST }, () => v)) },
    );
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(type.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, hostile(f.type, depth + 1, small)])), { requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name) });
  }
  const strings = small ? SMALL_STRINGS : HOSTILE_STRINGS;
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.value as string));
  switch (getNamedType(type).name) {
    case 'Int': return fc.oneof(fc.constantFrom(...HOSTILE_INTS), fc.integer());
    case 'Float': return fc.constantFrom(...HOSTILE_FLOATS);
    case 'Boolean': return fc.boolean();
    case 'DateTime': return fc.oneof(fc.constantFrom(...HOSTILE_DATES), fc.constantFrom(...strings));
    case 'JSON': return small ? fc.constant({ '\u0000': 1 }) : fc.oneof(fc.constant(deep(2_000)), fc.constant({ '\u0000': 1 }), fc.constant(Array.from({ length: BIG_LIST }, (_, i) => i)), fc.constantFrom(...strings));
    default: return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...strings) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) });
  }
}

/** A value a careful client would send, so that a call gets past its first checks. */
function plausible(type: GraphQLInputType, depth = 0): unknown {
  if (isNonNullType(type)) return plausible(type.ofType, depth);
  if (isListType(type)) return [plausible(type.ofType, depth + 1)];
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, plausible(f.type, depth + 1)]));
  }
  if (isEnumType(type)) return type.getValues()[0].value;
  switch (getNamedType(type).name) {
    case 'Int': return 1;
    case 'Float': return 1;
    case 'Boolean': return true;
    case 'ID': return randomUUID();
    case 'DateTime': return new Date().toISOString();
    case 'JSON': return {};
    default: return `fuzz ${randomUUID().slice(0, 8)}`;
  }
}

/** Every spot of a plausible value with what a hostile client puts there instead. */
function spots(type: GraphQLInputType, value: unknown, put: (v: unknown) => unknown, out: { where: string; value: unknown }[], where: string): void {
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) {
    out.push({ where: `${where}[${BIG_LIST}]`, value: put(Array.from({ length: BIG_LIST }, () => (value as unknown[])[0])) });
    spots(t.ofType, (value as unknown[])[0], (v) => put([v]), out, `${where}[0]`);
    return;
  }
  if (isInputObjectType(t)) {
    for (const f of Object.values(t.getFields())) {
      const obj = value as Record<string, unknown>;
      if (obj[f.name] === undefined) continue;
      spots(f.type, obj[f.name], (v) => put({ ...obj, [f.name]: v }), out, `${where}.${f.name}`);
    }
    return;
  }
  if (isEnumType(t) || getNamedType(t).name === 'Boolean') return;
  const name = getNamedType(t).name;
  const values = name === 'Int' || name === 'Float' ? [-2_147_483_648, 2_147_483_647] : name === 'JSON' ? [deep(100), { 'k\u0000': 'v' }] : ['fuzz\u0000nul', 'fuzz\ud800half'];
  for (const v of values) out.push({ where, value: put(v) });
}

interface Operation {
  coordinate: string;
  document: string;
  args: readonly GraphQLArgument[];
}

function operationOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): Operation {
  const vars = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return {
    coordinate: `${kind === 'query' ? 'Query' : 'Mutation'}.${field.name}`,
    document: `${kind} Fuzz${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    args: field.args,
  };
}

let app: TestApp;
let scratch: { url: string; drop(): Promise<void> };
let operations: Operation[];

beforeAll(async () => {
  scratch = await createScratchDatabase();
  app = await startTestApp({ url: scratch.url, limits: { mutationsPerMinute: 1_000_000 } });
  const schema: GraphQLSchema = await buildAppSchema();
  operations = [
    ...Object.values(schema.getQueryType()!.getFields()).map((f) => operationOf('query', f)),
    ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) => operationOf('mutation', f)),
  ];
}, 120_000);
afterAll(async () => {
  await app?.close();
  await scratch?.drop();
});

/** What is wrong with an answer: an error without a code, INTERNAL_SERVER_ERROR, or a 5xx. */
async function call(op: Operation, variables: Record<string, unknown>): Promise<string | null> {
  const res = await app.gql(op.document, variables, ['admin']);
  const codes = (res.errors ?? []).map((e) => e.extensions?.code as string | undefined);
  if (res.status >= 500 || codes.some((c) => c === undefined || c === 'INTERNAL_SERVER_ERROR')) {
    const sample = JSON.stringify(variables, (_k, v) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 40)}…(${v.length})` : Array.isArray(v) && v.length > 3 ? `[${v.length} items]` : v));
    return `${op.coordinate} -> ${res.status} ${[...new Set(codes)].join(',')} ${res.errors?.find((e) => e.extensions?.code === undefined || e.extensions.code === 'INTERNAL_SERVER_ERROR')?.message ?? ''} with ${sample.slice(0, 300)}`;
  }
  return null;
}

describe(`schema-driven fuzz (FUZZ_SEED=${SEED})`, () => {
  it('covers every query and mutation of the live schema', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.map((o) => o.coordinate)).toEqual(expect.arrayContaining(['Mutation.setLaneRule', 'Mutation.createSkillGroup', 'Query.customer']));
  });

  it('answers hostile argument sets with a code, never INTERNAL_SERVER_ERROR', async () => {
    const failures: string[] = [];
    for (const [i, op] of operations.entries()) {
      const arb = fc.record(Object.fromEntries(op.args.map((a) => [a.name, hostile(a.type)])));
      for (const variables of fc.sample(arb, { numRuns: RUNS, seed: SEED + i })) {
        const failure = await call(op, variables as Record<string, unknown>);
        if (failure) failures.push(failure);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers one hostile spot among plausible arguments with a code, never INTERNAL_SERVER_ERROR', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const base = Object.fromEntries(op.args.map((a) => [a.name, plausible(a.type)]));
      const found: { where: string; value: unknown }[] = [];
      for (const a of op.args) spots(a.type, base[a.name], (v) => ({ ...base, [a.name]: v }), found, a.name);
      for (const spot of found) {
        const failure = await call(op, spot.value as Record<string, unknown>);
        if (failure) failures.push(`${spot.where}: ${failure}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('refuses a NUL or a lone surrogate in a lane rule or skill group with BAD_USER_INPUT naming the field, and stores nothing', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['mutation($n: String!) { setLaneRule(input: { name: $n, position: 1, lane: CUSTOMER_SERVICE, keywords: ["x"] }) { name } }', { n: 'lane\u0000' }, 'input.name'],
      ['mutation($k: String!) { createSkillGroup(input: { name: "fuzz-skill", position: 1, keywords: ["ok", $k] }) { name } }', { k: 'bad\u0000' }, 'input.keywords[1]'],
      ['mutation($n: String!) { setLaneRule(input: { name: "fuzz-lane", position: 1, lane: CUSTOMER_SERVICE, keywords: [$n] }) { name } }', { n: 'half\ud800' }, 'input.keywords[0]'],
    ];
    for (const [document, variables, field] of cases) {
      const res = await app.gql(document, variables, ['supervisor']);
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', field]]);
    }
    const { rows } = await app.pool.query(`SELECT (SELECT count(*) FROM care_lane_rules WHERE name LIKE 'lane%' OR name = 'fuzz-lane')::int AS lanes, (SELECT count(*) FROM care_skill_groups WHERE name = 'fuzz-skill')::int AS groups`);
    expect(rows[0]).toEqual({ lanes: 0, groups: 0 });
  });

  it('refuses at save a churn pattern that needs backtracking or nests quantifiers, with BAD_USER_INPUT, and keeps the stored one', async () => {
    const save = (p: string) => app.gql(`mutation($p: String) { setPriorityWeights(input: { churnPattern: $p }) { churnPattern } }`, { p }, ['supervisor']);
    const before = (await app.gql(`{ priorityWeights { churnPattern } }`, {}, ['agent'])).data!.priorityWeights.churnPattern;
    for (const p of ['(a+)+$', '(.*a){20}', '(x+x+)+y', 'cancel(?=led)', '(?<!not )cancel', '(cancel)\\1']) {
      const res = await save(p);
      expect({ p, codes: res.errors?.map((e) => [e.extensions?.code, e.extensions?.field]) }).toEqual({ p, codes: [['BAD_USER_INPUT', 'churnPattern']] });
    }
    expect((await app.gql(`{ priorityWeights { churnPattern } }`, {}, ['agent'])).data!.priorityWeights.churnPattern).toBe(before);
  });
});
