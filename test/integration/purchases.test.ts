import { createHash } from 'node:crypto';
import request from 'supertest';
import { ConsentPurpose } from '../../src/graphql/enums';
import { webhookData } from '../../src/webhooks/webhook-payload';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// Purchases (issue 27): recordPurchases (bulk, all or nothing, idempotent per item key, the
// customer named by id or by any identifier), Customer.purchases and lifetimeValue, the segment
// filters, erasure and merge. Tier rules on products are in tiers.test.ts (tier rules are global).
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id product category amount currency purchasedAt channel } }`;
const RECORD_IDS = `mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`;
const PURCHASES = `query($id: ID!, $after: String) { customer(id: $id) { lifetimeValue
  purchases(first: 2, after: $after) { totalCount edges { node { id product category amount currency purchasedAt channel } } pageInfo { hasNextPage endCursor } } } }`;

/** Statements of a bulk call whose customers all exist, named by email, whatever its size (transaction, stored keys, resolution, the insert with its events). */
const BULK_STATEMENTS = 6;

const rowsByKeys = async (keys: string[]) =>
  (await app.pool.query(`SELECT id, customer_id AS "customerId", product FROM purchases WHERE idempotency_key = ANY($1::text[]) ORDER BY idempotency_key`, [keys])).rows;

/** Grants `purpose` now on the customer's first email (what segments and the consent check read). */
async function grant(customerId: string, purpose: 'MARKETING' | 'PROFILING') {
  await app.pool.query(
    `INSERT INTO consent_events (customer_id, contact_point_id, purpose, status, source, recorded_by)
     SELECT $1, id, $2, 'GRANTED', 'IMPORT', 'test' FROM contact_points WHERE customer_id = $1 AND kind = 'EMAIL' ORDER BY captured_at LIMIT 1`,
    [customerId, purpose],
  );
}

describe('recordPurchases', () => {
  it('stores each purchase for the customer named by id, by a known email, or by a new handle (a new customer), in input order', async () => {
    const byId = await createCustomer(app.pool);
    const email = `buyer-${unique()}@example.com`;
    const byEmail = await createCustomer(app.pool, { emails: [email] });
    const handle = `shopper_${unique()}`;
    const k = unique();
    const res = await app.gql(RECORD, {
      inputs: [
        { idempotencyKey: `${k}-1`, customerId: byId.id, product: ' Trail Boots ', category: 'Footwear', amount: 129.9, currency: 'eur', purchasedAt: '2026-11-01T10:00:00.000Z', channel: 'IN_STORE' },
        { idempotencyKey: `${k}-2`, email: email.toUpperCase(), product: 'Rain Jacket', amount: 80, currency: 'EUR', purchasedAt: '2026-11-02T10:00:00.000Z' },
        { idempotencyKey: `${k}-3`, platform: 'INSTAGRAM', handle: `@${handle}`, product: 'Socks', purchasedAt: '2026-11-03T10:00:00.000Z', channel: 'INSTAGRAM' },
      ],
    }, ['ingest', 'agent']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordPurchases.map((p: any) => [p.product, p.category, p.amount, p.currency, p.purchasedAt, p.channel])).toEqual([
      ['Trail Boots', 'Footwear', 129.9, 'EUR', '2026-11-01T10:00:00.000Z', 'IN_STORE'],
      ['Rain Jacket', null, 80, 'EUR', '2026-11-02T10:00:00.000Z', null],
      ['Socks', null, null, null, '2026-11-03T10:00:00.000Z', 'INSTAGRAM'],
    ]);
    const rows = await rowsByKeys([`${k}-1`, `${k}-2`, `${k}-3`]);
    expect(rows.map((r) => r.id)).toEqual(res.data!.recordPurchases.map((p: any) => p.id));
    expect(rows[0].customerId).toBe(byId.id);
    expect(rows[1].customerId).toBe(byEmail.id);
    const { rows: owner } = await app.pool.query(`SELECT customer_id FROM social_identities WHERE platform = 'INSTAGRAM' AND handle = $1`, [handle]);
    expect(rows[2].customerId).toBe(owner[0].customer_id);
    expect([byId.id, byEmail.id]).not.toContain(rows[2].customerId);
    const { rows: events } = await app.pool.query(
      `SELECT data FROM outbox_events WHERE type = 'PURCHASE_RECORDED' AND data->>'purchaseId' = ANY($1::text[]) ORDER BY data->>'purchasedAt'`,
      [rows.map((r) => r.id)],
    );
    expect(events.map((e) => [e.data.customerId, e.data.product, e.data.amount])).toEqual([[byId.id, 'Trail Boots', 129.9], [byEmail.id, 'Rain Jacket', 80], [rows[2].customerId, 'Socks', null]]);
  });

  it('lets ingest and admin record, and ingest read back only what identifies what it wrote', async () => {
    const c = await createCustomer(app.pool);
    const input = (key: string) => ({ inputs: [{ idempotencyKey: key, customerId: c.id, product: 'Boots' }] });
    for (const role of ['viewer', 'agent', 'supervisor', 'marketing'] as const) {
      const refused = await app.gql(RECORD_IDS, input(`roles-${unique()}`), [role]);
      expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    const key = `roles-${unique()}`;
    const ingest = await app.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id purchasedAt channel } }`, input(key), ['ingest']);
    expect(ingest.errors).toBeUndefined();
    expect(ingest.data!.recordPurchases[0]).toEqual({ id: expect.any(String), purchasedAt: expect.any(String), channel: null });
    // What was bought is not the job's to read back (a retry of the same call answers the same row).
    const product = await app.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { product } }`, input(key), ['ingest']);
    expect(product.errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toEqual([['recordPurchases.0.product', 'FORBIDDEN']]);
    expect((await app.gql(RECORD_IDS, input(`roles-${unique()}`), ['admin'])).errors).toBeUndefined();
    expect(await rowsByKeys([key])).toHaveLength(1);
  });

  it('refuses a call with one bad item naming its index, and writes nothing (not even the customer a good item would create)', async () => {
    const handle = `nobody_${unique()}`;
    const k = unique();
    const good = { idempotencyKey: `${k}-ok`, platform: 'TWITTER', handle, product: 'Boots' };
    const cases: [Record<string, unknown>, string][] = [
      [{ idempotencyKey: `${k}-bad`, platform: 'TWITTER', handle: `x${unique()}`, product: 'Boots', amount: 5, currency: 'EURO' }, 'inputs[1].currency'],
      [{ idempotencyKey: `${k}-bad`, platform: 'TWITTER', handle: `x${unique()}`, product: 'Boots', amount: 5 }, 'inputs[1].currency'],
      [{ idempotencyKey: `${k}-bad`, platform: 'TWITTER', handle: `x${unique()}`, product: 'Boots', amount: -1, currency: 'EUR' }, 'inputs[1].amount'],
      [{ idempotencyKey: `${k}-bad`, platform: 'TWITTER', handle: `x${unique()}`, product: '  ' }, 'inputs[1].product'],
      [{ idempotencyKey: `${k}-bad`, product: 'Boots' }, 'inputs[1].customerId'],
      [{ idempotencyKey: `${k}-bad`, platform: 'TWITTER', handle: `x${unique()}`, product: 'Boots', purchasedAt: new Date(Date.now() + 86_400_000).toISOString() }, 'inputs[1].purchasedAt'],
      // Only the database knows this one: the good item's customer was about to be created.
      [{ idempotencyKey: `${k}-bad`, customerId: '00000000-0000-4000-8000-00000000dead', product: 'Boots' }, 'inputs[1].customerId'],
    ];
    for (const [bad, field] of cases) {
      const res = await app.gql(RECORD_IDS, { inputs: [good, bad] }, ['ingest']);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, index: 1 });
    }
    expect(await rowsByKeys([`${k}-ok`, `${k}-bad`])).toEqual([]);
    expect((await app.pool.query(`SELECT 1 FROM social_identities WHERE handle = $1`, [handle])).rows).toEqual([]);
    const tooMany = await app.gql(RECORD_IDS, { inputs: Array.from({ length: 1001 }, (_, n) => ({ ...good, idempotencyKey: `${k}-${n}` })) }, ['ingest']);
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
  });

  it('answers a retry with the first rows and writes once; the same key with other content is CONFLICT', async () => {
    const c = await createCustomer(app.pool);
    const k = unique();
    const inputs = [
      { idempotencyKey: `${k}-a`, customerId: c.id, product: 'Boots', amount: 10, currency: 'USD' },
      { idempotencyKey: `${k}-b`, customerId: c.id, product: 'Laces', amount: 2.5, currency: 'USD' },
    ];
    const first = await app.gql(RECORD, { inputs }, ['ingest', 'agent']);
    const again = await app.gql(RECORD, { inputs }, ['ingest', 'agent']);
    expect(again.data).toEqual(first.data);
    // The same key twice in one call is one purchase.
    const twice = await app.gql(RECORD_IDS, { inputs: [inputs[0], inputs[0]] }, ['ingest']);
    expect(twice.data!.recordPurchases.map((p: any) => p.id)).toEqual([first.data!.recordPurchases[0].id, first.data!.recordPurchases[0].id]);
    const conflict = await app.gql(RECORD_IDS, { inputs: [{ ...inputs[0], idempotencyKey: `${k}-c` }, { ...inputs[1], amount: 3 }] }, ['ingest']);
    expect(conflict.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'inputs[1].idempotencyKey', index: 1 });
    expect((await rowsByKeys([`${k}-a`, `${k}-b`, `${k}-c`])).map((r) => r.product)).toEqual(['Boots', 'Laces']);
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'PURCHASE_RECORDED' AND customer_id = $1`, [c.id]);
    expect(rows[0].n).toBe(2);
  });

  it('takes 1,000 purchases in one call (a bulk body), written with one INSERT', async () => {
    const email = `bulk-${unique()}@example.com`;
    const c = await createCustomer(app.pool, { emails: [email] });
    const k = unique();
    const inputs = Array.from({ length: 1000 }, (_, n) => ({
      idempotencyKey: `${k}-${n}`, email, product: `Bulk product number ${n}`, category: 'bulk', amount: 1.25, currency: 'EUR',
      purchasedAt: '2026-11-01T00:00:00.000Z', channel: 'IN_STORE',
    }));
    const res = await app.gql(RECORD_IDS, { inputs }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordPurchases).toHaveLength(1000);
    // Statements per call do not grow with its size (set-based).
    expect(Number(res.headers['x-sql-statements'])).toBe(BULK_STATEMENTS);
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n, sum(amount)::float8 AS total FROM purchases WHERE customer_id = $1`, [c.id]);
    expect(rows[0]).toEqual({ n: 1000, total: 1250 });
  });

  it('writes one PURCHASE_RECORDED event per purchase, in input order, whose payload is the purchase as answered', async () => {
    const email = `events-${unique()}@example.com`;
    const c = await createCustomer(app.pool, { emails: [email] });
    const k = unique();
    const res = await app.gql(RECORD, {
      inputs: [
        { idempotencyKey: `${k}-1`, email, product: ' Trail Boots ', category: 'Footwear', amount: 129.9, currency: 'eur', purchasedAt: '2026-11-01T10:00:00.123Z', channel: 'IN_STORE' },
        { idempotencyKey: `${k}-2`, customerId: c.id, product: 'Gift card', amount: 0.0001, currency: 'USD', purchasedAt: '2026-11-02T00:00:00Z' },
        { idempotencyKey: `${k}-3`, email, product: 'Socks' },
      ],
    }, ['ingest', 'agent']);
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT data FROM outbox_events WHERE type = 'PURCHASE_RECORDED' AND customer_id = $1 ORDER BY seq`, [c.id]);
    expect(rows.map((r) => r.data)).toEqual(res.data!.recordPurchases.map((p: any) => ({
      purchaseId: p.id, customerId: c.id, product: p.product, category: p.category, amount: p.amount, currency: p.currency, purchasedAt: p.purchasedAt, channel: p.channel,
    })));
    expect(rows[0].data).toMatchObject({ product: 'Trail Boots', amount: 129.9, currency: 'EUR', purchasedAt: '2026-11-01T10:00:00.123Z' });
  });

  it('stores the content hash in its fixed form (retries of calls made before an upgrade must still match)', async () => {
    const email = `pin-${unique()}@example.com`;
    await createCustomer(app.pool, { emails: [email] });
    const key = `pin-${unique()}`;
    const res = await app.gql(RECORD_IDS, {
      inputs: [{ idempotencyKey: key, email, product: 'Boots', amount: 12.5, currency: 'EUR', purchasedAt: '2026-11-01T00:00:00.000Z', channel: 'IN_STORE' }],
    }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT content_hash FROM purchases WHERE idempotency_key = $1`, [key]);
    // sha256 of the JSON array of the 13 fields in their fixed order, absent fields as null.
    const fields = [null, email, null, null, null, null, null, 'Boots', null, 12.5, 'EUR', '2026-11-01T00:00:00.000Z', 'IN_STORE'];
    expect(rows[0].content_hash).toBe(createHash('sha256').update(JSON.stringify(fields)).digest('hex'));
  });

  it('writes once when the same call is retried concurrently, even when it creates the customer', async () => {
    const handle = `concurrent_${unique()}`;
    const k = unique();
    const inputs = Array.from({ length: 20 }, (_, n) => ({ idempotencyKey: `${k}-${n}`, platform: 'TIKTOK', handle, product: `Item ${n}`, amount: n, currency: 'GBP' }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => app.gql(RECORD_IDS, { inputs }, ['ingest'])));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const ids = answers[0].data!.recordPurchases.map((p: any) => p.id);
    for (const a of answers) expect(a.data!.recordPurchases.map((p: any) => p.id)).toEqual(ids);
    const rows = await rowsByKeys(inputs.map((i) => i.idempotencyKey));
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.customerId)).size).toBe(1);
    const { rows: owners } = await app.pool.query(`SELECT count(*)::int AS n FROM social_identities WHERE platform = 'TIKTOK' AND handle = $1`, [handle]);
    expect(owners[0].n).toBe(1);
    const { rows: events } = await app.pool.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'PURCHASE_RECORDED' AND customer_id = $1`, [rows[0].customerId]);
    expect(events[0].n).toBe(20);
  });
});

