import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

// Classification results (content, sentiment, topics) are read back by an agent: the ingest role is write-only and reads
// back only what identifies what it wrote (field-access.test.ts).

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const FIELDS = `id channel direction content category sentiment topics lane skillGroup status slaDueAt slaBreached isPublic actionable
  customer { id displayName }
  socialIdentity { handle } conversation { id channels }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { ${FIELDS} } }`;
const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { ${FIELDS} } }`;

const count = async (sql: string, params: unknown[]) => (await app.pool.query(sql, params)).rows[0].n as number;

describe('recordInteraction: idempotency', () => {
  it('answers a retry with the same key and content with the first result and writes nothing', async () => {
    const key = `retry-${unique()}`;
    const input = { idempotencyKey: key, platform: 'TWITTER', handle: `@retry_${unique()}`, channel: 'TWITTER', content: 'My bluetooth keeps dropping, help?' };
    const first = await app.gql(RECORD, { input }, ['agent']);
    expect(first.errors).toBeUndefined();
    const again = await app.gql(RECORD, { input }, ['agent']);
    expect(again.errors).toBeUndefined();
    expect(again.data!.recordInteraction.id).toBe(first.data!.recordInteraction.id);
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE idempotency_key = $1`, [key])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM conversations WHERE customer_id = $1`, [first.data!.recordInteraction.customer.id])).toBe(1);
  });

  it('refuses the same key with different content as CONFLICT', async () => {
    const key = `conflict-${unique()}`;
    const c = await createCustomer(app.pool);
    const ok = await app.gql(RECORD, { input: { idempotencyKey: key, customerId: c.id, channel: 'EMAIL', content: 'first text' } }, ['agent']);
    expect(ok.errors).toBeUndefined();
    const clash = await app.gql(RECORD, { input: { idempotencyKey: key, customerId: c.id, channel: 'EMAIL', content: 'other text' } }, ['agent']);
    expect(clash.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1`, [c.id])).toBe(1);
  });

  it('leaves exactly one row when 50 calls race with one key', async () => {
    const key = `race-${unique()}`;
    const handle = `race_${unique()}`;
    const input = { idempotencyKey: key, platform: 'TWITTER', handle, channel: 'TWITTER', content: 'is anyone there?' };
    const results = await Promise.all(Array.from({ length: 50 }, () => app.gql(RECORD, { input }, ['agent'])));
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.recordInteraction.id)).size).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE idempotency_key = $1`, [key])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM social_identities WHERE platform = 'TWITTER' AND handle = $1`, [handle])).toBe(1);
    const owner = results[0].data!.recordInteraction.customer.id;
    expect(await count(`SELECT count(*)::int AS n FROM conversations WHERE customer_id = $1`, [owner])).toBe(1);
  });

  it('refuses a key longer than 255 characters or empty, naming the field', async () => {
    const c = await createCustomer(app.pool);
    for (const idempotencyKey of ['', 'k'.repeat(256)]) {
      const res = await app.gql(RECORD, { input: { idempotencyKey, customerId: c.id, channel: 'EMAIL', content: 'hi' } }, ['agent']);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    }
  });
});

