import { CUSTOMER_OWNED_TABLES, NOT_CUSTOMER_OWNED } from '../../src/identities/customer-owned-tables';
import { startTestApp, type TestApp } from '../helpers/app';
import { unique, uniqueLocalDigits } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation Record($input: TouchpointInput!) { recordTouchpoint(input: $input) { id socialIdentities { id } } }`;
const MERGE = `mutation Merge($s: ID!, $m: ID!) {
  mergeCustomers(survivorId: $s, mergedId: $m) { id survivor { id } mergedCustomerId mergedBy mergedAt undoneAt moved { table count } }
}`;
const UNDO = `mutation Undo($id: ID!) { undoMerge(mergeId: $id) { id } }`;
const CUSTOMER = `query C($id: ID!) {
  customer(id: $id) { id merges { id mergedCustomerId mergedBy undoneAt undoneBy survivor { id } returnedAfterMerge { table count } } }
}`;

async function touchpoint(input: Record<string, unknown>): Promise<{ id: string; socialIdentities: { id: string }[] }> {
  const res = await app.gql(RECORD, { input }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.recordTouchpoint;
}

/** An E.164 South Dakota number no other test file uses. */
const randomPhone = () => `+1605${uniqueLocalDigits()}`;

async function merge(survivor: string, merged: string, roles: string[] = ['supervisor']) {
  return app.gql(MERGE, { s: survivor, m: merged }, roles as never);
}

/** Every column of every row the customers own, plus the customer rows themselves. */
async function snapshot(ids: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  const q = async (sql: string) => (await app.pool.query<{ j: unknown }>(sql, [ids])).rows.map((r) => r.j);
  out.customers = await q(`SELECT to_jsonb(c) AS j FROM customers c WHERE id = ANY($1::uuid[]) ORDER BY id`);
  for (const t of CUSTOMER_OWNED_TABLES) out[t] = await q(`SELECT to_jsonb(x) AS j FROM ${t} x WHERE customer_id = ANY($1::uuid[]) ORDER BY id`);
  return out;
}

async function countsOf(customerId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of CUSTOMER_OWNED_TABLES) {
    const { rows } = await app.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t} WHERE customer_id = $1`, [customerId]);
    out[t] = rows[0].n;
  }
  return out;
}