describe('Customer.purchases and lifetimeValue', () => {
  it('pages newest first and sums the amounts of one currency; several currencies or no amount give null', async () => {
    const one = await createCustomer(app.pool);
    const mixed = await createCustomer(app.pool);
    const none = await createCustomer(app.pool);
    const k = unique();
    const at = (d: number) => `2026-10-0${d}T12:00:00.000Z`;
    await app.gql(RECORD_IDS, {
      inputs: [
        { idempotencyKey: `${k}-1`, customerId: one.id, product: 'A', amount: 10.25, currency: 'EUR', purchasedAt: at(1) },
        { idempotencyKey: `${k}-2`, customerId: one.id, product: 'B', amount: 0.1, currency: 'EUR', purchasedAt: at(2) },
        { idempotencyKey: `${k}-3`, customerId: one.id, product: 'C', purchasedAt: at(3) },
        { idempotencyKey: `${k}-4`, customerId: mixed.id, product: 'A', amount: 10, currency: 'EUR', purchasedAt: at(1) },
        { idempotencyKey: `${k}-5`, customerId: mixed.id, product: 'A', amount: 10, currency: 'USD', purchasedAt: at(2) },
        { idempotencyKey: `${k}-6`, customerId: none.id, product: 'Free sample', purchasedAt: at(1) },
      ],
    }, ['ingest']);
    const first = await app.gql(PURCHASES, { id: one.id }, ['agent']);
    expect(first.errors).toBeUndefined();
    expect(first.data!.customer.lifetimeValue).toBe(10.35);
    expect(first.data!.customer.purchases.totalCount).toBe(3);
    expect(first.data!.customer.purchases.edges.map((e: any) => e.node.product)).toEqual(['C', 'B']);
    const second = await app.gql(PURCHASES, { id: one.id, after: first.data!.customer.purchases.pageInfo.endCursor }, ['agent']);
    expect(second.data!.customer.purchases.edges.map((e: any) => e.node.product)).toEqual(['A']);
    expect(second.data!.customer.purchases.pageInfo.hasNextPage).toBe(false);
    expect((await app.gql(PURCHASES, { id: mixed.id }, ['agent'])).data!.customer.lifetimeValue).toBeNull();
    expect((await app.gql(PURCHASES, { id: none.id }, ['agent'])).data!.customer.lifetimeValue).toBeNull();
  });

  it('is closed to a plain viewer (agent and above read it)', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(`query($id: ID!) { customer(id: $id) { id lifetimeValue } }`, { id: c.id }, ['viewer']);
    expect(res.data!.customer.id).toBe(c.id);
    expect(res.errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toEqual([['customer.lifetimeValue', 'FORBIDDEN']]);
  });

  it('shows a viewer admitted through marketing (not agent) the purchases only while the customer holds MARKETING, in every read path', async () => {
    const c = await createCustomer(app.pool, { emails: [`consent-${unique()}@example.com`] });
    await app.gql(RECORD_IDS, { inputs: [{ idempotencyKey: `consent-${unique()}`, customerId: c.id, product: 'Secret', amount: 7, currency: 'EUR' }] }, ['ingest']);
    const read = async () => {
      const res = await app.gql(PURCHASES, { id: c.id }, ['viewer', 'marketing']);
      expect(res.errors).toBeUndefined();
      return res.data!.customer;
    };
    expect(await read()).toEqual({ lifetimeValue: null, purchases: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    await grant(c.id, 'MARKETING');
    const granted = await read();
    expect(granted.lifetimeValue).toBe(7);
    expect(granted.purchases.edges.map((e: any) => e.node.product)).toEqual(['Secret']);
  });

  it('moves with a merge and is deleted by erasure', async () => {
    const survivor = await createCustomer(app.pool);
    const merged = await createCustomer(app.pool);
    const k = unique();
    await app.gql(RECORD_IDS, { inputs: [{ idempotencyKey: `${k}-m`, customerId: merged.id, product: 'Kept', amount: 5, currency: 'EUR' }] }, ['ingest']);
    const merge = await app.gql(`mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`, { a: survivor.id, b: merged.id }, ['supervisor']);
    expect(merge.errors).toBeUndefined();
    expect((await app.gql(PURCHASES, { id: survivor.id }, ['agent'])).data!.customer.lifetimeValue).toBe(5);
    const exported = await app.gql(`query($id: ID!) { exportCustomer(id: $id) }`, { id: survivor.id }, ['admin']);
    expect(JSON.stringify(exported.data!.exportCustomer)).toContain('Kept');
    const erased = await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: survivor.id }, ['admin']);
    expect(erased.errors).toBeUndefined();
    expect(await rowsByKeys([`${k}-m`])).toEqual([]);
  });
});

