import request from 'supertest';
import { CUSTOMER_OWNED_TABLES } from '../../src/identities/customer-owned-tables';
import { startTestApp, type TestApp } from '../helpers/app';
import { unique, uniqueLocalDigits } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id emails { value } phones { value } } }`;
const TOUCHPOINTS = `mutation($inputs: [TouchpointInput!]!) { recordTouchpoints(inputs: $inputs) { id } }`;
const BLOCK = `mutation($input: BlockIdentifierInput!) { blockIdentifier(input: $input) { id kind platform value isPattern reason createdBy } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id customer { id } } }`;
const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id customer { id } } }`;
const DETACH = `mutation($input: DetachIdentifierInput!) { detachIdentifier(input: $input) { id emails { value } } }`;
const MERGE = `mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id moved { table count } } }`;
const PREVIEW = `query($s: ID!, $m: ID!) { mergePreview(survivorId: $s, mergedId: $m) { survivor { id } merged { id } moves { table rows } conflicts } }`;
const LOOKUP = `query($h: String!) { lookupCustomer(platform: TWITTER, handle: $h) { id } }`;
const PHONE_CONSENTS = `query($id: ID!) { customer(id: $id) {
  phones { value consents { purpose status } consentHistory { purpose status source interactionId } }
  socialIdentities { handle consents { purpose status } consentHistory { purpose status interactionId } } } }`;

const phone = () => `+1605${uniqueLocalDigits()}`;

async function ok<T = Record<string, any>>(document: string, variables: Record<string, unknown>, roles: Parameters<TestApp['gql']>[2] = ['admin']): Promise<T> {
  const res = await app.gql<T>(document, variables, roles);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await app.pool.query<{ n: number }>(sql, params)).rows[0].n;
}