describe('recordInteractions: bulk', () => {
  it('writes nothing and reports every bad item by index when some items are bad', async () => {
    const tag = unique();
    const c = await createCustomer(app.pool);
    const inputs = Array.from({ length: 5 }, (_, n) => ({ idempotencyKey: `bulk-bad-${tag}-${n}`, customerId: c.id, channel: 'EMAIL', content: `message ${n}` }));
    inputs[1] = { ...inputs[1], content: '   ' };
    (inputs[3] as Record<string, unknown>).email = 'not an email';
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].content', index: 1 });
    expect(res.errors![0].extensions!.errors).toEqual([
      { index: 1, field: 'inputs[1].content', message: expect.any(String) },
      { index: 3, field: 'inputs[3].email', message: expect.any(String) },
    ]);
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE idempotency_key LIKE $1`, [`bulk-bad-${tag}-%`])).toBe(0);
  });

  it('writes nothing when one item names an unknown customer', async () => {
    const tag = unique();
    const handle = `bulk_${tag}`;
    const inputs = [
      { idempotencyKey: `bulk-ref-${tag}-0`, platform: 'INSTAGRAM', handle, channel: 'INSTAGRAM', content: 'love the new ad' },
      { idempotencyKey: `bulk-ref-${tag}-1`, customerId: '00000000-0000-4000-8000-000000000000', channel: 'EMAIL', content: 'hello' },
    ];
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].customerId' });
    expect(await count(`SELECT count(*)::int AS n FROM social_identities WHERE platform = 'INSTAGRAM' AND handle = $1`, [handle])).toBe(0);
  });

  it('records a batch in input order, linking known and unknown handles', async () => {
    const tag = unique();
    const known = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `known_${tag}` }], emails: [`bulk.${tag}@example.com`] });
    const inputs = [
      { idempotencyKey: `bulk-ok-${tag}-0`, platform: 'TWITTER', handle: `@Known_${tag}`, channel: 'TWITTER', content: 'my car will not start, terrible' },
      { idempotencyKey: `bulk-ok-${tag}-1`, platform: 'TWITTER', handle: `new_${tag}`, channel: 'TWITTER', content: 'thanks for the quick fix!' },
      { idempotencyKey: `bulk-ok-${tag}-2`, email: ` Bulk.${tag}@Example.com `, channel: 'EMAIL', content: 'how do I update the navigation maps?' },
      { idempotencyKey: `bulk-ok-${tag}-3`, platform: 'TWITTER', handle: `new_${tag}`, channel: 'TWITTER', content: 'and again, thanks' },
    ];
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors).toBeUndefined();
    const out = res.data!.recordInteractions;
    expect(out.map((i: any) => i.content)).toEqual(inputs.map((i) => i.content));
    expect(out[0].customer.id).toBe(known.id);
    expect(out[2].customer.id).toBe(known.id);
    expect(out[0].socialIdentity.handle).toBe(`known_${tag}`);
    expect(out[1].customer.id).toBe(out[3].customer.id);
    // Ingest may not read a customer's identities back (docs/security-and-operations.md): a viewer checks them.
    const created = await app.gql(
      `query($id: ID!) { customer(id: $id) { socialIdentities { platform handle capturedVia consents { status } } } }`,
      { id: out[1].customer.id },
      ['viewer'],
    );
    expect(created.data!.customer.socialIdentities).toEqual([
      { platform: 'TWITTER', handle: `new_${tag}`, capturedVia: 'SOCIAL_MESSAGE', consents: [{ status: 'UNKNOWN' }, { status: 'UNKNOWN' }, { status: 'UNKNOWN' }] },
    ]);
    expect(out.map((i: any) => i.category)).toEqual(['COMPLAINT', 'COMPLIMENT', 'QUESTION', 'COMPLIMENT']);
    expect(out[2].skillGroup).toBe('technical');
  });

  it('refuses one key used twice in a call with different content as CONFLICT naming the later item', async () => {
    const key = `twice-${unique()}`;
    const c = await createCustomer(app.pool);
    const inputs = [
      { idempotencyKey: key, customerId: c.id, channel: 'EMAIL', content: 'one' },
      { idempotencyKey: key, customerId: c.id, channel: 'EMAIL', content: 'two' },
    ];
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'inputs[1].idempotencyKey', index: 1 });
    expect(await count(`SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1`, [c.id])).toBe(0);
  });

  it('answers a fresh call with exactly what a later read of the same interactions returns', async () => {
    // The service answers fresh items from what it wrote instead of reading them back: every
    // field must agree with the stored row, including what later statements of the call changed.
    const tag = unique();
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `same_${tag}` }] });
    const all = `id channel direction occurredAt content isPublic category sentiment topics lane skillGroup status respondedAt
      slaDueAt slaBreached actionable closedLoop externalId customer { id } conversation { id channels } socialIdentity { id }`;
    const base = { platform: 'TWITTER', handle: `same_${tag}`, channel: 'TWITTER' };
    const inputs = [
      { ...base, idempotencyKey: `same-${tag}-0`, externalId: `tw-${tag}`, sentiment: 0.123456789, content: 'my #warranty claim was refused?' },
      { ...base, idempotencyKey: `same-${tag}-1`, direction: 'OUTBOUND', inReplyToExternalId: `tw-${tag}`, content: 'sorry, DM us please' },
      { ...base, idempotencyKey: `same-${tag}-2`, content: 'I am thinking of leaving, the screen froze again', occurredAt: '2020-01-01T00:00:00.123Z' },
      { ...base, idempotencyKey: `same-${tag}-3`, channel: 'EMAIL', category: 'SALES_LEAD', topics: ['#New Model'], lane: 'MARKETING_PR', content: 'quote?' },
    ];
    const mutation = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { ${all} } }`;
    const res = await app.gql(mutation, { inputs }, ['agent']);
    expect(res.errors).toBeUndefined();
    const answered = res.data!.recordInteractions;
    expect(answered[0]).toMatchObject({ sentiment: 0.123457, status: 'RESPONDED' });
    expect(answered[0].respondedAt).not.toBeNull();
    expect(answered[2].status).toBe('ESCALATED');
    const read = await app.gql(
      `query($id: ID!) { customer(id: $id) { interactions(first: 10) { edges { node { ${all} } } } } }`, { id: c.id }, ['agent'],
    );
    const byId = new Map(read.data!.customer.interactions.edges.map((e: any) => [e.node.id, e.node]));
    expect(answered.map((i: any) => byId.get(i.id))).toEqual(answered);
    // A retry answers from the stored rows: the same again.
    const retry = await app.gql(mutation, { inputs }, ['agent']);
    expect(retry.data!.recordInteractions).toEqual(answered);
  });

  it('threads a reply to an earlier post of the same call into its conversation', async () => {
    const tag = unique();
    const inputs = [
      { idempotencyKey: `thr-${tag}-0`, platform: 'FACEBOOK', handle: `thr_${tag}`, channel: 'FACEBOOK', externalId: `fb-${tag}`, content: 'my app login fails' },
      { idempotencyKey: `thr-${tag}-1`, platform: 'FACEBOOK', handle: `thr_${tag}`, channel: 'FACEBOOK', inReplyToExternalId: `fb-${tag}`, content: 'still failing' },
    ];
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors).toBeUndefined();
    const [a, b] = res.data!.recordInteractions;
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(await count(`SELECT count(*)::int AS n FROM conversations WHERE customer_id = $1`, [a.customer.id])).toBe(1);
  });

  it('refuses more than 1,000 items', async () => {
    const inputs = Array.from({ length: 1001 }, (_, n) => ({ idempotencyKey: `too-many-${n}`, email: 'a@b.co', channel: 'EMAIL', content: 'x' }));
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
  });
});

