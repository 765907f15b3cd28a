import { randomUUID } from 'node:crypto';
import { insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';
import { webhookData } from '../../src/webhooks/webhook-payload';
import { ConsentPurpose } from '../../src/graphql/enums';
import { buildAppSchema } from '../../src/schema';
import { SegmentWorker } from '../../src/segments/saved-segment.worker';
import { decodeFilter } from '../../src/segments/saved-segment.filter';
import { createLogger } from '../../src/logger';

let app: TestApp;
let other: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  other = await startTestApp();
});
afterAll(async () => {
  await app.close();
  await other.close();
});

const SAVE = `mutation($input: SavedSegmentInput!) { saveSegment(input: $input) { id name purpose filter memberCount createdAt } }`;
const READ = `query($id: ID!) { savedSegment(id: $id) { id memberCount members(first: 100) { totalCount edges { node { customer { id } identities { handle } emails { value } } } } } }`;
const SET_CONSENT = `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`;

const country = () => `S${unique()}`.toUpperCase();

/** A customer of `place` with one Twitter handle; consented for MARKETING when `granted`. */
async function customerIn(place: string, granted: boolean) {
  const c = await createCustomer(app.pool, { country: place, handles: [{ platform: 'TWITTER', handle: `seg${unique()}` }] });
  if (granted) await insertConsentEvents(app.pool, [{ identityId: c.socialIdentityIds[0], status: 'GRANTED' }]);
  return { id: c.id, identityId: c.socialIdentityIds[0] };
}

async function save(name: string, filter: Record<string, unknown>, purpose = 'MARKETING', roles: ('marketing' | 'supervisor' | 'admin' | 'viewer')[] = ['marketing']) {
  return app.gql(SAVE, { input: { name, filter, purpose } }, roles);
}

async function segmentEvents(segmentId: string) {
  const { rows } = await app.pool.query(
    `SELECT type, customer_id::text AS "customerId", data FROM outbox_events
      WHERE type IN ('SEGMENT_ENTERED', 'SEGMENT_LEFT') AND data->>'savedSegmentId' = $1 ORDER BY seq`,
    [segmentId],
  );
  return rows as { type: string; customerId: string; data: Record<string, any> }[];
}