async function blockedMetric(kind: string): Promise<number> {
  const text = (await request(app.server).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`social_crm_identifiers_blocked_total{kind="${kind}"}`));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('blockIdentifier', () => {
  it('a blocked email given at two touchpoints joins nobody: two customers, the email stored on neither', async () => {
    const placeholder = `none-${unique()}@none.invalid`;
    const block = await ok(BLOCK, { input: { kind: 'EMAIL', value: ` ${placeholder.toUpperCase()} `, reason: 'placeholder given by shop staff' } }, ['supervisor']);
    expect(block.blockIdentifier).toMatchObject({ kind: 'EMAIL', value: placeholder, isPattern: false, platform: null });
    const a = await ok(TOUCHPOINT, { input: { touchpoint: 'IN_STORE', name: 'Ann Block', emails: [placeholder], phones: [{ number: phone() }] } }, ['agent']);
    const b = await ok(TOUCHPOINT, { input: { touchpoint: 'IN_STORE', name: 'Bob Block', emails: [placeholder], phones: [{ number: phone() }] } }, ['agent']);
    expect(a.recordTouchpoint.id).not.toBe(b.recordTouchpoint.id);
    expect(a.recordTouchpoint.emails).toEqual([]);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE value = $1`, [placeholder])).toBe(0);
  });

  it('a consent given at a touchpoint applies to its unblocked identifiers only; one given for a blocked one is dropped', async () => {
    const placeholder = `none-${unique()}@none.invalid`;
    await ok(BLOCK, { input: { kind: 'EMAIL', value: placeholder, reason: 'placeholder' } }, ['supervisor']);
    const real = `real-${unique()}@example.com`;
    const c = await ok(TOUCHPOINT, { input: { touchpoint: 'NEWSLETTER_OPT_IN', emails: [placeholder, real], consents: [
      { purpose: 'MARKETING', status: 'GRANTED' },
      { purpose: 'PROFILING', status: 'GRANTED', identifier: { email: placeholder } },
    ] } }, ['agent']);
    const { rows } = await app.pool.query(
      `SELECT p.value, e.purpose FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id WHERE e.customer_id = $1`, [c.recordTouchpoint.id]);
    expect(rows).toEqual([{ value: real, purpose: 'MARKETING' }]);
  });

  it('recordTouchpoints: items sharing only a blocked email make a customer each (set-based path)', async () => {
    const placeholder = `none-${unique()}@none.invalid`;
    await ok(BLOCK, { input: { kind: 'EMAIL', value: placeholder, reason: 'placeholder' } }, ['supervisor']);
    const res = await ok(TOUCHPOINTS, { inputs: [
      { touchpoint: 'IMPORT', emails: [placeholder, `a-${unique()}@example.com`] },
      { touchpoint: 'IMPORT', emails: [placeholder, `b-${unique()}@example.com`] },
    ] }, ['ingest']);
    expect(new Set(res.recordTouchpoints.map((c: { id: string }) => c.id)).size).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE value = $1`, [placeholder])).toBe(0);
  });

  it('a pattern blocks every value it matches, whole and ignoring case, at touchpoints and at ingestion', async () => {
    const domain = `shared-${unique()}.invalid`;
    await ok(BLOCK, { input: { kind: 'EMAIL', pattern: `.*@${domain.replace(/\./g, '\\.')}`, reason: 'test domain' } }, ['supervisor']);
    const a = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [`One@${domain}`], phones: [{ number: phone() }] } }, ['agent']);
    const b = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [`one@${domain}`], phones: [{ number: phone() }] } }, ['agent']);
    expect(a.recordTouchpoint.id).not.toBe(b.recordTouchpoint.id);
    // A value the pattern matches only in part is not blocked.
    const c = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [`one@${domain}.example.com`] } }, ['agent']);
    expect(c.recordTouchpoint.emails).toEqual([{ value: `one@${domain}.example.com` }]);
    // Ingestion: recorded on the customer named by its phone; the blocked email links nothing.
    const p = phone();
    const known = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', phones: [{ number: p }] } }, ['agent']);
    const rec = await ok(RECORD, { input: { idempotencyKey: unique(), channel: 'SMS', phone: p, email: `two@${domain}`, content: 'hello' } }, ['ingest']);
    expect(rec.recordInteraction.customer.id).toBe(known.recordTouchpoint.id);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE value LIKE $1`, [`%@${domain}`])).toBe(0);
  });

  it('an interaction or touchpoint named only by blocked identifiers is BAD_USER_INPUT and writes nothing', async () => {
    const handle = `tst${uniqueLocalDigits()}`;
    await ok(BLOCK, { input: { kind: 'HANDLE', platform: 'TWITTER', value: `@${handle}`, reason: 'test account' } }, ['supervisor']);
    const okHandle = `ok${uniqueLocalDigits()}`;
    const keys = [unique(), unique()];
    const bulk = await app.gql(RECORD_MANY, { inputs: [
      { idempotencyKey: keys[0], channel: 'TWITTER', platform: 'TWITTER', handle: okHandle, content: 'fine' },
      { idempotencyKey: keys[1], channel: 'TWITTER', platform: 'TWITTER', handle, content: 'from the test account' },
    ] }, ['ingest']);
    expect(bulk.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bulk.errors)).toContain('test account');
    const tp = await app.gql(TOUCHPOINT, { input: { touchpoint: 'OTHER', handles: [{ platform: 'TWITTER', handle }] } }, ['agent']);
    expect(tp.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE idempotency_key = ANY($1)`, [keys])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM social_identities WHERE handle = ANY($1)`, [[handle, okHandle]])).toBe(0);
  });

  it('a single recordInteraction (coalesced) with a blocked phone and a known email goes to the email\'s customer', async () => {
    const shared = phone();
    await ok(BLOCK, { input: { kind: 'PHONE', value: shared, reason: 'the shop\'s number' } }, ['supervisor']);
    const email = `c-${unique()}@example.com`;
    const owner = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [email] } }, ['agent']);
    const rec = await ok(RECORD, { input: { idempotencyKey: unique(), channel: 'EMAIL', email, phone: shared, content: 'hi' } }, ['ingest']);
    expect(rec.recordInteraction.customer.id).toBe(owner.recordTouchpoint.id);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE value = $1`, [shared])).toBe(0);
  });

  it('counts blocks on /metrics', async () => {
    const placeholder = `none-${unique()}@none.invalid`;
    await ok(BLOCK, { input: { kind: 'EMAIL', value: placeholder, reason: 'placeholder' } }, ['supervisor']);
    const before = await blockedMetric('EMAIL');
    await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [placeholder, `d-${unique()}@example.com`] } }, ['agent']);
    expect(await blockedMetric('EMAIL')).toBe(before + 1);
  });

  it('blocking twice answers the live block; unblockIdentifier lifts it and the value links again', async () => {
    const value = `none-${unique()}@none.invalid`;
    const first = await ok(BLOCK, { input: { kind: 'EMAIL', value, reason: 'first' } }, ['supervisor']);
    const again = await ok(BLOCK, { input: { kind: 'EMAIL', value, reason: 'second' } }, ['supervisor']);
    expect(again.blockIdentifier.id).toBe(first.blockIdentifier.id);
    expect(await count(`SELECT count(*)::int AS n FROM identifier_blocks WHERE value = $1`, [value])).toBe(1);
    const listed = await ok(`{ blockedIdentifiers { id } }`, {}, ['supervisor']);
    expect(listed.blockedIdentifiers.map((b: { id: string }) => b.id)).toContain(first.blockIdentifier.id);
    expect((await ok(`mutation($id: ID!) { unblockIdentifier(id: $id) }`, { id: first.blockIdentifier.id }, ['supervisor'])).unblockIdentifier).toBe(true);
    expect((await ok(`mutation($id: ID!) { unblockIdentifier(id: $id) }`, { id: first.blockIdentifier.id }, ['supervisor'])).unblockIdentifier).toBe(false);
    const linked = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [value] } }, ['agent']);
    expect(linked.recordTouchpoint.emails).toEqual([{ value }]);
  });

  it.each([
    ['both value and pattern', { kind: 'EMAIL', value: 'a@b.invalid', pattern: 'a.*', reason: 'x' }],
    ['neither value nor pattern', { kind: 'EMAIL', reason: 'x' }],
    ['a pattern with a backreference', { kind: 'EMAIL', pattern: '(a)\\1@x', reason: 'x' }],
    ['a pattern that matches everything', { kind: 'EMAIL', pattern: '.*', reason: 'x' }],
    ['a handle without platform', { kind: 'HANDLE', value: 'someone', reason: 'x' }],
    ['a platform on an email', { kind: 'EMAIL', platform: 'TWITTER', value: 'a@b.invalid', reason: 'x' }],
    ['an empty reason', { kind: 'EMAIL', value: 'a@b.invalid', reason: ' ' }],
    ['a value that is not an email', { kind: 'EMAIL', value: 'not an email', reason: 'x' }],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_what, input) => {
    const res = await app.gql(BLOCK, { input }, ['supervisor']);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const given = input as Record<string, string | undefined>;
    expect(await count(`SELECT count(*)::int AS n FROM identifier_blocks WHERE value = ANY($1)`, [[given.value ?? '', given.pattern ?? '']])).toBe(0);
  });

  it('agents may not block (FORBIDDEN)', async () => {
    const res = await app.gql(BLOCK, { input: { kind: 'EMAIL', value: `x-${unique()}@none.invalid`, reason: 'x' } }, ['agent']);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('detachIdentifier', () => {
  async function customerWithTwoEmails() {
    const wrong = `wrong-${unique()}@example.com`;
    const right = `right-${unique()}@example.com`;
    const c = await ok(TOUCHPOINT, { input: {
      touchpoint: 'NEWSLETTER_OPT_IN', name: 'Dee Tach', emails: [right, wrong],
      consents: [{ purpose: 'MARKETING', status: 'GRANTED', identifier: { email: wrong } }],
    } }, ['agent']);
    return { id: c.recordTouchpoint.id as string, wrong, right };
  }

  it('moves the email and its consent history to a new customer (audited, IDENTIFIER_DETACHED), and a merge brings it back', async () => {
    const { id, wrong, right } = await customerWithTwoEmails();
    const res = await ok(DETACH, { input: { customerId: id, kind: 'EMAIL', value: wrong.toUpperCase() } }, ['supervisor']);
    const detached = res.detachIdentifier.id;
    expect(detached).not.toBe(id);
    expect(res.detachIdentifier.emails).toEqual([{ value: wrong }]);
    const consentOwners = (await app.pool.query(
      `SELECT e.customer_id FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id WHERE p.value = $1`, [wrong])).rows;
    expect(consentOwners).toEqual([{ customer_id: detached }]);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE customer_id = $1 AND value = $2`, [id, right])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'IDENTIFIER_DETACHED' AND subject = $1`, [id])).toBe(1);
    const [event] = (await app.pool.query(`SELECT data FROM outbox_events WHERE type = 'IDENTIFIER_DETACHED' AND customer_id = $1`, [detached])).rows;
    expect(event.data).toMatchObject({ customerId: detached, fromCustomerId: id, kind: 'EMAIL', socialIdentityId: null, consentEvents: 1 });

    await ok(MERGE, { s: id, m: detached }, ['supervisor']);
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE customer_id = $1 AND value = ANY($2)`, [id, [wrong, right]])).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id
                         WHERE p.value = $1 AND e.customer_id = $2`, [wrong, id])).toBe(1);
  });

  it('a retry with the same idempotencyKey answers the first new customer and writes once', async () => {
    const { id, wrong } = await customerWithTwoEmails();
    const input = { customerId: id, kind: 'EMAIL', value: wrong, idempotencyKey: `detach-${unique()}` };
    const [first, second] = [await ok(DETACH, { input }, ['supervisor']), await ok(DETACH, { input }, ['supervisor'])];
    expect(second.detachIdentifier.id).toBe(first.detachIdentifier.id);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'IDENTIFIER_DETACHED' AND subject = $1`, [id])).toBe(1);
    const other = await app.gql(DETACH, { input: { ...input, value: `x-${unique()}@example.com` } }, ['supervisor']);
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('refuses the last identifier (CONFLICT), an identifier the customer does not hold (NOT_FOUND), a bad id (BAD_USER_INPUT): nothing written', async () => {
    const email = `only-${unique()}@example.com`;
    const c = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [email] } }, ['agent']);
    const last = await app.gql(DETACH, { input: { customerId: c.recordTouchpoint.id, kind: 'EMAIL', value: email } }, ['supervisor']);
    expect(last.errors?.[0].extensions?.code).toBe('CONFLICT');
    const missing = await app.gql(DETACH, { input: { customerId: c.recordTouchpoint.id, kind: 'EMAIL', value: `no-${unique()}@example.com` } }, ['supervisor']);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const bad = await app.gql(DETACH, { input: { customerId: 'nope', kind: 'EMAIL', value: email } }, ['supervisor']);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badValue = await app.gql(DETACH, { input: { customerId: c.recordTouchpoint.id, kind: 'PHONE', value: 'not a phone' } }, ['supervisor']);
    expect(badValue.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count(`SELECT count(*)::int AS n FROM contact_points WHERE value = $1 AND customer_id = $2`, [email, c.recordTouchpoint.id])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'IDENTIFIER_DETACHED' AND data->>'fromCustomerId' = $1`, [c.recordTouchpoint.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'IDENTIFIER_DETACHED' AND subject = $1`, [c.recordTouchpoint.id])).toBe(0);
  });

  it('a detach and a merge of the same customer at once leave the identifier and its consents with one customer', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { id, wrong } = await customerWithTwoEmails();
      const other = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [`o-${unique()}@example.com`] } }, ['agent']);
      const mergeFirst = round % 2 === 0;
      const [merged, detached] = await Promise.all([
        app.gql(MERGE, mergeFirst ? { s: other.recordTouchpoint.id, m: id } : { s: id, m: other.recordTouchpoint.id }, ['supervisor']),
        app.gql(DETACH, { input: { customerId: id, kind: 'EMAIL', value: wrong } }, ['supervisor']),
      ]);
      expect(merged.errors).toBeUndefined();
      const outcome = detached.errors?.[0].extensions?.code ?? 'OK';
      expect(['OK', 'CONFLICT']).toContain(outcome);
      const { rows } = await app.pool.query(
        `SELECT p.customer_id AS owner, array_agg(DISTINCT e.customer_id) AS consent_owners
           FROM contact_points p JOIN consent_events e ON e.contact_point_id = p.id WHERE p.value = $1 GROUP BY p.customer_id`, [wrong]);
      expect(rows).toHaveLength(1);
      expect(rows[0].consent_owners).toEqual([rows[0].owner]);
      if (outcome === 'OK') expect(rows[0].owner).toBe(detached.data!.detachIdentifier.id);
    }
  });
});

describe('mergePreview', () => {
  async function customer(tier: string | null, marketing: 'GRANTED' | 'REVOKED') {
    const c = await ok(TOUCHPOINT, { input: {
      touchpoint: 'OTHER', emails: [`p-${unique()}@example.com`], phones: [{ number: phone() }], consents: [{ purpose: 'MARKETING', status: marketing }],
    } }, ['agent']);
    const id = c.recordTouchpoint.id as string;
    await ok(RECORD, { input: { idempotencyKey: unique(), customerId: id, channel: 'EMAIL', content: 'my order is late' } }, ['ingest']);
    if (tier) await ok(`mutation($id: ID!, $t: Tier!) { setTier(customerId: $id, tier: $t) { id } }`, { id, t: tier }, ['supervisor']);
    return id;
  }

  /** Every row of the two customers, as JSON: what a write would change. */
  async function everything(ids: string[]): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    const rows = async (sql: string) => (await app.pool.query<{ j: unknown }>(sql, [ids])).rows.map((r) => r.j);
    for (const t of [...CUSTOMER_OWNED_TABLES, 'outbox_events']) out[t] = await rows(`SELECT to_jsonb(x) AS j FROM ${t} x WHERE customer_id = ANY($1::uuid[]) ORDER BY 1`);
    out.customers = await rows(`SELECT to_jsonb(x) AS j FROM customers x WHERE id = ANY($1::uuid[]) ORDER BY 1`);
    out.customer_merges = await rows(`SELECT to_jsonb(x) AS j FROM customer_merges x WHERE survivor_id = ANY($1::uuid[]) OR merged_id = ANY($1::uuid[])`);
    out.audit_log = await rows(`SELECT to_jsonb(x) AS j FROM audit_log x WHERE subject = ANY($1::uuid[]::text[]) ORDER BY 1`);
    return out;
  }

  it('writes nothing, lists every table the merge moves with the rows it then moves, and the conflicts', async () => {
    const survivor = await customer('GOLD', 'GRANTED');
    const merged = await customer(null, 'REVOKED');
    const before = await everything([survivor, merged]);
    const { mergePreview } = await ok(PREVIEW, { s: survivor, m: merged }, ['supervisor']);
    expect(await everything([survivor, merged])).toEqual(before);
    expect(mergePreview.survivor.id).toBe(survivor);
    expect(mergePreview.merged.id).toBe(merged);
    expect(mergePreview.moves.map((m: { table: string }) => m.table)).toEqual([...CUSTOMER_OWNED_TABLES]);
    expect(mergePreview.conflicts).toEqual(expect.arrayContaining([
      expect.stringContaining('tiers differ: GOLD'),
      expect.stringContaining('MARKETING consent differs: GRANTED on the survivor, REVOKED on the merged customer'),
    ]));
    const { mergeCustomers } = await ok(MERGE, { s: survivor, m: merged }, ['supervisor']);
    const moved = Object.fromEntries(mergeCustomers.moved.map((m: { table: string; count: number }) => [m.table, m.count]));
    expect(Object.fromEntries(mergePreview.moves.map((m: { table: string; rows: number }) => [m.table, m.rows]))).toEqual(moved);
    expect(moved.contact_points).toBe(2);

    const after = await ok(PREVIEW, { s: survivor, m: merged }, ['supervisor']);
    expect(after.mergePreview.conflicts).toEqual(expect.arrayContaining([expect.stringContaining('was already merged into')]));
    const same = await ok(PREVIEW, { s: survivor, m: survivor }, ['supervisor']);
    expect(same.mergePreview.conflicts).toEqual([expect.stringContaining('the same customer')]);
    expect(same.mergePreview.moves).toEqual([]);
  });

  it('refuses a malformed id (BAD_USER_INPUT) and an unknown one (NOT_FOUND)', async () => {
    const id = await customer(null, 'GRANTED');
    expect((await app.gql(PREVIEW, { s: id, m: 'x' }, ['supervisor'])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(PREVIEW, { s: id, m: '00000000-0000-4000-8000-000000000000' }, ['supervisor'])).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('lookupCustomer with two candidates', () => {
  it.each([['the user id', 'userIdFirst'], ['the handle', 'handleFirst']])(
    'answers the identity whose handle is the one typed, in every form, every time (%s captured first)', async (_what, order) => {
      const typed = `h${uniqueLocalDigits()}`;
      // One identity owns the handle typed; another has a platform user id equal to it.
      const handleOwner = () => ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', handles: [{ platform: 'TWITTER', handle: typed }] } }, ['agent']);
      const userIdOwner = () => ok(TOUCHPOINT, {
        input: { touchpoint: 'OTHER', handles: [{ platform: 'TWITTER', handle: `o${uniqueLocalDigits()}`, externalUserId: typed }] },
      }, ['agent']);
      const [byHandle, byUserId] = order === 'handleFirst'
        ? [await handleOwner(), await userIdOwner()]
        : await userIdOwner().then(async (u) => [await handleOwner(), u]);
      expect(byUserId.recordTouchpoint.id).not.toBe(byHandle.recordTouchpoint.id);
      for (const form of [typed, `@${typed.toUpperCase()}`, `https://x.com/${typed}`]) {
        const answers = await Promise.all(Array.from({ length: 3 }, () => ok(LOOKUP, { h: form }, ['viewer'])));
        expect(answers.map((a) => a.lookupCustomer.id)).toEqual(Array(3).fill(byHandle.recordTouchpoint.id));
      }
    });
});