describe('recordInteraction: classification, routing and the SLA clock', () => {
  it('classifies, routes and gives an inbound tweet a one-hour SLA', async () => {
    const c = await createCustomer(app.pool);
    const occurredAt = new Date(Date.now() - 10 * 60_000);
    const res = await app.gql(RECORD, {
      input: { idempotencyKey: `sla-${unique()}`, customerId: c.id, channel: 'TWITTER', content: 'should I buy the CTS or the MKZ?', occurredAt: occurredAt.toISOString() },
    }, ['agent']);
    expect(res.errors).toBeUndefined();
    const i = res.data!.recordInteraction;
    expect(i).toMatchObject({ category: 'SALES_LEAD', lane: 'MARKETING_PR', status: 'OPEN', isPublic: true, slaBreached: false, actionable: true });
    expect(Date.parse(i.slaDueAt) - occurredAt.getTime()).toBe(60 * 60_000);
  });

  it('keeps the values the caller gives instead of classifying', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(RECORD, {
      input: { idempotencyKey: `given-${unique()}`, customerId: c.id, channel: 'FORUM', content: 'whatever', category: 'COMPLAINT', sentiment: -0.4, topics: ['#Brakes'], lane: 'MARKETING_PR', skillGroup: 'vip' },
    }, ['agent']);
    expect(res.data!.recordInteraction).toMatchObject({ category: 'COMPLAINT', sentiment: -0.4, topics: ['brakes'], lane: 'MARKETING_PR', skillGroup: 'vip' });
  });

  it('marks a post that is old enough as breached, and a non-actionable mention as out of the queue', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(RECORD, {
      input: { idempotencyKey: `old-${unique()}`, customerId: c.id, channel: 'FACEBOOK', content: 'lol', occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString() },
    }, ['agent']);
    expect(res.data!.recordInteraction).toMatchObject({ category: 'OTHER', actionable: false, slaBreached: true });
  });
});