describe('saveSegment, savedSegments, savedSegment, deleteSegment', () => {
  it('populates a new segment with the members of segment(filter), without events', async () => {
    const place = country();
    const inside = await customerIn(place, true);
    await customerIn(place, false);
    const res = await save(`pop-${unique()}`, { country: place });
    expect(res.errors).toBeUndefined();
    const seg = res.data!.saveSegment;
    expect(seg).toMatchObject({ purpose: 'MARKETING', filter: { country: place }, memberCount: 1 });
    const read = await app.gql(READ, { id: seg.id }, ['marketing']);
    expect(read.data!.savedSegment.members.edges.map((e: any) => e.node.customer.id)).toEqual([inside.id]);
    expect(read.data!.savedSegment.members.totalCount).toBe(1);
    expect(await segmentEvents(seg.id)).toEqual([]);
  });

  it('binds the purpose to the role: marketing MARKETING, supervisors SERVICE, another purpose FORBIDDEN and nothing saved', async () => {
    const name = `purpose-${unique()}`;
    for (const [purpose, roles] of [['SERVICE', ['marketing']], ['MARKETING', ['supervisor']], ['PROFILING', ['supervisor']]] as const) {
      const res = await save(name, { country: 'US' }, purpose, [...roles]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await save(name, { country: 'US' }, 'MARKETING', ['viewer'])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM saved_segments WHERE name = $1`, [name]);
    expect(rows[0].n).toBe(0);
    expect((await save(`${name}-s`, { country: 'US' }, 'SERVICE', ['supervisor'])).errors).toBeUndefined();
  });

  it('each role reads the segments of its own purposes only', async () => {
    const marketing = (await save(`m-${unique()}`, { country: country() })).data!.saveSegment.id;
    const service = (await save(`s-${unique()}`, { country: country() }, 'SERVICE', ['supervisor'])).data!.saveSegment.id;
    const list = async (roles: ('marketing' | 'supervisor' | 'admin')[]) =>
      ((await app.gql(`{ savedSegments { id purpose } }`, undefined, roles)).data!.savedSegments as { id: string }[]).map((s) => s.id);
    expect(await list(['marketing'])).toContain(marketing);
    expect(await list(['marketing'])).not.toContain(service);
    expect(await list(['supervisor'])).toContain(service);
    expect(await list(['supervisor'])).not.toContain(marketing);
    expect(await list(['admin'])).toEqual(expect.arrayContaining([marketing, service]));
    const one = async (id: string, roles: ('marketing' | 'supervisor')[]) => (await app.gql(`query($id: ID!) { savedSegment(id: $id) { id } }`, { id }, roles)).data!.savedSegment;
    expect(await one(service, ['marketing'])).toBeNull();
    expect(await one(marketing, ['marketing'])).toEqual({ id: marketing });
    const deleted = await app.gql(`mutation($id: ID!) { deleteSegment(id: $id) }`, { id: service }, ['marketing']);
    expect(deleted.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses unknown filter fields as schema errors and invalid values as BAD_USER_INPUT, writing nothing', async () => {
    const name = `bad-${unique()}`;
    const unknown = await save(name, { shoeSize: 42 });
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0].message).toMatch(/shoeSize/);
    for (const [filter, field] of [[{ minInfluence: 20 }, 'filter.minInfluence'], [{ tiers: [] }, 'filter.tiers'], [{ country: '!!' }, 'filter.country']] as const) {
      const res = await save(name, filter);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await save('   ', { country: 'US' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect((await app.gql(READ, { id: 'not-an-id' }, ['marketing'])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM saved_segments WHERE name = $1`, [name]);
    expect(rows[0].n).toBe(0);
  });

  it('a retried save answers the same segment and writes once; the same name with another filter is a CONFLICT', async () => {
    const name = `retry-${unique()}`;
    const filter = { country: country(), interactedSince: '2026-01-01T00:00:00.000Z' };
    const [a, b] = await Promise.all([save(name, filter), save(name, filter)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.saveSegment.id).toBe(a.data!.saveSegment.id);
    const audits = await app.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'SEGMENT_SAVED' AND subject = $1`, [a.data!.saveSegment.id]);
    expect(audits.rows[0].n).toBe(1);
    const conflict = await save(name, { ...filter, tiers: ['GOLD'] });
    expect(conflict.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
  });

  it('deleteSegment removes the segment and its members; a retry answers false', async () => {
    const place = country();
    await customerIn(place, true);
    const id = (await save(`del-${unique()}`, { country: place })).data!.saveSegment.id;
    const del = `mutation($id: ID!) { deleteSegment(id: $id) }`;
    expect((await app.gql(del, { id }, ['marketing'])).data!.deleteSegment).toBe(true);
    expect((await app.gql(del, { id }, ['marketing'])).data!.deleteSegment).toBe(false);
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM saved_segment_members WHERE segment_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('saved segments follow changes', () => {
  it('a consent grant and its withdrawal emit SEGMENT_ENTERED and SEGMENT_LEFT once each, with the granted identifiers', async () => {
    const place = country();
    const c = await customerIn(place, false);
    const id = (await save(`follow-${unique()}`, { country: place })).data!.saveSegment.id;
    const grant = await app.gql(SET_CONSENT, { input: { socialIdentityId: c.identityId, purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } }, ['agent']);
    expect(grant.errors).toBeUndefined();
    await app.app.segments.drain();
    await app.app.segments.drain();
    const entered = await segmentEvents(id);
    expect(entered).toHaveLength(1);
    expect(entered[0]).toMatchObject({ type: 'SEGMENT_ENTERED', customerId: c.id, data: { savedSegmentId: id, customerId: c.id, purpose: 'MARKETING' } });
    expect(entered[0].data.identifiers).toEqual([{ kind: 'SOCIAL', platform: 'TWITTER', handle: expect.stringMatching(/^seg/) }]);
    expect((await app.gql(READ, { id }, ['marketing'])).data!.savedSegment.memberCount).toBe(1);

    await app.gql(SET_CONSENT, { input: { socialIdentityId: c.identityId, purpose: 'MARKETING', status: 'REVOKED', source: 'SOCIAL_MESSAGE' } }, ['agent']);
    await app.app.segments.drain();
    await app.app.segments.drain();
    expect((await segmentEvents(id)).map((e) => e.type)).toEqual(['SEGMENT_ENTERED', 'SEGMENT_LEFT']);
    expect((await app.gql(READ, { id }, ['marketing'])).data!.savedSegment).toMatchObject({ memberCount: 0, members: { totalCount: 0 } });
  });

  it('a tier change moves a customer in and out of a tier segment', async () => {
    const place = country();
    const c = await customerIn(place, true);
    const id = (await save(`tier-${unique()}`, { country: place, tiers: ['GOLD'] })).data!.saveSegment.id;
    await app.pool.query(`UPDATE customers SET tier = 'GOLD' WHERE id = $1`, [c.id]);
    await app.app.segments.drain();
    await app.pool.query(`UPDATE customers SET tier = 'SILVER' WHERE id = $1`, [c.id]);
    await app.app.segments.drain();
    expect((await segmentEvents(id)).map((e) => [e.type, e.customerId])).toEqual([['SEGMENT_ENTERED', c.id], ['SEGMENT_LEFT', c.id]]);
  });

  it('a purchase moves a PROFILING-consented customer into a products segment (the purchases triggers)', async () => {
    const place = country();
    const c = await customerIn(place, true);
    await insertConsentEvents(app.pool, [{ identityId: c.identityId, purpose: 'PROFILING', status: 'GRANTED' }]);
    const product = `Kettle ${unique()}`;
    const id = (await save(`bought-${unique()}`, { country: place, products: [product] })).data!.saveSegment.id;
    await app.app.segments.drain();
    expect(await segmentEvents(id)).toEqual([]);
    const res = await app.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`,
      { inputs: [{ customerId: c.id, product, amount: 20, currency: 'GBP', purchasedAt: new Date().toISOString(), idempotencyKey: `seg-${unique()}` }] }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM segment_dirty_customers WHERE customer_id = $1`, [c.id]);
    expect(rows[0].n).toBeGreaterThan(0);
    await app.app.segments.drain();
    expect((await segmentEvents(id)).map((e) => [e.type, e.customerId])).toEqual([['SEGMENT_ENTERED', c.id]]);
  });

  it('a filter read back from storage keeps its dates: a new interaction after interactedSince brings the customer in', async () => {
    const place = country();
    const c = await customerIn(place, true);
    const since = new Date(Date.now() - 3600_000).toISOString();
    const saved = (await save(`since-${unique()}`, { country: place, interactedSince: since })).data!.saveSegment;
    expect(saved).toMatchObject({ filter: { country: place, interactedSince: since }, memberCount: 0 });
    const { rows } = await app.pool.query(
      `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, 'EMAIL', 'EMAIL', ARRAY['EMAIL'], now(), now()) RETURNING id`, [c.id]);
    await app.pool.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category)
       VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'hello', 'QUESTION')`, [c.id, rows[0].id]);
    await app.app.segments.drain();
    expect((await segmentEvents(saved.id)).map((e) => [e.type, e.customerId])).toEqual([['SEGMENT_ENTERED', c.id]]);
  });

  it('an expired grant takes the customer out without a write (the expiry sweep)', async () => {
    const place = country();
    const c = await createCustomer(app.pool, { country: place, handles: [{ platform: 'TWITTER', handle: `exp${unique()}` }] });
    await insertConsentEvents(app.pool, [{ identityId: c.socialIdentityIds[0], status: 'GRANTED', expiresAt: new Date(Date.now() + 1500) }]);
    const id = (await save(`expiry-${unique()}`, { country: place })).data!.saveSegment.id;
    expect((await app.gql(READ, { id }, ['marketing'])).data!.savedSegment.memberCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await app.app.segments.markExpired()).toBeGreaterThan(0);
    await app.app.segments.drain();
    expect((await segmentEvents(id)).map((e) => e.type)).toEqual(['SEGMENT_LEFT']);
  });

  it('two workers draining at once tell each change once', async () => {
    const place = country();
    const customers = await Promise.all(Array.from({ length: 30 }, () => customerIn(place, false)));
    const id = (await save(`two-${unique()}`, { country: place })).data!.saveSegment.id;
    // Each grant is its own transaction (its own dirty row); some customers are granted twice.
    for (const [n, c] of customers.entries()) {
      await insertConsentEvents(app.pool, [{ identityId: c.identityId, status: 'GRANTED' }]);
      if (n % 3 === 0) await insertConsentEvents(app.pool, [{ identityId: c.identityId, status: 'GRANTED' }]);
    }
    // Small batches, so both processes take rows of the same customers and evaluate at once.
    const schema = await buildAppSchema();
    const workers = [app, other, app, other].map((a) => new SegmentWorker(a.pool, (json) => decodeFilter(schema, json), createLogger('silent'), { batchSize: 3 }));
    await Promise.all(workers.map((w) => w.drain()));
    const events = await segmentEvents(id);
    expect(events.map((e) => e.customerId).sort()).toEqual(customers.map((c) => c.id).sort());
    expect(events.every((e) => e.type === 'SEGMENT_ENTERED')).toBe(true);
  });

  it('a merge takes the merged customer out; erasure deletes the memberships (data inventory)', async () => {
    const place = country();
    const a = await customerIn(place, true);
    const b = await customerIn(place, true);
    const id = (await save(`merge-${unique()}`, { country: place })).data!.saveSegment.id;
    expect((await app.gql(READ, { id }, ['marketing'])).data!.savedSegment.memberCount).toBe(2);
    const merged = await app.gql(`mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`, { a: a.id, b: b.id }, ['supervisor']);
    expect(merged.errors).toBeUndefined();
    await app.app.segments.drain();
    expect((await segmentEvents(id)).map((e) => [e.type, e.customerId])).toEqual([['SEGMENT_LEFT', b.id]]);

    const erased = await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: a.id }, ['admin']);
    expect(erased.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM saved_segment_members WHERE customer_id = ANY($1::uuid[])`, [[a.id, b.id]]);
    expect(rows[0].n).toBe(0);
    await app.app.segments.drain();
    expect((await app.gql(READ, { id }, ['marketing'])).data!.savedSegment.memberCount).toBe(0);
    expect((await segmentEvents(id)).map((e) => e.type)).toEqual(['SEGMENT_LEFT']);
  });

  it('the worker loop of a running app tells a change on its own, without a drain', async () => {
    const running = await startTestApp({ segmentWorker: { pollMs: 100 } });
    try {
      const place = country();
      const c = await customerIn(place, false);
      const id = (await save(`loop-${unique()}`, { country: place })).data!.saveSegment.id;
      await insertConsentEvents(app.pool, [{ identityId: c.identityId, status: 'GRANTED' }]);
      let events: Awaited<ReturnType<typeof segmentEvents>> = [];
      for (let tries = 0; tries < 300 && events.length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        events = await segmentEvents(id);
      }
      expect(events.map((e) => [e.type, e.customerId])).toEqual([['SEGMENT_ENTERED', c.id]]);
    } finally {
      await running.close();
    }
  });

  it('webhooks receive a segment event\'s identifiers only when their purpose is the segment\'s', () => {
    const event = {
      type: 'SEGMENT_ENTERED',
      customerId: randomUUID(),
      data: { savedSegmentId: randomUUID(), customerId: 'c', purpose: 'MARKETING', identifiers: [{ kind: 'EMAIL', value: 'a@example.com' }] },
    };
    const grants = { identifiers: new Set(['EMAIL:a@example.com']), customer: true };
    expect(webhookData(event, ConsentPurpose.MARKETING, grants).identifiers).toEqual([{ kind: 'EMAIL', value: 'a@example.com' }]);
    expect(webhookData(event, ConsentPurpose.SERVICE, grants)).toEqual({ savedSegmentId: event.data.savedSegmentId, customerId: 'c', purpose: 'MARKETING', identifiers: [] });
    expect(webhookData(event, null, grants).identifiers).toEqual([]);
  });
});