describe('opt-out in the conversation', () => {
  async function marketingCustomer() {
    const p = phone();
    const c = await ok(TOUCHPOINT, { input: { touchpoint: 'NEWSLETTER_OPT_IN', phones: [{ number: p }], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }] } }, ['agent']);
    return { id: c.recordTouchpoint.id as string, phone: p };
  }
  const sms = (p: string, content: string, key = unique()) => ({ idempotencyKey: key, channel: 'SMS', phone: p, content });

  it('an SMS "Stop." withdraws MARKETING for that phone, names the message in the 360, and asks nobody to answer; a retry writes one decision', async () => {
    const { id, phone: p } = await marketingCustomer();
    const input = sms(p, ' Stop. ');
    const first = await ok(RECORD, { input }, ['ingest']);
    const again = await ok(RECORD, { input }, ['ingest']);
    expect(again.recordInteraction.id).toBe(first.recordInteraction.id);
    const interactionId = first.recordInteraction.id;
    const { customer } = await ok(PHONE_CONSENTS, { id }, ['viewer']);
    const marketing = customer.phones[0].consents.find((c: { purpose: string }) => c.purpose === 'MARKETING');
    expect(marketing.status).toBe('REVOKED');
    expect(customer.phones[0].consentHistory.filter((e: { interactionId: string | null }) => e.interactionId === interactionId))
      .toEqual([{ purpose: 'MARKETING', status: 'REVOKED', source: 'OTHER', interactionId }]);
    expect(await count(`SELECT count(*)::int AS n FROM consent_events WHERE interaction_id = $1`, [interactionId])).toBe(1);
    const [row] = (await app.pool.query(`SELECT actionable, sla_due_at FROM interactions WHERE id = $1`, [interactionId])).rows;
    expect(row).toEqual({ actionable: false, sla_due_at: null });
  });

  it('START grants nothing, and a sentence containing stop withdraws nothing', async () => {
    const { id, phone: p } = await marketingCustomer();
    await ok(RECORD, { input: sms(p, 'STOP') }, ['ingest']);
    await ok(RECORD, { input: sms(p, 'START') }, ['ingest']);
    const sentence = await ok(RECORD, { input: sms(p, 'please stop calling me at work') }, ['ingest']);
    const { customer } = await ok(PHONE_CONSENTS, { id }, ['viewer']);
    expect(customer.phones[0].consents.find((c: { purpose: string }) => c.purpose === 'MARKETING').status).toBe('REVOKED');
    expect(await count(`SELECT count(*)::int AS n FROM consent_events WHERE customer_id = $1`, [id])).toBe(2); // MARKETING granted at the touchpoint, then STOP
    expect(await count(`SELECT count(*)::int AS n FROM consent_events WHERE interaction_id = $1`, [sentence.recordInteraction.id])).toBe(0);

    const fresh = phone();
    await ok(RECORD, { input: sms(fresh, 'START') }, ['ingest']);
    expect(await count(`SELECT count(*)::int AS n FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id WHERE p.value = $1`, [fresh])).toBe(0);
  });

  it('in bulk: an SMS and a WhatsApp message withdraw for their phone and handle; other channels do not', async () => {
    const a = await marketingCustomer();
    const wa = phone();
    const b = await ok(TOUCHPOINT, { input: {
      touchpoint: 'SOCIAL_MESSAGE', handles: [{ platform: 'WHATSAPP', handle: wa }], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }],
    } }, ['agent']);
    const email = `stop-${unique()}@example.com`;
    const c = await ok(TOUCHPOINT, { input: { touchpoint: 'OTHER', emails: [email], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }] } }, ['agent']);
    await ok(RECORD_MANY, { inputs: [
      sms(a.phone, 'unsubscribe'),
      { idempotencyKey: unique(), channel: 'WHATSAPP', platform: 'WHATSAPP', handle: wa, content: 'QUIT' },
      { idempotencyKey: unique(), channel: 'EMAIL', email, content: 'STOP' },
    ] }, ['ingest']);
    const revoked = async (customerId: string) => count(
      `SELECT count(*)::int AS n FROM consent_events WHERE customer_id = $1 AND purpose = 'MARKETING' AND status = 'REVOKED' AND interaction_id IS NOT NULL`, [customerId]);
    expect(await revoked(a.id)).toBe(1);
    expect(await revoked(b.recordTouchpoint.id)).toBe(1);
    expect(await revoked(c.recordTouchpoint.id)).toBe(0);
    const { customer } = await ok(PHONE_CONSENTS, { id: b.recordTouchpoint.id }, ['viewer']);
    expect(customer.socialIdentities[0].consents.find((x: { purpose: string }) => x.purpose === 'MARKETING').status).toBe('REVOKED');
  });

  it('the keywords are a stored rule: a word added by a supervisor withdraws from the next message on', async () => {
    const { optOutKeywords } = await ok(`{ optOutKeywords }`, {}, ['supervisor']);
    expect(optOutKeywords).toEqual(expect.arrayContaining(['CANCEL', 'END', 'QUIT', 'STOP', 'UNSUBSCRIBE']));
    const word = `ARRET${uniqueLocalDigits().slice(0, 4)}`;
    try {
      await ok(`mutation($k: [String!]!) { setOptOutKeywords(keywords: $k) }`, { k: [...optOutKeywords, word.toLowerCase()] }, ['supervisor']);
      const { id, phone: p } = await marketingCustomer();
      await ok(RECORD, { input: sms(p, `${word.toLowerCase()}!`) }, ['ingest']);
      const { customer } = await ok(PHONE_CONSENTS, { id }, ['viewer']);
      expect(customer.phones[0].consents.find((x: { purpose: string }) => x.purpose === 'MARKETING').status).toBe('REVOKED');
      const bad = await app.gql(`mutation { setOptOutKeywords(keywords: ["two words"]) }`, {}, ['supervisor']);
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await ok(`mutation($k: [String!]!) { setOptOutKeywords(keywords: $k) }`, { k: optOutKeywords }, ['supervisor']);
    }
  });
});
