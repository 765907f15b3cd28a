import fc from 'fast-check';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { createDataSource } from '../../src/db/data-source';
import { InteractionCategory, Tier } from '../../src/graphql/enums';
import { compileChurnPattern, hasChurnSignal } from '../../src/influence/churn-rule';
import { DEFAULT_PRIORITY_WEIGHTS, interactionPriority, type PriorityWeights } from '../../src/influence/priority';
import { startTestApp } from '../helpers/app';
import { withScratchDatabase } from '../helpers/databases';
import { createCustomer, unique } from '../helpers/factory';

/**
 * The churn rule has one source (the stored churnPattern, and the `churn` topic) and two forms
 * compiled from it (src/influence/churn-rule.ts): JavaScript for the reasons, PostgreSQL for the
 * ranking. These tests hold the two forms to the same verdict on the real database, over
 * generated patterns and texts and over the phrases the defaults know.
 */

let db: Client;
beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(() => db.end());

/** PostgreSQL's verdict on each text: `text ~ sql`. */
async function sqlVerdicts(sql: string, texts: string[]): Promise<boolean[]> {
  const { rows } = await db.query(
    `SELECT coalesce(array_agg(t ~ $1 ORDER BY n), '{}') AS m FROM unnest($2::text[]) WITH ORDINALITY u(t, n)`, [sql, texts]);
  return rows[0].m;
}

/** What a text column can hold: no NUL, no lone surrogate (the driver would send U+FFFD instead). */
const storable = (s: string) =>
  s.replace(/\0/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** Characters whose case or class is easy to get wrong, by either engine. */
const TRICKY = ['K', 'k', '\u212a', 's', 'S', '\u017f', 'i', 'I', '\u0131', '\u0130', 'ß', 'ẞ', 'é', 'É', 'Σ', 'σ', 'ς', 'λ', 'Λ',
  '漢', '😀', '𝒜', '٣', '²', '_', '-', "'", '\u2019', '.', ' ', '\t', '\n', '\r', '\u2028', '\u00a0', '\u2003', '\ufeff', '0', '7'];
const LETTERS = ['a', 'c', 'e', 'l', 'n', 'o', 't', 'A', 'C', 'N'];

/** The defaults' phrases: the priority pattern's and the CHURN escalation rule's. */
const PHRASES = ['cancel', 'thinking of leaving', 'switch to', 'switching to', 'close my account', 'done with you', 'done with this',
  'cancel my account', 'cancel my subscription', 'cancelling my', 'canceling my', 'thinking about leaving', 'going to leave',
  'never buying', 'last time i buy', 'take my business elsewhere', 'switch to another'];

const phraseVariant = fc.tuple(fc.constantFrom(...PHRASES), fc.constantFrom('', 'upper', 'title', 'spaces', 'newline', 'cut', 'long-s', 'kelvin'), fc.nat())
  .map(([p, how, n]) => {
    switch (how) {
      case 'upper': return p.toUpperCase();
      case 'title': return p.replace(/\b\w/g, (c) => c.toUpperCase());
      case 'spaces': return p.replace(/ /g, '  ');
      case 'newline': return p.replace(/ /, '\n');
      case 'cut': return p.slice(0, 1 + (n % p.length));
      case 'long-s': return p.replace(/s/g, '\u017f');
      case 'kelvin': return p.replace(/k/g, '\u212a');
      default: return p;
    }
  });

const textOf = (extra: fc.Arbitrary<string>) => fc.array(fc.oneof(
  { arbitrary: phraseVariant, weight: 4 },
  { arbitrary: fc.constantFrom(...TRICKY), weight: 4 },
  { arbitrary: fc.constantFrom(...LETTERS), weight: 3 },
  { arbitrary: extra, weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 3 }), weight: 1 },
), { maxLength: 12 }).map((pieces) => storable(pieces.join('')));

