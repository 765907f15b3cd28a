import fc from 'fast-check';
import type { Pool } from 'pg';
import { ROLES, type Role } from '../../src/auth/roles';
import { startTestApp, type GraphQLResult, type TestApp } from '../helpers/app';
import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { insertConsentEvents } from '../helpers/consent';

// The compiled read path (one statement per read, loaders primed from it) and the response
// fast path (one statement that builds the whole response) must answer exactly what the loader
// path answers: several hundred random customers, random selections, every role.
let fast: TestApp;
let compiled: TestApp;
let loaders: TestApp;
const customers: { id: string; email: string | null }[] = [];
const mergedIds: string[] = [];
const skillGroup = `prop-${unique()}`;
/** In every display name: the list root searches for it, so other test files' customers never join the page. */
const runTag = `Prop${unique()}`;

const CHANNELS = ['EMAIL', 'PHONE', 'TWITTER', 'CHAT'] as const;
const T0 = Date.parse('2026-06-01T00:00:00Z');

const customerSpec = fc.record({
  tier: fc.constantFrom('PLATINUM', 'GOLD', 'SILVER', 'BRONZE', 'NONE'),
  city: fc.option(fc.constantFrom('Plymouth', 'Detroit', 'Ann Arbor'), { nil: null }),
  emails: fc.integer({ min: 0, max: 2 }),
  phones: fc.integer({ min: 0, max: 1 }),
  handles: fc.array(fc.record({ platform: fc.constantFrom('TWITTER', 'INSTAGRAM', 'FACEBOOK'), followers: fc.option(fc.nat(100_000), { nil: undefined }) }), { maxLength: 2 }),
  // Minute offsets from T0; repeats make equal timestamps, so the id tie-break is exercised.
  interactions: fc.array(fc.record({ channel: fc.constantFrom(...CHANNELS), minute: fc.integer({ min: 0, max: 6 }), inbound: fc.boolean() }), { maxLength: 7 }),
  influence: fc.array(
    fc.record({ score: fc.integer({ min: 10, max: 100 }).map((n) => n / 10), topic: fc.constantFrom(null, 'fuel', 'service'), platform: fc.constantFrom(null, 'TWITTER'), minute: fc.nat(5) }),
    { maxLength: 4 },
  ),
  consents: fc.array(fc.record({ purpose: fc.constantFrom('SERVICE', 'MARKETING', 'PROFILING'), status: fc.constantFrom('GRANTED', 'DENIED', 'REVOKED'), day: fc.integer({ min: -40, max: -1 }), expires: fc.option(fc.integer({ min: -20, max: 20 }), { nil: null }) }), { maxLength: 4 }),
  escalations: fc.nat(2),
  fate: fc.constantFrom('live', 'live', 'live', 'live', 'merged', 'erased'),
});
type Spec = typeof customerSpec extends fc.Arbitrary<infer T> ? T : never;

