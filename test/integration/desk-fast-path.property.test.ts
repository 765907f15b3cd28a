import fc from 'fast-check';
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLObjectType } from 'graphql';
import request from 'supertest';
import { isGuardedProperty } from '../../src/auth/field-guard';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// The desk fast path (fast-paths/desk.handler.ts) must answer exactly what Apollo answers:
// random selections (aliases, fragments, @include, fields it covers and fields it leaves to
// Apollo), random items (text that needs escaping, nulls), every role, and the agent cases
// (self, another agent as supervisor or not, unknown, inactive, at capacity). Each case runs on
// an app with the fast path and, after the claim is undone, on one without it.
let fast: TestApp;
let apollo: TestApp;
/** Interaction's fields from the live schema: those the fast path writes itself (no resolver, or the assignedUntil resolver it reproduces). */
let COVERED: string[];
/** The others (fields with resolvers, each with one of its leaves when an object), which it leaves to Apollo. */
let OTHER: string[];
beforeAll(async () => {
  const interaction = (await buildAppSchema()).getType('Interaction') as GraphQLObjectType;
  COVERED = ['__typename'];
  OTHER = [];
  for (const field of Object.values(interaction.getFields())) {
    const named = getNamedType(field.type);
    const plain = !field.resolve || isGuardedProperty(field.resolve) || field.name === 'assignedUntil';
    if (isLeafType(named) && plain && field.args.length === 0) COVERED.push(field.name);
    else if (isLeafType(named)) OTHER.push(field.name);
    else if (isObjectType(named)) {
      // Not an id: the two apps answer for two items, whose own objects differ.
      const leaf = Object.values(named.getFields()).find((f) => isLeafType(getNamedType(f.type)) && getNamedType(f.type).name !== 'ID' && f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
      if (leaf) OTHER.push(`${field.name} { ${leaf.name} }`);
    }
  }
  [fast, apollo] = await Promise.all([startTestApp({ poolSize: 4 }), startTestApp({ poolSize: 4, deskFastPath: false })]);
});
afterAll(() => Promise.all([fast.close(), apollo.close()]));

const selectionOf = () => fc.record({
  fields: fc.uniqueArray(fc.constantFrom(...COVERED), { minLength: 1, maxLength: 8 }),
  aliases: fc.boolean(),
  fragment: fc.boolean(),
  include: fc.constantFrom(null, true, false),
  other: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.constantFrom(...OTHER), weight: 1 }),
  operationName: fc.boolean(),
});
const item = fc.record({
  content: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('say "hi"\n\\ \u2028 ✓ 😀', '')),
  sentiment: fc.option(fc.integer({ min: -10, max: 10 }).map((n) => n / 10), { nil: null }),
  topics: fc.uniqueArray(fc.constantFrom('fuel', 'price', 'o"dd'), { maxLength: 2 }),
  channel: fc.constantFrom('TWITTER', 'EMAIL', 'CHAT'),
  externalId: fc.option(fc.constantFrom('ext-1', 'x"y'), { nil: null }),
});
const caller = fc.record({
  roles: fc.constantFrom<string[]>(['agent'], ['supervisor'], ['admin'], ['viewer'], ['marketing'], ['agent', 'marketing']),
  agent: fc.constantFrom('self', 'selfByArgument', 'other', 'unknown', 'inactive', 'atCapacity'),
  assignmentSeconds: fc.constantFrom(60, 900),
});

function document(s: ReturnType<typeof selectionOf> extends fc.Arbitrary<infer T> ? T : never, withAgent: boolean): { query: string; operationName?: string } {
  const fields = s.fields.map((f, n) => (s.aliases && n % 2 === 0 && f !== '__typename' ? `a${n}: ${f}` : f));
  if (s.other) fields.push(s.other);
  const head = fields.slice(0, 1).join(' ');
  const rest = fields.slice(1).join(' ');
  const body = s.fragment ? `${head} ...F` : `${head} ${rest}`;
  const included = s.include === null ? '' : ` sg: skillGroup @include(if: ${s.include})`;
  const vars = withAgent ? '($agentId: ID)' : '';
  const args = withAgent ? '(agentId: $agentId)' : '';
  const name = s.operationName ? 'Claim' : '';
  const query = `mutation ${name}${vars} { got: claimNextInteraction${args} { ${body}${included} } }${s.fragment ? ` fragment F on Interaction { ${rest || 'id'} }` : ''}`;
  return s.operationName ? { query, operationName: 'Claim' } : { query };
}