/** One character of a pattern, escaped when it must be. */
const patternChar = fc.constantFrom(...LETTERS, ...TRICKY.filter((c) => !'.-'.includes(c)), '\\.', '\\-', '\\(', '\\[', '\\]', '\\\\', '\\n', '\\t', '\\{', '\\|', '\\*');
const classItem = fc.oneof(
  patternChar,
  fc.constantFrom('a-z', 'A-Z', '0-9', 'à-ÿ', 'α-ω', 'a-c', '\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '\u0100-\u017f'),
);

/** Patterns of the churn rule's language, built the way a supervisor writes them. */
const { pattern } = fc.letrec<{ pattern: string; seq: string; term: string; atom: string }>((tie) => ({
  pattern: fc.oneof({ arbitrary: tie('seq'), weight: 3 }, fc.array(tie('seq'), { minLength: 2, maxLength: 3 }).map((a) => a.join('|'))),
  seq: fc.array(tie('term'), { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
  term: fc.oneof(
    { arbitrary: tie('atom'), weight: 4 },
    { arbitrary: fc.tuple(tie('atom'), fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?')).map(([a, q]) => a + q), weight: 2 },
    { arbitrary: fc.constantFrom('^', '$', '\\b', '\\B'), weight: 1 },
  ),
  atom: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    { arbitrary: patternChar, weight: 5 },
    { arbitrary: fc.constantFrom('cancel', 'leav', 'switch', 'ing'), weight: 2 },
    { arbitrary: fc.constantFrom('.', '\\d', '\\w', '\\s', '\\D', '\\W', '\\S'), weight: 2 },
    { arbitrary: fc.tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 4 })).map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`), weight: 2 },
    { arbitrary: tie('pattern').map((p) => `(${p})`), weight: 1 },
  ),
}));

/** A few letters of the pattern, so that generated texts hit it as often as they miss it. */
const patternAndTexts = pattern.chain((p) => {
  const words = p.replace(/\\.|[^A-Za-z\u00c0-\uffff]+/g, ' ').split(' ').filter((w) => w.length > 0);
  const fromPattern = words.length > 0 ? fc.constantFrom(...words) : fc.constant('');
  return fc.tuple(fc.constant(p), fc.array(textOf(fromPattern), { minLength: 1, maxLength: 20 }));
});

describe('the churn rule: one pattern, a TypeScript form and a SQL form that agree', () => {
  it('runs on a UTF-8 database, where PostgreSQL regexes work on code points', async () => {
    const { rows } = await db.query(`SHOW server_encoding`);
    expect(rows[0].server_encoding).toBe('UTF8');
  });

  it('gives the same verdict in both forms for generated patterns over generated texts', async () => {
    const seen = { hit: 0, miss: 0 };
    await fc.assert(
      fc.asyncProperty(patternAndTexts, async ([p, texts]) => {
        let compiled: ReturnType<typeof compileChurnPattern> | null = null;
        try {
          compiled = compileChurnPattern(p);
        } catch (error) {
          // The generator can nest quantifiers, which the language refuses ((a*)* backtracks exponentially).
          if (!(error instanceof Error && error.message.includes('holds a quantifier'))) throw error;
        }
        fc.pre(compiled !== null);
        const { js, sql } = compiled!;
        const expected = texts.map((t) => js.test(t));
        const got = await sqlVerdicts(sql, texts);
        expect({ p, verdicts: got }).toEqual({ p, verdicts: expected });
        for (const e of expected) seen[e ? 'hit' : 'miss']++;
      }),
      { numRuns: Number(process.env.CHURN_RUNS ?? 400) },
    );
    // A property that only ever saw misses (or hits) would prove little.
    expect(Math.min(seen.hit, seen.miss)).toBeGreaterThan(500);
  });

  it('gives the same verdict in both forms for the default pattern over the known phrases', async () => {
    const { js, sql } = compileChurnPattern(DEFAULT_PRIORITY_WEIGHTS.churnPattern);
    await fc.assert(
      fc.asyncProperty(fc.array(textOf(phraseVariant), { minLength: 1, maxLength: 50 }), async (texts) => {
        expect(await sqlVerdicts(sql, texts)).toEqual(texts.map((t) => js.test(t)));
      }),
      { numRuns: 100 },
    );
    const known: [string, boolean][] = [
      ['I will CANCEL if this goes on', true], ['cancellation fee?', true], ['Thinking of leaving.', true],
      ['switch to X', true], ['SWITCHING TO another brand', true], ['close my account', true], ['I am done with this', true],
      ['\u017fwitch to', true], ['thinking of leaving'.toUpperCase(), true],
      ['thinking  of leaving', false], ['switch\nto', false], ['canc el', false], ['going to leave', false], ['', false],
    ];
    const texts = known.map(([t]) => t);
    expect(texts.map((t) => js.test(t))).toEqual(known.map(([, hit]) => hit));
    expect(await sqlVerdicts(sql, texts)).toEqual(known.map(([, hit]) => hit));
  });

  it('keeps the old meaning of the default pattern on ASCII text, where ~* and RegExp(i) agreed', async () => {
    const { js } = compileChurnPattern(DEFAULT_PRIORITY_WEIGHTS.churnPattern);
    const old = new RegExp(DEFAULT_PRIORITY_WEIGHTS.churnPattern, 'i');
    // Beyond ASCII, ſ, ı and the Kelvin sign now count as s, i and k (docs/churn.md).
    const ascii = fc.array(fc.oneof(phraseVariant, fc.constantFrom(...LETTERS, ' ', '.', '\n')), { maxLength: 10 })
      .map((a) => a.join('')).filter((t) => /^[\x00-\x7f]*$/.test(t));
    fc.assert(fc.property(ascii, (t) => expect(js.test(t)).toBe(old.test(t))), { numRuns: 2000 });
  });

  it('gives the same verdict in both forms for the edge cases of the language', async () => {
    const texts = ['', 'a', 'A\nb', 'x\u2028y', 'k', '\u212a', 'ſ', 'ı', 'İ', 'ß', 'ẞ', 'ΟΔΟΣ', 'οδος', 'café', 'CAFÉ', '😀', '𝒜', '_a', 'a_',
      'a𐀀a', '😀x', 'a😀 ', 'cancel', 'uncancelled', 'x y', 'x\ty', '12', '١٢', 'a-b', '[x]', 'a{2}', '\\', '\ufeff'];
    const edge = ['[^\\s\\S]', 'x|[^\\D\\d]', '.', 'a.b', '^$', '^a$', '\\bk\\b', '\\Bk', '[^a]', '[^\\w]', 'ſ', 'ß', 'σ', 'é',
      '[à-ÿ]', '\\d', '\\s', '\\W\\w', '[\\-\\]\\[]', '\\{2\\}', '\\\\', '(a|b)*c?', '(?:)'.replace('?:', 'x'), 'x{0}', '😀+', '[😀-😁]',
      '\\B', '[^😀]x', '(^)*a', '(\\b)+k', '(^)?x', '($)*', '[a-z]*|(^)*', '(\\B){2}y'];
    for (const p of edge) {
      const { js, sql } = compileChurnPattern(p);
      expect({ p, verdicts: await sqlVerdicts(sql, texts) }).toEqual({ p, verdicts: texts.map((t) => js.test(t)) });
    }
  });

  it('refuses what it cannot compile to the same meaning, naming the problem', () => {
    for (const [p, problem] of [
      ['(?=x)', '"(?"'], ['a\\1', '"\\1"'], ['\\p{L}', '"\\p"'], ['[[:alpha:]]', 'a "[" inside a class'], ['a|', 'empty alternative'],
      ['x{256}', 'above 255'], ['([^i]*)*c', 'holds a quantifier'], ['(a(b)+)?', 'holds a quantifier'], ['a**', 'quantifier after a quantifier'], ['(a', 'without its ")"'], ['\\y', '"\\y"'], ['', '1-500'],
    ] as const) {
      expect(() => compileChurnPattern(p)).toThrow(problem);
    }
  });

  it('counts the churn topic whatever the text says', () => {
    expect(hasChurnSignal('hello', ['churn'], DEFAULT_PRIORITY_WEIGHTS.churnPattern)).toBe(true);
    expect(hasChurnSignal('hello', ['warranty'], DEFAULT_PRIORITY_WEIGHTS.churnPattern)).toBe(false);
  });
});

const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id status } }`;
const QUEUE = `query($g: String) { careQueue(first: 100, skillGroup: $g) {
  edges { node { interaction { id } priority { reasons { factor contribution } } } } } }`;

/** The stored weights as the app reads them, and the churn rule's verdict and the rank as the database holds them. */
async function ranked(pool: Client | import('pg').Pool, ids: string[]) {
  const { rows } = await pool.query(
    `SELECT i.id, i.status, i.content, i.topics, i.category, i.sentiment::numeric::float8 AS sentiment, i.sla_due_at AS "slaDueAt",
            i.occurred_at AS "occurredAt", i.priority_base AS base, c.tier, s.weights,
            i.content ~ (s.weights->>'churnPatternSql') OR 'churn' = ANY(i.topics) AS "sqlChurn"
       FROM interactions i JOIN customers c ON c.id = i.customer_id CROSS JOIN priority_settings s
      WHERE i.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

function expectSameRank(rows: any[]) {
  for (const r of rows) {
    const w: PriorityWeights = { ...DEFAULT_PRIORITY_WEIGHTS, ...r.weights };
    expect({ content: r.content, churn: hasChurnSignal(r.content, r.topics, w.churnPattern) }).toEqual({ content: r.content, churn: r.sqlChurn });
    if (r.status !== 'OPEN') {
      expect(r.base).toBeNull();
      continue;
    }
    const p = interactionPriority({ ...r, tier: r.tier as Tier, category: r.category as InteractionCategory, influence: null }, w, new Date());
    expect({ content: r.content, base: r.base }).toEqual({ content: r.content, base: expect.closeTo(p.base, 9) });
  }
}

describe('the churn rule in the ranking, on a database of its own', () => {
  it('ranks ingested texts as the reasons explain them, before and after a supervisor changes the pattern; the migration reverts and re-applies', async () => {
    await withScratchDatabase(async (url) => {
      const app = await startTestApp({ url, poolSize: 2 });
      try {
        // The installed settings are the TypeScript defaults, with the compiled SQL form beside the pattern.
        const [{ weights }] = (await app.pool.query(`SELECT weights FROM priority_settings`)).rows;
        const { churnPatternSql, ...installed } = weights;
        expect(installed).toEqual(DEFAULT_PRIORITY_WEIGHTS);
        expect(churnPatternSql).toBe(compileChurnPattern(DEFAULT_PRIORITY_WEIGHTS.churnPattern).sql);

        const group = `g-${unique()}`;
        const c = await createCustomer(app.pool, { tier: 'SILVER' });
        const texts = fc.sample(textOf(phraseVariant), { numRuns: 120, seed: 11 }).filter((t) => t.trim() !== '');
        const inputs = texts.map((content, n) => ({
          idempotencyKey: `churn-${group}-${n}`, customerId: c.id, channel: 'EMAIL', content, skillGroup: group,
          category: 'QUESTION', sentiment: 0, topics: n % 10 === 0 ? ['churn'] : [],
        }));
        const res = await app.gql(RECORD_MANY, { inputs }, ['ingest']);
        expect(res.errors).toBeUndefined();
        const ids: string[] = res.data!.recordInteractions.map((i: any) => i.id);
        const before = await ranked(app.pool, ids);
        expectSameRank(before);
        const open = before.filter((r) => r.status === 'OPEN');
        expect(open.filter((r) => r.sqlChurn).length).toBeGreaterThan(5);
        expect(open.filter((r) => !r.sqlChurn).length).toBeGreaterThan(5);

        // The queue's reasons (TypeScript) credit the churn points exactly where the SQL form sees churn.
        const page = await app.gql(QUEUE, { g: group }, ['agent']);
        expect(page.errors).toBeUndefined();
        const churnPoints = new Map(page.data!.careQueue.edges.map((e: any) =>
          [e.node.interaction.id, e.node.priority.reasons.find((x: any) => x.factor === 'churn').contribution]));
        expect(churnPoints.size).toBe(open.length);
        for (const r of open) expect([r.content, churnPoints.get(r.id)]).toEqual([r.content, r.sqlChurn ? DEFAULT_PRIORITY_WEIGHTS.churn : 0]);

        // A pattern JavaScript and PostgreSQL used to read differently: \b, \w and case beyond ASCII.
        const set = await app.gql(
          `mutation($p: String) { setPriorityWeights(input: { churnPattern: $p }) { churnPattern } }`,
          { p: '\\bleav(e|ing)\\b|\\bquit\\w*|[ſs]witch' }, ['supervisor']);
        expect(set.errors).toBeUndefined();
        const after = await ranked(app.pool, ids);
        expect(after[0].weights.churnPatternSql).toBe(compileChurnPattern('\\bleav(e|ing)\\b|\\bquit\\w*|[ſs]witch').sql);
        expectSameRank(after);
        expect(after.filter((r) => r.status === 'OPEN' && r.sqlChurn).map((r) => r.id).sort())
          .not.toEqual(open.filter((r) => r.sqlChurn).map((r) => r.id).sort());

        const bad = await app.gql(`mutation { setPriorityWeights(input: { churnPattern: "(?<=x)y" }) { churnPattern } }`, {}, ['supervisor']);
        expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'churnPattern' });
        expect((await ranked(app.pool, ids))[0].weights.churnPattern).toBe('\\bleav(e|ing)\\b|\\bquit\\w*|[ſs]witch');

        // Down: the old ranking function and settings, the same ranks for these texts; up again.
        const ds = createDataSource({ url, poolSize: 1 });
        await ds.initialize();
        try {
          // Revert down to and including OneChurnRule (later migrations go first, newest first).
          const fromChurnRule = migrations.filter((x) => Number(/\d+$/.exec(x.name)![0]) >= 1795720000000).length;
          for (let n = 0; n < fromChurnRule; n++) await ds.undoLastMigration();
          const reverted = (await app.pool.query(`SELECT weights FROM priority_settings`)).rows[0].weights;
          expect(reverted.churnPatternSql).toBeUndefined();
          // A pattern the old validation let through but the churn rule's language does not have.
          await app.pool.query(`UPDATE priority_settings SET weights = weights || '{"churnPattern": "leav\\\\y"}'::jsonb`);
          await expect(ds.runMigrations()).rejects.toThrow(/churnPattern "leav\\\\y" is outside the churn rule's language/);
          await app.pool.query(`UPDATE priority_settings SET weights = weights || '{"churnPattern": "cancel|leav"}'::jsonb`);
          await ds.runMigrations();
        } finally {
          await ds.destroy();
        }
        const migrated = await ranked(app.pool, ids);
        expect(migrated[0].weights.churnPatternSql).toBe(compileChurnPattern('cancel|leav').sql);
        expectSameRank(migrated);
      } finally {
        await app.close();
      }
    });
  }, 120_000);
});