async function writeCustomer(pool: Pool, spec: Spec): Promise<void> {
  const tag = unique();
  const emails = Array.from({ length: spec.emails }, (_, n) => `p${n}-${tag}@example.com`);
  const c = await createCustomer(pool, {
    displayName: `${runTag} ${tag}`,
    tier: spec.tier,
    city: spec.city,
    emails,
    phones: Array.from({ length: spec.phones }, (_, n) => n === 0 ? `+1313${uniqueLocalDigits()}` : ''),
    handles: spec.handles.map((h, n) => ({ platform: h.platform, handle: `p${n}${tag}`, followerCount: h.followers })),
    interactions: spec.interactions.map((i) => ({ channel: i.channel, occurredAt: new Date(T0 + i.minute * 60_000), direction: i.inbound ? 'INBOUND' : 'OUTBOUND' })),
    influence: spec.influence.map((s) => ({ score: s.score, topic: s.topic, platform: s.platform, measuredAt: new Date(T0 + s.minute * 60_000) })),
  });
  await pool.query(`UPDATE influence_scores SET flagged = (abs(hashtext(id::text)) % 5 < 2) WHERE customer_id = $1`, [c.id]);
  await pool.query(`UPDATE interactions SET skill_group = $2 WHERE customer_id = $1`, [c.id, skillGroup]);
  const identities = [
    ...c.socialIdentityIds.map((id) => ({ id, kind: 'SOCIAL' as const })),
    ...(await pool.query<{ id: string }>(`SELECT id FROM contact_points WHERE customer_id = $1`, [c.id])).rows.map((r) => ({ id: r.id, kind: 'CONTACT' as const })),
  ];
  if (identities.length > 0) {
    await insertConsentEvents(
      pool,
      spec.consents.map((e, n) => ({
        identityId: identities[n % identities.length].id,
        kind: identities[n % identities.length].kind,
        purpose: e.purpose as 'SERVICE',
        status: e.status as 'GRANTED',
        recordedAt: new Date(Date.now() + e.day * 86_400_000),
        expiresAt: e.expires === null ? null : new Date(Date.now() + e.expires * 86_400_000),
      })),
    );
  }
  for (let n = 0; n < Math.min(spec.escalations, c.interactionIds.length); n++) {
    await pool.query(
      `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_by, resolved_at) VALUES ($1, $2, 'RETENTION', 'prop', 'test', $3)`,
      [c.id, c.interactionIds[n], n === 1 ? new Date() : null],
    );
  }
  if (spec.fate === 'merged' && customers.length > 0) {
    // This customer was merged into an earlier one: its id answers with the survivor.
    const survivor = customers[Math.floor(Math.random() * customers.length)];
    await pool.query(`UPDATE customers SET merged_into = $2 WHERE id = $1`, [c.id, survivor.id]);
    mergedIds.push(c.id);
    return;
  }
  customers.push({ id: c.id, email: emails[0] ?? null });
  if (spec.fate === 'erased') {
    const res = await fast.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: c.id }, ['admin']);
    expect(res.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  fast = await startTestApp();
  compiled = await startTestApp({ responseFastPath: false });
  loaders = await startTestApp({ compiledReads: false });
  for (const spec of fc.sample(customerSpec, { numRuns: 300, seed: 360 })) await writeCustomer(fast.pool, spec);
}, 240_000);
afterAll(async () => {
  await fast?.close();
  await compiled?.close();
  await loaders?.close();
});