/** requestId and stacktraces differ per request; assignedUntil is checked against the row, then masked. */
function normalise(value: unknown, due: string | null): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, due));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'requestId' || k === 'stacktrace') continue;
    if (typeof v === 'string' && v === due) out[k] = '<due>';
    else out[k] = normalise(v, due);
  }
  return out;
}

async function post(app: TestApp, sub: string, roles: string[], doc: { query: string; operationName?: string }, variables: Record<string, unknown>) {
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles, sub)}`).send({ ...doc, variables });
  return { status: res.status, text: res.text, path: res.headers['x-write-path'], statements: res.headers['x-sql-statements'], retryAfter: res.headers['retry-after'] };
}

describe('desk fast path', () => {
  it('answers every claim exactly as Apollo does, and answers itself only what it covers', async () => {
    let served = 0;
    await fc.assert(
      fc.asyncProperty(selectionOf(), item, caller, async (s, it, who) => {
        const sg = `cfp-${unique()}`;
        const me = `cfp-agent-${sg}`;
        const other = `cfp-other-${sg}`;
        const c = await createCustomer(fast.pool, { tier: 'GOLD' });
        const { rows: conv } = await fast.pool.query(
          `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
           VALUES ($1, $2, $2, ARRAY[$2], now(), now()) RETURNING id`, [c.id, it.channel]);
        const { rows } = await fast.pool.query(
          `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, skill_group, sla_due_at,
             actionable, sentiment, topics, external_id, is_public)
           VALUES ($1, $2, $3, 'INBOUND', now() - interval '5 minutes', $4, 'QUESTION', $5, now() + interval '1 hour', true, $6, $7, $8, $3 = 'TWITTER')
           RETURNING id`, [c.id, conv[0].id, it.channel, it.content, sg, it.sentiment, it.topics, it.externalId]);
        const itemId = rows[0].id as string;
        const agents = [me, other].filter((id) => who.agent !== 'unknown' || id !== me);
        for (const id of agents) {
          await fast.pool.query(
            `INSERT INTO care_agents (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, active, updated_by)
             VALUES ($1, $1, ARRAY[$2], ARRAY['CUSTOMER_SERVICE','MARKETING_PR'], ARRAY['GOLD'], '{}', 1, $3, $4, 'test')`,
            [id, sg, who.assignmentSeconds, !(who.agent === 'inactive' && id === me)]);
        }
        if (who.agent === 'atCapacity') {
          // The agent holds another item already (capacity 1), in a skill group it does not serve.
          const held = await fast.pool.query(
            `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, skill_group, actionable, assigned_to, assigned_at, assignment_due_at)
             VALUES ($1, $2, 'CHAT', 'INBOUND', now(), 'held', 'QUESTION', $3, true, $4, now(), now() + interval '1 hour') RETURNING id`, [c.id, conv[0].id, `${sg}-held`, me]);
          expect(held.rowCount).toBe(1);
        }
        const withAgent = who.agent === 'selfByArgument' || who.agent === 'other';
        const variables = withAgent ? { agentId: who.agent === 'other' ? other : me } : {};
        const doc = document(s, withAgent);
        const due = async () => {
          const { rows: r } = await fast.pool.query(`SELECT to_char(assignment_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due FROM interactions WHERE id = $1`, [itemId]);
          return r[0].due as string | null;
        };
        const viaFast = await post(fast, me, who.roles, doc, variables);
        const fastDue = await due();
        // Undo the claim: the same item is free again for the same agents.
        await fast.pool.query(`UPDATE interactions SET assigned_to = NULL, assigned_at = NULL, assignment_due_at = NULL WHERE id = $1`, [itemId]);
        const viaApollo = await post(apollo, me, who.roles, doc, variables);
        const apolloDue = await due();
        expect(viaApollo.path).toBeUndefined();
        expect({ status: viaFast.status, retryAfter: viaFast.retryAfter }).toEqual({ status: viaApollo.status, retryAfter: viaApollo.retryAfter });
        expect(JSON.stringify(normalise(JSON.parse(viaFast.text), fastDue))).toBe(JSON.stringify(normalise(JSON.parse(viaApollo.text), apolloDue)));
        const mayWork = who.roles.some((r) => ['agent', 'supervisor', 'admin'].includes(r));
        const agentOk = who.agent === 'self' || who.agent === 'selfByArgument' || who.agent === 'atCapacity'
          || (who.agent === 'other' && who.roles.some((r) => ['supervisor', 'admin'].includes(r)));
        const covered = s.other === null;
        expect(viaFast.path === 'claimNextInteraction').toBe(mayWork && agentOk && covered);
        if (viaFast.path === 'claimNextInteraction') {
          served++;
          // The shared rate-limit counter and the claim: the statements of the Apollo path.
          expect(viaFast.statements).toBe(viaApollo.statements);
          expect(viaFast.text.endsWith('}}\n')).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
    expect(served).toBeGreaterThan(15);
  });

  it('answers every respondToInteraction exactly as Apollo does, with the same writes and events', async () => {
    let served = 0;
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000).toISOString();
    const respond = fc.record({
      fields: fc.uniqueArray(fc.constantFrom(...COVERED), { minLength: 1, maxLength: 8 }),
      other: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.constantFrom(...OTHER), weight: 1 }),
      roles: fc.constantFrom<string[]>(['agent'], ['agent'], ['supervisor'], ['admin'], ['viewer'], ['ingest'], ['marketing']),
      content: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom('say "hi"\n\\ ✓ 😀', 'x'.repeat(300), '   ')),
      resolve: fc.boolean(),
      target: fc.constantFrom('open', 'open', 'open', 'open', 'claimed', 'resolved', 'outbound', 'unknown', 'notAnId'),
      channel: fc.constantFrom('TWITTER', 'EMAIL'),
    });
    await fc.assert(
      fc.asyncProperty(respond, async (r) => {
        const sub = `cfp-resp-${unique()}`;
        await fast.pool.query(
          `INSERT INTO care_agents (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, updated_by)
           VALUES ($1, $1, '{}', ARRAY['CUSTOMER_SERVICE','MARKETING_PR'], ARRAY['GOLD'], '{}', 5, 900, 'test')`, [sub]);
        // Two items of one customer, alike in everything but their ids: one answered through each path.
        const c = await createCustomer(fast.pool, { tier: 'GOLD' });
        const makeItem = async () => {
          const { rows: conv } = await fast.pool.query(
            `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
             VALUES ($1, $2, $2, ARRAY[$2], $3, $3) RETURNING id`, [c.id, r.channel, at]);
          const { rows } = await fast.pool.query(
            `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, skill_group, sla_due_at, actionable, is_public, status,
               assigned_to, assigned_at, assignment_due_at)
             VALUES ($1, $2, $3, $4, $5::timestamptz - interval '1 minute', 'help?', 'QUESTION', 'cfp-resp', $5::timestamptz + interval '1 hour', true, $3 = 'TWITTER', $6,
               $7, CASE WHEN $7::text IS NOT NULL THEN now() END, CASE WHEN $7::text IS NOT NULL THEN now() + interval '1 hour' END)
             RETURNING id`,
            [c.id, conv[0].id, r.channel, r.target === 'outbound' ? 'OUTBOUND' : 'INBOUND', at, r.target === 'resolved' ? 'RESOLVED' : 'OPEN', r.target === 'claimed' ? sub : null]);
          return rows[0].id as string;
        };
        const [x, y] = [await makeItem(), await makeItem()];
        const idOf = (item: string) => (r.target === 'unknown' ? '00000000-0000-4000-8000-000000000000' : r.target === 'notAnId' ? 'not-an-id' : item);
        const fields = [...r.fields, ...(r.other ? [r.other] : [])].join(' ');
        const doc = { query: `mutation($input: RespondInput!) { answered: respondToInteraction(input: $input) { ${fields} } }` };
        const input = (item: string) => ({ interactionId: idOf(item), content: r.content, resolve: r.resolve, occurredAt: at });
        const viaFast = await post(fast, sub, r.roles, doc, { input: input(x) });
        const viaApollo = await post(apollo, sub, r.roles, doc, { input: input(y) });
        expect(viaApollo.path).toBeUndefined();
        expect(viaFast.status).toBe(viaApollo.status);
        const mask = (text: string, item: string) => JSON.stringify(normalise(JSON.parse(text.split(item).join('<item>')), null));
        expect(mask(viaFast.text, x)).toBe(mask(viaApollo.text, y));
        // The same writes: replies, history and outbox events, by kind.
        const writes = async (item: string) => (await fast.pool.query(
          `SELECT (SELECT count(*) FROM interactions WHERE in_reply_to_id = $1)::int AS replies,
                  (SELECT string_agg(event || ':' || coalesce(to_status, ''), ',' ORDER BY event) FROM interaction_history WHERE interaction_id = $1) AS history,
                  (SELECT string_agg(type, ',' ORDER BY type) FROM outbox_events WHERE data->>'interactionId' = $1::text OR data->>'id' IN (SELECT id::text FROM interactions WHERE in_reply_to_id = $1)) AS events,
                  (SELECT status || ':' || coalesce(assigned_to, '-') FROM interactions WHERE id = $1) AS state`, [item])).rows[0];
        expect(await writes(x)).toEqual(await writes(y));
        const mayWork = r.roles.some((role) => ['agent', 'supervisor', 'admin'].includes(role));
        const answerable = (r.target === 'open' || r.target === 'claimed') && r.content.trim() !== '' && !(r.channel === 'TWITTER' && r.content.length > 280);
        if (mayWork && answerable && r.other === null) {
          expect(viaFast.path).toBe('respondToInteraction');
          expect(viaFast.statements).toBe(viaApollo.statements);
          served++;
        } else if (!(mayWork && r.other === null)) {
          expect(viaFast.path).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
    // About one draw in eight is one the fast path serves (an agent role, an answerable item, no
    // other field): at least a few of 150, whatever the seed.
    expect(served).toBeGreaterThan(4);
  });

  it('counts each claim once against the mutation rate, whichever path answers it', async () => {
    const limited = await startTestApp({ poolSize: 2, limits: { mutationsPerMinute: 3 } });
    try {
      const sg = `cfp-rate-${unique()}`;
      const me = `cfp-rate-${sg}`;
      await limited.pool.query(
        `INSERT INTO care_agents (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, updated_by)
         VALUES ($1, $1, ARRAY[$2], ARRAY['CUSTOMER_SERVICE','MARKETING_PR'], ARRAY['PLATINUM','GOLD','SILVER','BRONZE','NONE'], '{}', 5, 900, 'test')`, [me, sg]);
      const claim = { query: `mutation { claimNextInteraction { id } }` };
      // Served by the fast path (null: nothing in the agent's skill group), then an unknown agent (Apollo, after the count was taken back).
      const first = await post(limited, me, ['agent'], claim, {});
      expect(first).toMatchObject({ status: 200, path: 'claimNextInteraction', text: '{"data":{"claimNextInteraction":null}}\n' });
      const nobody = `cfp-nobody-${sg}`;
      const unknown = await post(limited, nobody, ['agent'], claim, {});
      expect(JSON.parse(unknown.text).errors[0].extensions.code).toBe('NOT_FOUND');
      expect((await post(limited, nobody, ['agent'], claim, {})).status).toBe(200);
      expect((await post(limited, nobody, ['agent'], claim, {})).status).toBe(200);
      // The fourth mutation of this subject: refused, by Apollo's answer.
      const refused = await post(limited, nobody, ['agent'], claim, {});
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect((await post(limited, me, ['agent'], claim, {})).path).toBe('claimNextInteraction');
      expect((await post(limited, me, ['agent'], claim, {})).path).toBe('claimNextInteraction');
      const meRefused = await post(limited, me, ['agent'], claim, {});
      expect(meRefused).toMatchObject({ status: 429, path: undefined });
    } finally {
      await limited.close();
    }
  });
});