describe('PURCHASE_RECORDED webhooks', () => {
  it('carry what was bought only to a webhook whose purpose the customer holds', () => {
    const event = {
      type: 'PURCHASE_RECORDED', customerId: 'c1',
      data: { purchaseId: 'p1', customerId: 'c1', product: 'Boots', category: 'Shoes', amount: 10, currency: 'EUR', purchasedAt: '2026-11-01T00:00:00.000Z', channel: 'IN_STORE' },
    };
    const ids = { purchaseId: 'p1', customerId: 'c1', purchasedAt: '2026-11-01T00:00:00.000Z', channel: 'IN_STORE' };
    expect(webhookData(event, null, { identifiers: new Set(), customer: true })).toEqual(ids);
    expect(webhookData(event, ConsentPurpose.MARKETING, { identifiers: new Set(), customer: false })).toEqual(ids);
    expect(webhookData(event, ConsentPurpose.MARKETING, { identifiers: new Set(), customer: true })).toEqual(event.data);
  });
});

describe('segment filters on purchases', () => {
  const SEGMENT = `query($f: SegmentFilter!) { segment(filter: $f, purpose: MARKETING, first: 100) { totalCount edges { node {
    customer { id lifetimeValue purchases(first: 5) { edges { node { product } } } } } } } }`;

  it('products (any, case-insensitive), purchasedSince (on the same purchase) and minLifetimeValue select PROFILING-consented customers only', async () => {
    const product = `Kettle ${unique()}`;
    const make = async (profiling: boolean) => {
      const c = await createCustomer(app.pool, { emails: [`seg-${unique()}@example.com`] });
      await grant(c.id, 'MARKETING');
      if (profiling) await grant(c.id, 'PROFILING');
      return c.id;
    };
    const [recent, old, rich, unconsented] = [await make(true), await make(true), await make(true), await make(false)];
    const k = unique();
    await app.gql(RECORD_IDS, {
      inputs: [
        { idempotencyKey: `${k}-1`, customerId: recent, product, amount: 40, currency: 'EUR', purchasedAt: '2026-11-20T00:00:00.000Z' },
        { idempotencyKey: `${k}-2`, customerId: old, product: product.toUpperCase(), amount: 30, currency: 'EUR', purchasedAt: '2026-01-20T00:00:00.000Z' },
        { idempotencyKey: `${k}-3`, customerId: old, product: 'Other', amount: 30, currency: 'EUR', purchasedAt: '2026-11-20T00:00:00.000Z' },
        { idempotencyKey: `${k}-4`, customerId: rich, product: `${product} deluxe`, amount: 5000, currency: 'EUR', purchasedAt: '2026-11-20T00:00:00.000Z' },
        { idempotencyKey: `${k}-5`, customerId: unconsented, product, amount: 9000, currency: 'EUR', purchasedAt: '2026-11-20T00:00:00.000Z' },
      ],
    }, ['ingest']);
    const members = async (f: Record<string, unknown>) => {
      const res = await app.gql(SEGMENT, { f }, ['marketing']);
      expect(res.errors).toBeUndefined();
      const ids: string[] = res.data!.segment.edges.map((e: any) => e.node.customer.id);
      expect(res.data!.segment.totalCount).toBe(ids.length);
      return { ids: new Set(ids), res };
    };
    const mine = (ids: Set<string>) => [recent, old, rich, unconsented].filter((id) => ids.has(id));
    expect(mine((await members({ products: [product.toLowerCase()] })).ids)).toEqual([recent, old]);
    expect(mine((await members({ products: [product], purchasedSince: '2026-06-01T00:00:00.000Z' })).ids)).toEqual([recent]);
    const byValue = await members({ products: [product, `${product} DELUXE`], minLifetimeValue: 60 });
    expect(mine(byValue.ids)).toEqual([old, rich]);
    // Marketing reads a member's purchases (it holds MARKETING).
    const richNode = byValue.res.data!.segment.edges.find((e: any) => e.node.customer.id === rich).node.customer;
    expect(richNode).toEqual({ id: rich, lifetimeValue: 5000, purchases: { edges: [{ node: { product: `${product} deluxe` } }] } });
    // The NDJSON export evaluates the same filter.
    const exported = await request(app.server).get('/segments/export')
      .query({ filter: JSON.stringify({ products: [product], purchasedSince: '2026-06-01T00:00:00.000Z' }), purpose: 'MARKETING' })
      .set('authorization', `Bearer ${tokenFor(['marketing'], `purchases-${unique()}`)}`)
      .buffer(true).parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
    expect(exported.status).toBe(200);
    const lines = (exported.body as string).split('\n').filter(Boolean).map((l) => JSON.parse(l).customerId);
    expect(mine(new Set(lines))).toEqual([recent]);
    const bad = await app.gql(SEGMENT, { f: { products: [] } }, ['marketing']);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.products' });
    const negative = await app.gql(SEGMENT, { f: { minLifetimeValue: -1 } }, ['marketing']);
    expect(negative.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.minLifetimeValue' });
  });
});