/** Random selections of the 360 fields, arguments as literals or variables, some behind fragments. */
const consentsSel = fc.constantFrom('', 'consents { purpose status recordedAt source expiresAt }', 'consents(asOf: "2026-11-20T00:00:00Z") { purpose status }', 'consentHistory { purpose status }');
const pageArgs = fc.record({ first: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }) });
const field = fc.oneof(
  fc.constantFrom('id', 'displayName', 'tier', 'city', 'region', 'country', 'createdAt', 'attributes', '__typename'),
  consentsSel.map((c) => `emails { id value verified capturedVia capturedAt ${c} }`),
  consentsSel.map((c) => `phones { value ${c} }`),
  consentsSel.map((c) => `socialIdentities { id platform handle externalUserId profileUrl followerCount verified capturedVia capturedAt ${c} }`),
  fc.tuple(pageArgs, fc.boolean(), fc.boolean()).map(([a, count, nested]) =>
    `interactions(${a.first === undefined ? '' : `first: ${a.first}`} ${a.channel ? `channel: ${a.channel}` : ''}) { ${count ? 'totalCount' : ''}
      edges { cursor node { id channel direction occurredAt content isPublic category sentiment topics lane skillGroup status respondedAt slaDueAt actionable closedLoop externalId ${nested ? 'slaBreached conversation { id channels }' : ''} } }
      pageInfo { hasNextPage endCursor } }`),
  fc.tuple(fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), fc.boolean()).map(([first, count]) =>
    `conversations${first === undefined ? '' : `(first: ${first})`} { ${count ? 'totalCount' : ''} edges { cursor node { id channels startedAt lastActivityAt originChannel currentChannel loopClosedAt } } pageInfo { hasNextPage endCursor } }`),
  fc.constant('influence { score topic platform source measuredAt trend computed flagged }'),
  fc.constant('influenceByTopic { score topic platform trend flagged }'),
  fc.constant('priority { score reasons { factor contribution detail } }'),
  fc.constant('openEscalations { id team reason automatic createdAt resolvedAt resolution }'),
  fc.constant('merges { id }'),
  fc.constant('tierHistory { tier }'),
  fc.constantFrom('followerHistory { platform followerCount measuredAt }', 'followerHistory(platform: TWITTER, first: 1) { followerCount }', 'networkTrend'),
);
/** Only fields the response fast path covers (docs/read-path.md), so it answers every customer root for the customer-reading roles. */
const coveredField = fc.oneof(
  fc.constantFrom('id', 'displayName', 'tier', 'city', 'region', 'country', 'createdAt', '__typename'),
  fc.constant('emails { __typename id value verified capturedVia capturedAt }'),
  fc.constant('phones { value capturedAt }'),
  fc.constant('socialIdentities { id platform handle externalUserId profileUrl followerCount verified capturedVia capturedAt }'),
  fc.tuple(pageArgs, fc.boolean(), fc.boolean()).map(([a, count, nested]) =>
    `interactions${a.first === undefined && !a.channel ? '' : `(${a.first === undefined ? '' : `first: ${a.first}`} ${a.channel ? `channel: ${a.channel}` : ''})`} { __typename ${count ? 'totalCount' : ''}
      edges { __typename cursor node { id channel direction occurredAt content isPublic category sentiment topics lane skillGroup status respondedAt slaDueAt actionable closedLoop externalId ${nested ? 'customer { id tier }' : ''} } }
      pageInfo { __typename hasNextPage endCursor } }`),
  fc.constant('influence { score topic platform source measuredAt trend computed flagged }'),
  fc.constant('influenceByTopic { score topic platform trend flagged }'),
);
const selectionOf = (fields: fc.Arbitrary<string>) => fc
  .tuple(fc.uniqueArray(fields, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.boolean())
  .map(([fields, aliased, fragment]) => {
    const body = fields.map((f, n) => (aliased && n % 2 === 0 && !f.startsWith('__') ? `a${n}: ${f}` : f)).join('\n');
    return fragment ? { body: '...C', fragment: `fragment C on Customer { ${body} }` } : { body, fragment: '' };
  });
const selection = selectionOf(field);
/** Every field under an alias of its own: two pages with other arguments never conflict (a validation error). */
const coveredSelection = fc.tuple(fc.uniqueArray(coveredField, { minLength: 1, maxLength: 8 }), fc.boolean()).map(([fields, fragment]) => {
  const body = fields.map((f, n) => (f.startsWith('__') ? f : `f${n}: ${f}`)).join('\n');
  return fragment ? { body: '...C', fragment: `fragment C on Customer { ${body} }` } : { body, fragment: '' };
});

const normalise = (res: GraphQLResult) =>
  JSON.parse(JSON.stringify({ data: res.data ?? null, errors: (res.errors ?? []).map(({ extensions, ...e }) => ({ ...e, extensions: { ...extensions, requestId: undefined } })) }));

async function both(query: string, variables: Record<string, unknown>, role: Role) {
  const [a, b, c] = await Promise.all([compiled.gql(query, variables, [role]), loaders.gql(query, variables, [role]), fast.gql(query, variables, [role])]);
  return { compiledResult: normalise(a), loaderResult: normalise(b), fastResult: normalise(c), statements: Number(a.headers['x-sql-statements']) };
}

/** The fast path's answer beside the loader path's; `took` says whether the fast path answered. */
async function fastAndLoaders(query: string, variables: Record<string, unknown>, role: Role) {
  const [a, b] = await Promise.all([fast.gql(query, variables, [role]), loaders.gql(query, variables, [role])]);
  return { fastResult: normalise(a), loaderResult: normalise(b), took: a.headers['x-read-path'] === 'sql-response', statements: Number(a.headers['x-sql-statements']) };
}

const root = fc.oneof(
  fc.nat().map((n) => ({ kind: 'customer' as const, n })),
  fc.nat().map((n) => ({ kind: 'merged' as const, n })),
  fc.constant({ kind: 'unknown' as const, n: 0 }),
  fc.nat().map((n) => ({ kind: 'lookup' as const, n })),
  fc.integer({ min: 1, max: 30 }).map((n) => ({ kind: 'list' as const, n })),
  fc.integer({ min: 1, max: 30 }).map((n) => ({ kind: 'queue' as const, n })),
);

describe('compiled customer 360 = loader path', () => {
  it('answers every random selection, root and role exactly as the loader path', async () => {
    await fc.assert(
      fc.asyncProperty(root, selection, async (r, sel) => {
        let query: string;
        let variables: Record<string, unknown> = {};
        if (r.kind === 'customer' || r.kind === 'merged' || r.kind === 'unknown') {
          const id = r.kind === 'unknown' ? '00000000-0000-4000-8000-000000000000' : r.kind === 'merged' ? mergedIds[r.n % mergedIds.length] : customers[r.n % customers.length].id;
          query = `query($id: ID!) { customer(id: $id) { ${sel.body} } } ${sel.fragment}`;
          variables = { id };
        } else if (r.kind === 'lookup') {
          const withEmail = customers.filter((c) => c.email);
          query = `query($email: String) { lookupCustomer(email: $email) { ${sel.body} } } ${sel.fragment}`;
          variables = { email: withEmail[r.n % withEmail.length].email!.toUpperCase() };
        } else if (r.kind === 'list') {
          query = `query($first: Int, $tag: String) { customers(first: $first, search: $tag) { totalCount edges { cursor node { ${sel.body} } } pageInfo { hasNextPage endCursor } } } ${sel.fragment}`;
          variables = { first: r.n, tag: runTag };
        } else {
          query = `query($first: Int, $g: String) { careQueue(first: $first, skillGroup: $g) { edges { cursor node {
            interaction { id customer { ${sel.body} } } } } pageInfo { hasNextPage endCursor } } } ${sel.fragment}`;
          variables = { first: r.n, g: skillGroup };
        }
        for (const role of ROLES) {
          const { compiledResult, loaderResult, fastResult } = await both(query, variables, role);
          expect(compiledResult).toEqual(loaderResult);
          // Whether the fast path answers or falls back, the answer is the same.
          expect(fastResult).toEqual(loaderResult);
        }
      }),
      { numRuns: 150, seed: 12 },
    );
  }, 600_000);

  it('answers covered selections on the response fast path exactly as the loader path, in one statement', async () => {
    const fastRoot = fc.oneof(
      fc.nat().map((n) => ({ kind: 'customer' as const, n })),
      fc.nat().map((n) => ({ kind: 'merged' as const, n })),
      fc.constant({ kind: 'unknown' as const, n: 0 }),
      fc.integer({ min: 1, max: 30 }).map((n) => ({ kind: 'queue' as const, n })),
    );
    await fc.assert(
      fc.asyncProperty(fastRoot, coveredSelection, fc.boolean(), async (r, sel, asVariable) => {
        let query: string;
        let variables: Record<string, unknown>;
        if (r.kind === 'queue') {
          query = `query($g: String) { careQueue(first: ${r.n}, skillGroup: $g) { __typename edges { __typename cursor node { nextStep
            interaction { id occurredAt customer { ${sel.body} } } } } pageInfo { hasNextPage endCursor } } } ${sel.fragment}`;
          variables = { g: skillGroup };
        } else {
          const id = r.kind === 'unknown' ? '00000000-0000-4000-8000-000000000000' : r.kind === 'merged' ? mergedIds[r.n % mergedIds.length] : customers[r.n % customers.length].id;
          // The id as a variable (a parameter of one cached plan) or as a literal (a plan of its own).
          query = asVariable ? `query($id: ID!) { c360: customer(id: $id) { ${sel.body} } } ${sel.fragment}` : `{ customer(id: "${id}") { ${sel.body} } } ${sel.fragment}`;
          variables = asVariable ? { id } : {};
        }
        for (const role of ROLES) {
          const { fastResult, loaderResult, took, statements } = await fastAndLoaders(query, variables, role);
          expect(fastResult).toEqual(loaderResult);
          const rootRole = r.kind === 'queue' ? ['agent', 'supervisor', 'admin'] : ['viewer', 'agent', 'supervisor', 'admin'];
          expect(took).toBe(rootRole.includes(role));
          if (took) expect(statements).toBe(1);
        }
      }),
      { numRuns: 150, seed: 1212 },
    );
  }, 600_000);

  it('pages with the cursors of the loader path', async () => {
    const query = `query($id: ID!, $after: String) { customer(id: $id) { interactions(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
    for (const c of customers.slice(0, 60)) {
      let after: string | null = null;
      do {
        const { compiledResult, loaderResult, statements } = await both(query, { id: c.id, after }, 'viewer');
        expect(compiledResult).toEqual(loaderResult);
        expect(statements).toBe(1);
        after = compiledResult.data.customer.interactions.pageInfo.hasNextPage ? compiledResult.data.customer.interactions.pageInfo.endCursor : null;
      } while (after);
    }
  }, 120_000);
});