describe('recordInteractions: the rows the batch INSERT writes', () => {
  it('stores each open inbound item with the rank and tier the row triggers would give it, every other item with none, and topics as sent (quotes and backslashes too)', async () => {
    const c = await createCustomer(app.pool, { tier: 'GOLD' });
    const key = `rank-${unique()}`;
    const inputs = [
      { idempotencyKey: `${key}-1`, customerId: c.id, channel: 'TWITTER', content: 'I will cancel my account, the #billing is wrong', topics: ['billing', 'say "hi"', 'back\\slash'] },
      { idempotencyKey: `${key}-2`, customerId: c.id, channel: 'EMAIL', content: 'where is my order?', sentiment: -0.25 },
      { idempotencyKey: `${key}-3`, customerId: c.id, channel: 'EMAIL', direction: 'OUTBOUND', content: 'we are on it' },
    ];
    const res = await app.gql(RECORD_MANY, { inputs }, ['agent']);
    expect(res.errors).toBeUndefined();
    const rows = (await app.pool.query(
      `SELECT i.idempotency_key AS key, i.status, i.topics, i.queue_tier AS tier, i.created_by AS "createdBy",
              i.priority_base IS NOT DISTINCT FROM r.base AND i.queue_key IS NOT DISTINCT FROM r.queue_key AS ranked, i.priority_base IS NULL AS unranked
         FROM interactions i
         LEFT JOIN LATERAL interaction_rank(i.customer_id, i.topics, i.category, i.sentiment, i.content, i.sla_due_at, i.occurred_at) r
           ON i.status = 'OPEN' AND i.direction = 'INBOUND'
        WHERE i.customer_id = $1 ORDER BY i.idempotency_key`, [c.id],
    )).rows;
    expect(rows).toEqual([
      { key: `${key}-1`, status: 'ESCALATED', topics: ['billing', 'say-"hi"', 'back\\slash'], tier: null, createdBy: expect.any(String), ranked: true, unranked: true },
      { key: `${key}-2`, status: 'OPEN', topics: expect.any(Array), tier: 'GOLD', createdBy: expect.any(String), ranked: true, unranked: false },
      { key: `${key}-3`, status: 'RESPONDED', topics: expect.any(Array), tier: null, createdBy: expect.any(String), ranked: true, unranked: true },
    ]);
    const conversations = (await app.pool.query(`SELECT channels, origin_channel AS origin FROM conversations WHERE customer_id = $1 ORDER BY origin_channel`, [c.id])).rows;
    expect(conversations).toEqual([{ channels: ['EMAIL'], origin: 'EMAIL' }, { channels: ['EMAIL'], origin: 'EMAIL' }, { channels: ['TWITTER'], origin: 'TWITTER' }]);
  });
});
