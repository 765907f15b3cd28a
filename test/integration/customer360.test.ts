import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const C360 = `query C360($id: ID!, $first: Int, $after: String, $channel: Channel) {
  customer(id: $id) {
    id displayName tier city region country createdAt
    emails { value capturedVia } phones { value }
    socialIdentities { platform handle followerCount consents { purpose status } }
    interactions(first: $first, after: $after, channel: $channel) {
      edges { cursor node { id channel occurredAt content slaBreached conversation { id channels } } }
      pageInfo { hasNextPage endCursor }
    }
    influence { score topic source measuredAt trend }
    influenceByTopic { score topic trend }
    priority { score reasons { factor contribution detail } }
  }
}`;

describe('customer 360', () => {
  it('returns the customer with identifiers, newest interactions first, and the latest influence with its trend', async () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const c = await createCustomer(app.pool, {
      displayName: 'Chad Schaeffer', tier: 'GOLD', city: 'Plymouth', region: 'MI',
      emails: [`chad.${unique()}@gmail.com`], phones: [`+1313${uniqueLocalDigits()}`],
      handles: [{ platform: 'TWITTER', handle: `chad${unique()}`, followerCount: 1200 }],
      interactions: [
        { channel: 'TWITTER', occurredAt: new Date(t0), content: 'first' },
        { channel: 'PHONE', occurredAt: new Date(t0 + 60_000), content: 'second' },
        { channel: 'TWITTER', occurredAt: new Date(t0 + 120_000), content: 'third' },
      ],
      influence: [
        { score: 5, measuredAt: new Date(t0) },
        { score: 6.5, measuredAt: new Date(t0 + 1000) },
        { score: 8, topic: 'fuel-mileage', measuredAt: new Date(t0) },
      ],
      profiling: true,
    });
    const res = await app.gql(C360, { id: c.id, first: 20 }, ['viewer']);
    expect(res.errors).toBeUndefined();
    const customer = res.data!.customer;
    expect(customer).toMatchObject({ id: c.id, displayName: 'Chad Schaeffer', tier: 'GOLD', city: 'Plymouth', region: 'MI' });
    expect(customer.emails).toHaveLength(1);
    expect(customer.phones).toHaveLength(1);
    expect(customer.socialIdentities[0]).toMatchObject({ platform: 'TWITTER', followerCount: 1200 });
    expect(customer.socialIdentities[0].consents.map((x: any) => [x.purpose, x.status])).toEqual([['SERVICE', 'UNKNOWN'], ['MARKETING', 'UNKNOWN'], ['PROFILING', 'GRANTED']]);
    expect(customer.interactions.edges.map((e: any) => e.node.content)).toEqual(['third', 'second', 'first']);
    expect(customer.interactions.edges[0].node.conversation.channels).toEqual(['TWITTER']);
    expect(customer.influence).toMatchObject({ score: 6.5, topic: null, trend: 1.5 });
    expect(customer.influenceByTopic).toEqual([{ score: 8, topic: 'fuel-mileage', trend: null }]);
    expect(customer.priority.score).toBeCloseTo(30 + 6.5 * 5);
    expect(customer.priority.reasons.reduce((s: number, r: any) => s + r.contribution, 0)).toBeCloseTo(customer.priority.score);
  });

  it('pages interactions with cursors and filters them by channel', async () => {
    const c = await createCustomer(app.pool, {
      interactions: Array.from({ length: 5 }, (_, n) => ({ channel: n % 2 ? 'PHONE' : 'EMAIL', content: `m${n}` })),
    });
    const page1 = await app.gql(C360, { id: c.id, first: 2 }, ['viewer']);
    const conn1 = page1.data!.customer.interactions;
    expect(conn1.edges.map((e: any) => e.node.content)).toEqual(['m4', 'm3']);
    expect(conn1.pageInfo.hasNextPage).toBe(true);
    const page2 = await app.gql(C360, { id: c.id, first: 2, after: conn1.pageInfo.endCursor }, ['viewer']);
    expect(page2.data!.customer.interactions.edges.map((e: any) => e.node.content)).toEqual(['m2', 'm1']);
    const page3 = await app.gql(C360, { id: c.id, first: 2, after: page2.data!.customer.interactions.pageInfo.endCursor }, ['viewer']);
    expect(page3.data!.customer.interactions.edges.map((e: any) => e.node.content)).toEqual(['m0']);
    expect(page3.data!.customer.interactions.pageInfo.hasNextPage).toBe(false);
    const phones = await app.gql(C360, { id: c.id, first: 20, channel: 'PHONE' }, ['viewer']);
    expect(phones.data!.customer.interactions.edges.map((e: any) => e.node.content)).toEqual(['m3', 'm1']);
  });

  it('answers null for an unknown id', async () => {
    const res = await app.gql(C360, { id: '00000000-0000-4000-8000-000000000000' }, ['viewer']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer).toBeNull();
  });

  it('refuses a malformed id with BAD_USER_INPUT naming the field', async () => {
    const res = await app.gql(`{ customer(id: "not-a-uuid") { id } }`, {}, ['viewer']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('refuses first above 100 with BAD_USER_INPUT naming first', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(C360, { id: c.id, first: 101 }, ['viewer']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const list = await app.gql(`{ customers(first: 101) { edges { cursor } } }`, {}, ['viewer']);
    expect(list.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('refuses a cursor it did not make', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(C360, { id: c.id, after: 'garbage' }, ['viewer']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('customers connection', () => {
  it('pages through customers in creation order, filtered by tier and name, with totalCount', async () => {
    const tag = unique();
    const base = Date.parse('2020-01-01T00:00:00Z');
    for (let n = 0; n < 5; n++) {
      await createCustomer(app.pool, { displayName: `Pager ${tag} ${n}`, tier: 'PLATINUM', createdAt: new Date(base + n * 1000) });
    }
    await createCustomer(app.pool, { displayName: `Pager ${tag} bronze`, tier: 'BRONZE' });
    const q = `query($after: String, $search: String) {
      customers(first: 2, after: $after, tier: PLATINUM, search: $search) {
        totalCount edges { node { displayName } } pageInfo { hasNextPage endCursor } } }`;
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: any = await app.gql(q, { after, search: tag }, ['viewer']);
      expect(res.errors).toBeUndefined();
      expect(res.data.customers.totalCount).toBe(5);
      names.push(...res.data.customers.edges.map((e: any) => e.node.displayName));
      pages += 1;
      if (!res.data.customers.pageInfo.hasNextPage) break;
      after = res.data.customers.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(names).toEqual([0, 1, 2, 3, 4].map((n) => `Pager ${tag} ${n}`));
  });
});

describe('lookupCustomer', () => {
  it('finds one customer from any raw form of an email, a phone or a handle', async () => {
    const tag = unique();
    const c = await createCustomer(app.pool, {
      emails: [`chadm${tag}@gmail.com`],
      phones: [`+1313${uniqueLocalDigits()}`],
      handles: [{ platform: 'TWITTER', handle: `chad_${tag}` }],
    });
    const phone = (await app.pool.query(`SELECT value FROM contact_points WHERE customer_id = $1 AND kind = 'PHONE'`, [c.id])).rows[0].value as string;
    const national = `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
    const q = `query($email: String, $phone: String, $platform: Platform, $handle: String, $region: String) {
      lookupCustomer(email: $email, phone: $phone, platform: $platform, handle: $handle, region: $region) { id } }`;
    for (const vars of [
      { email: ` ChadM${tag.toUpperCase()}@Gmail.com ` },
      { phone: national, region: 'US' },
      { platform: 'TWITTER', handle: `@Chad_${tag.toUpperCase()}` },
      { platform: 'TWITTER', handle: `https://twitter.com/Chad_${tag}` },
      { platform: 'TWITTER', handle: `https://x.com/chad_${tag}?lang=en` },
    ]) {
      const res = await app.gql(q, vars, ['viewer']);
      expect(res.errors).toBeUndefined();
      expect(res.data!.lookupCustomer).toEqual({ id: c.id });
    }
  });

  it('answers null for an identifier nobody owns, and BAD_USER_INPUT for a malformed one', async () => {
    const none = await app.gql(`{ lookupCustomer(email: "nobody-${unique()}@example.com") { id } }`, {}, ['viewer']);
    expect(none.data!.lookupCustomer).toBeNull();
    const bad = await app.gql(`{ lookupCustomer(email: "not an email") { id } }`, {}, ['viewer']);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    const both = await app.gql(`{ lookupCustomer(email: "a@b.co", phone: "+13135550100") { id } }`, {}, ['viewer']);
    expect(both.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('totalCount on nested connections', () => {
  it('counts all interactions (per channel too) and conversations, not only the page', async () => {
    const c = await createCustomer(app.pool, { interactions: [{ channel: 'PHONE' }, { channel: 'EMAIL' }, { channel: 'PHONE' }] });
    const res = await app.gql(
      `query($id: ID!) { customer(id: $id) {
        all: interactions(first: 1) { totalCount }
        phone: interactions(first: 1, channel: PHONE) { totalCount }
        conversations(first: 1) { totalCount edges { node { interactions(first: 1) { totalCount } } } }
      } }`,
      { id: c.id }, ['viewer'],
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.all.totalCount).toBe(3);
    expect(res.data!.customer.phone.totalCount).toBe(2);
    expect(res.data!.customer.conversations.totalCount).toBe(3);
    expect(res.data!.customer.conversations.edges[0].node.interactions.totalCount).toBe(1);
  });
});

describe('keyset cursors', () => {
  it('keep microsecond precision, so rows created within one millisecond are neither repeated nor skipped', async () => {
    const tag = unique();
    for (const micros of ['100', '200', '300']) {
      await app.pool.query(
        `INSERT INTO customers (display_name, created_at) VALUES ($1, '2019-06-01T00:00:00.000${micros}Z')`,
        [`Micro ${tag} ${micros}`],
      );
    }
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: any = await app.gql(`query($after: String, $s: String) { customers(first: 1, after: $after, search: $s) {
        edges { node { displayName } } pageInfo { hasNextPage endCursor } } }`, { after, s: `Micro ${tag}` }, ['viewer']);
      names.push(...res.data.customers.edges.map((e: any) => e.node.displayName));
      if (!res.data.customers.pageInfo.hasNextPage) break;
      after = res.data.customers.pageInfo.endCursor;
    }
    expect(names).toEqual(['100', '200', '300'].map((m) => `Micro ${tag} ${m}`));
  });
});