/** Rows in the care and influence tables, written directly: those features have their own write APIs. */
async function addCareRows(customerId: string, socialIdentityId: string | null) {
  const { rows: conv } = await app.pool.query<{ id: string }>(
    `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
     VALUES ($1, 'TWITTER', 'PHONE', '{TWITTER,PHONE}', now(), now()) RETURNING id`,
    [customerId],
  );
  const { rows: msg } = await app.pool.query<{ id: string }>(
    `INSERT INTO interactions (customer_id, conversation_id, social_identity_id, channel, direction, occurred_at, content, category)
     VALUES ($1, $2, $3, 'TWITTER', 'INBOUND', now(), 'thinking of leaving', 'COMPLAINT') RETURNING id`,
    [customerId, conv[0].id, socialIdentityId],
  );
  const { rows: esc } = await app.pool.query<{ id: string }>(
    `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_by) VALUES ($1, $2, 'RETENTION', 'churn signal', 'agent-1') RETURNING id`,
    [customerId, msg[0].id],
  );
  await app.pool.query(
    `INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, escalation_id, actor)
     VALUES ($1, $2, 'ESCALATED', 'OPEN', 'ESCALATED', 'to RETENTION: churn signal', $3, 'agent-1')`,
    [customerId, msg[0].id, esc[0].id],
  );
  await app.pool.query(
    `INSERT INTO conversation_handoffs (customer_id, conversation_id, from_channel, to_channel, reason, context, carried_interaction_ids, handed_off_by)
     VALUES ($1, $2, 'TWITTER', 'PHONE', 'take it offline', 'account number verified', ARRAY[$3::uuid], 'agent-1')`,
    [customerId, conv[0].id, msg[0].id],
  );
  await app.pool.query(
    `INSERT INTO interaction_notes (customer_id, interaction_id, author, text) VALUES ($1, $2, 'agent-1', 'customer calls back on Monday')`,
    [customerId, msg[0].id],
  );
  await app.pool.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at) VALUES ($1, 7.5, 'test', now())`, [customerId]);
  await app.pool.query(
    `INSERT INTO tier_changes (customer_id, tier, previous_tier, reason, changed_by) VALUES ($1, 'GOLD', 'NONE', 'spend', 'admin-1')`,
    [customerId],
  );  await app.pool.query(
    `INSERT INTO purchases (id, customer_id, product, amount, currency, purchased_at, idempotency_key, content_hash, created_by)
     VALUES (gen_random_uuid(), $1, 'Boots', 90, 'EUR', now(), 'merge-' || gen_random_uuid(), 'h', 'job')`,
    [customerId],
  );
}

describe('the list of customer-owned tables', () => {
  it('names every table with a customer_id column (or says why it does not move), each with id and customer_id', async () => {
    const { rows } = await app.pool.query<{ table_name: string; columns: string[] }>(
      `SELECT table_name, array_agg(column_name::text) AS columns FROM information_schema.columns
        WHERE table_schema = 'public' GROUP BY table_name HAVING 'customer_id' = ANY(array_agg(column_name::text))`,
    );
    const withCustomerId = rows.map((r) => r.table_name).sort();
    expect(withCustomerId.filter((t) => !CUSTOMER_OWNED_TABLES.includes(t) && !(t in NOT_CUSTOMER_OWNED))).toEqual([]);
    for (const t of CUSTOMER_OWNED_TABLES) expect(rows.find((r) => r.table_name === t)?.columns).toEqual(expect.arrayContaining(['id', 'customer_id']));
  });
});

describe('mergeCustomers and undoMerge', () => {
  it('moves every row of every customer-owned table, keeps the old id resolving, and undo restores everything exactly', async () => {
    const u = unique();
    const survivor = await touchpoint({ touchpoint: 'LOYALTY_SIGNUP', name: 'Chad Schaeffer', emails: [`s.${u}@example.com`], handles: [{ platform: 'FACEBOOK', handle: `s${u}` }] });
    const merged = await touchpoint({
      touchpoint: 'SOCIAL_MESSAGE', name: 'C. Schaeffer', emails: [`m.${u}@example.com`], phones: [{ number: randomPhone() }],
      handles: [{ platform: 'TWITTER', handle: `m${u}` }], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }],
    });
    // A customer merged into `merged` earlier must answer with the survivor afterwards, and with `merged` again after undo.
    const earlier = await touchpoint({ touchpoint: 'IMPORT', emails: [`e.${u}@example.com`] });
    const first = await merge(merged.id, earlier.id);
    expect(first.errors).toBeUndefined();
    await addCareRows(merged.id, merged.socialIdentities[0].id);
    await addCareRows(survivor.id, null);

    const mergedCounts = await countsOf(merged.id);
    expect(Object.entries(mergedCounts).filter(([, n]) => n === 0).map(([t]) => t)).toEqual([]); // data in EVERY table
    const survivorCounts = await countsOf(survivor.id);
    const ids = [survivor.id, merged.id, earlier.id];
    const before = await snapshot(ids);

    const res = await merge(survivor.id, merged.id);
    expect(res.errors).toBeUndefined();
    const m = res.data!.mergeCustomers;
    expect(m).toMatchObject({ survivor: { id: survivor.id }, mergedCustomerId: merged.id, mergedBy: 'test-user', undoneAt: null });
    expect(Object.fromEntries(m.moved.map((x: any) => [x.table, x.count]))).toEqual(mergedCounts);
    const after = await countsOf(survivor.id);
    for (const t of CUSTOMER_OWNED_TABLES) expect(after[t]).toBe(survivorCounts[t] + mergedCounts[t]);
    expect(Object.values(await countsOf(merged.id)).every((n) => n === 0)).toBe(true);
    for (const id of [merged.id, earlier.id]) {
      expect((await app.gql(CUSTOMER, { id }, ['viewer'])).data!.customer.id).toBe(survivor.id);
    }
    const history = (await app.gql(CUSTOMER, { id: survivor.id }, ['viewer'])).data!.customer.merges;
    expect(history[0]).toMatchObject({ id: m.id, mergedCustomerId: merged.id, mergedBy: 'test-user', undoneAt: null });

    const undone = await app.gql(UNDO, { id: m.id }, ['admin']);
    expect(undone.errors).toBeUndefined();
    expect(undone.data!.undoMerge).toEqual([{ id: survivor.id }, { id: merged.id }]);
    expect(await snapshot(ids)).toEqual(before);
    expect((await app.gql(CUSTOMER, { id: earlier.id }, ['viewer'])).data!.customer.id).toBe(merged.id);
    const audit = (await app.gql(CUSTOMER, { id: merged.id }, ['viewer'])).data!.customer.merges;
    expect(audit.find((x: any) => x.id === m.id)).toMatchObject({ undoneBy: 'test-user', survivor: { id: survivor.id } });
    expect(audit[0].undoneAt).not.toBeNull();
  });

  it('on undo, sends back what came after the merge through an identifier of the merged customer, and keeps the rest', async () => {
    const u = unique();
    const [p1, p2] = [randomPhone(), randomPhone()];
    const survivor = await touchpoint({ touchpoint: 'ACCOUNT_SIGNUP', emails: [`s.${u}@example.com`] });
    const merged = await touchpoint({ touchpoint: 'SOCIAL_MESSAGE', emails: [`m.${u}@example.com`], handles: [{ platform: 'TWITTER', handle: `m${u}` }] });
    const res = await merge(survivor.id, merged.id);
    expect(res.errors).toBeUndefined();

    // Through the merged customer's email: a new phone and a consent on that email.
    const viaMerged = await touchpoint({
      touchpoint: 'SERVICE_CALL', emails: [`m.${u}@example.com`], phones: [{ number: p1 }],
      consents: [{ purpose: 'SERVICE', status: 'GRANTED', identifier: { email: `m.${u}@example.com` } }],
    });
    expect(viaMerged.id).toBe(survivor.id);
    // Through the survivor's own email: stays.
    await touchpoint({ touchpoint: 'ONLINE_PURCHASE', emails: [`s.${u}@example.com`, `s2.${u}@example.com`] });
    // The merged customer's handle plus the survivor's email at one touchpoint: tied to both, stays.
    await touchpoint({ touchpoint: 'CHAT', emails: [`s.${u}@example.com`], handles: [{ platform: 'TWITTER', handle: `m${u}` }], phones: [{ number: p2 }] });

    const undone = await app.gql(UNDO, { id: res.data!.mergeCustomers.id }, ['supervisor']);
    expect(undone.errors).toBeUndefined();
    const owner = async (value: string) =>
      (await app.pool.query<{ customer_id: string }>(`SELECT customer_id FROM contact_points WHERE value = $1`, [value])).rows[0]?.customer_id;
    expect(await owner(p1)).toBe(merged.id);
    expect(await owner(`s2.${u}@example.com`)).toBe(survivor.id);
    expect(await owner(p2)).toBe(survivor.id);
    expect(await owner(`m.${u}@example.com`)).toBe(merged.id);
    const { rows: consents } = await app.pool.query(
      `SELECT e.customer_id FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id WHERE p.value = $1`,
      [`m.${u}@example.com`],
    );
    expect(consents).toEqual([{ customer_id: merged.id }]);
    const record = (await app.gql(CUSTOMER, { id: merged.id }, ['viewer'])).data!.customer.merges[0];
    expect(Object.fromEntries(record.returnedAfterMerge.map((x: any) => [x.table, x.count]))).toMatchObject({
      contact_points: 1, consent_events: 1, touchpoint_events: 1, social_identities: 0,
    });
  });

  it('re-points chains: B into C, then C into D, B answers with D; undo in reverse order restores B -> C -> B', async () => {
    const u = unique();
    const [b, c, d] = await Promise.all(['b', 'c', 'd'].map((x) => touchpoint({ touchpoint: 'IMPORT', emails: [`${x}.${u}@example.com`] })));
    const bc = (await merge(c.id, b.id)).data!.mergeCustomers.id;
    const cd = (await merge(d.id, c.id)).data!.mergeCustomers.id;
    const mergedInto = async (id: string) => (await app.pool.query(`SELECT merged_into FROM customers WHERE id = $1`, [id])).rows[0].merged_into;
    expect(await mergedInto(b.id)).toBe(d.id);
    expect((await app.gql(CUSTOMER, { id: b.id }, ['viewer'])).data!.customer.id).toBe(d.id);

    const outOfOrder = await app.gql(UNDO, { id: bc }, ['supervisor']);
    expect(outOfOrder.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', laterMergeId: cd });
    expect((await app.gql(UNDO, { id: cd }, ['supervisor'])).errors).toBeUndefined();
    expect(await mergedInto(b.id)).toBe(c.id);
    expect((await app.gql(CUSTOMER, { id: b.id }, ['viewer'])).data!.customer.id).toBe(c.id);
    expect((await app.gql(UNDO, { id: bc }, ['supervisor'])).errors).toBeUndefined();
    expect(await mergedInto(b.id)).toBeNull();
    expect((await app.gql(CUSTOMER, { id: b.id }, ['viewer'])).data!.customer.id).toBe(b.id);
  });

  it('links a touchpoint with identifiers of a merged customer to the survivor, without CONFLICT', async () => {
    const u = unique();
    const s = await touchpoint({ touchpoint: 'IMPORT', emails: [`s.${u}@example.com`] });
    const m = await touchpoint({ touchpoint: 'IMPORT', handles: [{ platform: 'TWITTER', handle: `m${u}` }] });
    expect((await merge(s.id, m.id)).errors).toBeUndefined();
    const linked = await touchpoint({ touchpoint: 'CHAT', emails: [`s.${u}@example.com`], handles: [{ platform: 'TWITTER', handle: `m${u}` }] });
    expect(linked.id).toBe(s.id);
  });

  it('answers BAD_USER_INPUT, NOT_FOUND, CONFLICT and FORBIDDEN for impossible merges and undos', async () => {
    const u = unique();
    const a = await touchpoint({ touchpoint: 'IMPORT', emails: [`a.${u}@example.com`] });
    const b = await touchpoint({ touchpoint: 'IMPORT', emails: [`b.${u}@example.com`] });
    const c = await touchpoint({ touchpoint: 'IMPORT', emails: [`c.${u}@example.com`] });
    const code = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0].extensions?.code;
    expect(code(await merge(a.id, a.id))).toBe('BAD_USER_INPUT');
    expect(code(await merge(a.id, 'not-an-id'))).toBe('BAD_USER_INPUT');
    expect(code(await merge(a.id, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(code(await merge(a.id, b.id, ['agent']))).toBe('FORBIDDEN');
    const ok = await merge(a.id, b.id);
    expect(ok.errors).toBeUndefined();
    expect(code(await merge(c.id, b.id))).toBe('CONFLICT');
    expect(code(await merge(b.id, c.id))).toBe('CONFLICT');
    const mergeId = ok.data!.mergeCustomers.id;
    expect(code(await app.gql(UNDO, { id: mergeId }, ['agent']))).toBe('FORBIDDEN');
    expect(code(await app.gql(UNDO, { id: '00000000-0000-4000-8000-000000000000' }, ['supervisor']))).toBe('NOT_FOUND');
    expect(code(await app.gql(UNDO, { id: 'nope' }, ['supervisor']))).toBe('BAD_USER_INPUT');
    expect((await app.gql(UNDO, { id: mergeId }, ['supervisor'])).errors).toBeUndefined();
    expect(code(await app.gql(UNDO, { id: mergeId }, ['supervisor']))).toBe('CONFLICT');
  });
});
