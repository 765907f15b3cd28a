import { normaliseTopic } from '../../src/common/topics';
import { PassThrough } from 'node:stream';
import { ConsentPurpose, InteractionCategory, Platform } from '../../src/graphql/enums';
import { exportSegment } from '../../src/segments/segment-export';
import { createCustomer, unique, uniqueLocalDigits, type CustomerSpec } from '../helpers/factory';
import { contactPointIds, insertConsentEvents } from '../helpers/consent';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const SEGMENT = `query($filter: SegmentFilter!, $purpose: ConsentPurpose, $first: Int, $after: String) {
  segment(filter: $filter, purpose: $purpose, first: $first, after: $after) {
    totalCount
    edges { cursor node { customer { id displayName } identities { id platform handle } emails { id value } phones { id value } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A country code no other test uses, so the segment holds only this test's customers. */
const tag = () => `T${unique()}`.toUpperCase();

async function member(country: string, spec: CustomerSpec = {}, grant: ('handle' | 'email' | 'phone')[] = ['handle']) {
  const n = unique();
  const c = await createCustomer(app.pool, {
    country, emails: [`m.${n}@example.com`], phones: [`+1202${uniqueLocalDigits()}`],
    handles: [{ platform: 'TWITTER', handle: `t${n}` }], ...spec,
  });
  const contacts = await contactPointIds(app.pool, c.id);
  const emailId = Object.entries(contacts).find(([v]) => v.includes('@'))?.[1];
  const phoneId = Object.entries(contacts).find(([v]) => v.startsWith('+'))?.[1];
  await insertConsentEvents(app.pool, [
    ...(grant.includes('handle') ? c.socialIdentityIds.map((id) => ({ identityId: id, status: 'GRANTED' as const })) : []),
    ...(grant.includes('email') && emailId ? [{ identityId: emailId, kind: 'CONTACT' as const, status: 'GRANTED' as const }] : []),
    ...(grant.includes('phone') && phoneId ? [{ identityId: phoneId, kind: 'CONTACT' as const, status: 'GRANTED' as const }] : []),
  ]);
  return { ...c, emailId, phoneId };
}

/** Scores, topics and categories target only customers who hold PROFILING now. */
async function grantProfiling(...customers: { socialIdentityIds: string[] }[]) {
  await insertConsentEvents(app.pool, customers.map((c) => ({ identityId: c.socialIdentityIds[0], status: 'GRANTED' as const, purpose: 'PROFILING' as const })));
}

const ids = (res: { data?: any }) => res.data!.segment.edges.map((e: any) => e.node.customer.id).sort();

describe('segment', () => {
  it('returns only identifiers with granted marketing consent, and leaves out customers with none', async () => {
    const country = tag();
    const a = await createCustomer(app.pool, {
      country, emails: [`a.${unique()}@example.com`], phones: [`+1202${uniqueLocalDigits()}`],
      handles: [{ platform: 'TWITTER', handle: `yes${unique()}` }, { platform: 'INSTAGRAM', handle: `no${unique()}` }],
    });
    const contacts = Object.values(await contactPointIds(app.pool, a.id));
    await insertConsentEvents(app.pool, [
      { identityId: a.socialIdentityIds[0], status: 'GRANTED' },
      { identityId: a.socialIdentityIds[1], status: 'DENIED' },
      { identityId: contacts[0], kind: 'CONTACT', status: 'GRANTED', purpose: 'SERVICE' },
    ]);
    const none = await member(country, {}, []);
    await insertConsentEvents(app.pool, [{ identityId: none.socialIdentityIds[0], status: 'GRANTED', purpose: 'PROFILING' }]);
    const res = await app.gql(SEGMENT, { filter: { country } }, ['marketing']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.segment.totalCount).toBe(1);
    const node = res.data!.segment.edges[0].node;
    expect(node.customer.id).toBe(a.id);
    expect(node.identities.map((i: any) => i.id)).toEqual([a.socialIdentityIds[0]]);
    expect(node.emails).toEqual([]);
    expect(node.phones).toEqual([]);
  });

  it('returns consented emails and phones beside handles', async () => {
    const country = tag();
    const m = await member(country, {}, ['email', 'phone']);
    const node = (await app.gql(SEGMENT, { filter: { country } }, ['marketing'])).data!.segment.edges[0].node;
    expect(node.identities).toEqual([]);
    expect(node.emails.map((e: any) => e.id)).toEqual([m.emailId]);
    expect(node.phones.map((e: any) => e.id)).toEqual([m.phoneId]);
  });

  it('drops a handle on the very next query after consent is revoked through setConsent', async () => {
    const country = tag();
    const m = await member(country);
    expect(ids(await app.gql(SEGMENT, { filter: { country } }, ['marketing']))).toEqual([m.id]);
    const revoke = await app.gql(
      `mutation($id: ID!) { setConsent(input: { socialIdentityId: $id, purpose: MARKETING, status: REVOKED, source: CHAT }) { status } }`,
      { id: m.socialIdentityIds[0] }, ['agent'],
    );
    expect(revoke.errors).toBeUndefined();
    const after = await app.gql(SEGMENT, { filter: { country } }, ['marketing']);
    expect(after.data!.segment.edges).toEqual([]);
    expect(after.data!.segment.totalCount).toBe(0);
  });

  it('leaves out a grant whose expiry has passed', async () => {
    const country = tag();
    const m = await member(country, {}, []);
    await insertConsentEvents(app.pool, [
      { identityId: m.socialIdentityIds[0], status: 'GRANTED', recordedAt: new Date(Date.now() - 7_200_000), expiresAt: new Date(Date.now() - 60_000) },
    ]);
    expect(ids(await app.gql(SEGMENT, { filter: { country } }, ['marketing']))).toEqual([]);
  });

  it('applies the requested purpose instead of marketing for a role that may use it (admin: PROFILING)', async () => {
    const country = tag();
    const m = await member(country, {}, []);
    await insertConsentEvents(app.pool, [{ identityId: m.socialIdentityIds[0], status: 'GRANTED', purpose: 'PROFILING' }]);
    expect(ids(await app.gql(SEGMENT, { filter: { country } }, ['marketing']))).toEqual([]);
    expect(ids(await app.gql(SEGMENT, { filter: { country }, purpose: 'PROFILING' }, ['admin']))).toEqual([m.id]);
  });

  it('filters by tier, influence, platform, interactions since, category, topic and country', async () => {
    const country = tag();
    const now = Date.now();
    const gold = await member(country, {
      tier: 'GOLD', influence: [{ score: 8, measuredAt: new Date(now - 1000) }, { score: 9, topic: 'fuel-mileage', measuredAt: new Date(now) }],
      interactions: [{ category: 'COMPLAINT', topics: ['warranty'], occurredAt: new Date(now - 3_600_000) }],
    });
    const silver = await member(country, {
      tier: 'SILVER', influence: [{ score: 3, measuredAt: new Date(now) }],
      handles: [{ platform: 'INSTAGRAM', handle: `i${unique()}` }],
      interactions: [{ category: 'QUESTION', topics: ['dealers'], occurredAt: new Date(now - 40 * 86_400_000) }],
    });
    await grantProfiling(gold, silver);
    const q = async (filter: Record<string, unknown>) => ids(await app.gql(SEGMENT, { filter: { country, ...filter } }, ['marketing']));
    expect(await q({})).toEqual([gold.id, silver.id].sort());
    expect(await q({ tiers: ['GOLD', 'PLATINUM'] })).toEqual([gold.id]);
    expect(await q({ minInfluence: 5 })).toEqual([gold.id]);
    expect(await q({ maxInfluence: 5 })).toEqual([silver.id]);
    expect(await q({ influenceTopic: 'fuel-mileage', minInfluence: 8.5 })).toEqual([gold.id]);
    expect(await q({ platforms: ['INSTAGRAM'] })).toEqual([silver.id]);
    expect(await q({ interactedSince: new Date(now - 86_400_000).toISOString() })).toEqual([gold.id]);
    expect(await q({ categories: ['QUESTION'] })).toEqual([silver.id]);
    expect(await q({ topics: ['warranty', 'nothing'] })).toEqual([gold.id]);
    expect(await q({ country: country.toLowerCase() })).toEqual([gold.id, silver.id].sort());
  });

  it('does not target by a score that was ingested without profiling consent (flagged)', async () => {
    const country = tag();
    const m = await member(country);
    await grantProfiling(m);
    await app.pool.query(
      `INSERT INTO influence_scores (customer_id, score, source, measured_at, flagged) VALUES ($1, 9, 'vendor', now(), true)`,
      [m.id],
    );
    expect(ids(await app.gql(SEGMENT, { filter: { country, minInfluence: 5 } }, ['marketing']))).toEqual([]);
    expect(ids(await app.gql(SEGMENT, { filter: { country } }, ['marketing']))).toEqual([m.id]);
  });

  it('returns only the handles on the requested platforms', async () => {
    const country = tag();
    const m = await member(country, { handles: [{ platform: 'TWITTER', handle: `t${unique()}` }, { platform: 'YOUTUBE', handle: `y${unique()}` }] });
    const node = (await app.gql(SEGMENT, { filter: { country, platforms: ['YOUTUBE'] } }, ['marketing'])).data!.segment.edges[0].node;
    expect(node.identities.map((i: any) => i.id)).toEqual([m.socialIdentityIds[1]]);
  });

  it('pages with keyset cursors without repeating or skipping members, with the total', async () => {
    const country = tag();
    const created: string[] = [];
    // Same created_at for all: the id breaks ties, and microseconds must survive the cursor.
    const at = new Date();
    for (let n = 0; n < 7; n++) created.push((await member(country, { createdAt: at })).id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await app.gql(SEGMENT, { filter: { country }, first: 3, after }, ['marketing']);
      expect(res.errors).toBeUndefined();
      expect(res.data.segment.totalCount).toBe(7);
      seen.push(...res.data.segment.edges.map((e: any) => e.node.customer.id));
      if (!res.data.segment.pageInfo.hasNextPage) break;
      after = res.data.segment.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual([...created].sort());
  });

  it('rejects a filter that cannot describe a segment with BAD_USER_INPUT naming the field', async () => {
    const res = await app.gql(SEGMENT, { filter: { minInfluence: 8, maxInfluence: 2 } }, ['marketing']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.minInfluence' });
    const big = await app.gql(SEGMENT, { filter: {}, first: 101 }, ['marketing']);
    expect(big.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it.each(['viewer', 'agent', 'supervisor', 'ingest'])('refuses %s with FORBIDDEN', async (role) => {
    const res = await app.gql(SEGMENT, { filter: {} }, [role as never]);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('streams the whole segment as NDJSON, one member per line, with only consented identifiers', async () => {
    const country = tag();
    const members = [];
    for (let n = 0; n < 5; n++) members.push(await member(country, {}, ['handle', 'email']));
    await member(country, {}, []);
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => (text += chunk));
    const result = await exportSegment(app.pool, out, { filter: { country }, purpose: ConsentPurpose.MARKETING, batchSize: 2 });
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(result.members).toBe(5);
    expect(lines.map((l) => l.customerId).sort()).toEqual(members.map((m) => m.id).sort());
    for (const line of lines) {
      expect(line.identities).toHaveLength(1);
      expect(line.emails).toHaveLength(1);
      expect(line.phones).toEqual([]);
    }
  });

  it('exports, with a platforms filter, only members with a usable handle there, still listing their usable emails', async () => {
    const country = tag();
    const withHandle = await member(country, {}, ['handle', 'email']);
    await member(country, {}, ['email']);
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => (text += chunk));
    const result = await exportSegment(app.pool, out, { filter: { country, platforms: [Platform.TWITTER] }, purpose: ConsentPurpose.MARKETING });
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(result.members).toBe(1);
    expect(lines.map((l) => l.customerId)).toEqual([withHandle.id]);
    expect(lines[0].identities.map((i: any) => i.platform)).toEqual(['TWITTER']);
    expect(lines[0].emails.map((e: any) => e.id)).toEqual([withHandle.emailId]);
  });

  it('exports names and filter values holding quotes, backslashes and newlines byte for byte', async () => {
    const country = tag();
    const odd = `O'Brien \\ "the\tvoice"\n${unique()} ✓`;
    const topic = `it's \\"{odd}\\ ${unique()}`;
    // Stored as every writer stores it (src/common/topics.ts); the filter is given as typed.
    const wanted = await member(country, { displayName: odd, interactions: [{ topics: [normaliseTopic(topic)], category: 'QUESTION' }] });
    await grantProfiling(wanted, await member(country, { interactions: [{ topics: ['other'], category: 'QUESTION' }] }));
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => (text += chunk));
    const result = await exportSegment(app.pool, out, {
      filter: { country, topics: [topic], categories: [InteractionCategory.QUESTION], interactedSince: new Date(Date.now() - 86_400_000) },
      purpose: ConsentPurpose.MARKETING,
    });
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(result.members).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0].customerId).toBe(wanted.id);
    expect(lines[0].displayName).toBe(odd);
  });
});

describe('marketing reaches customer data only through segment', () => {
  const THROUGH_MEMBER = (field: string) => `query($country: String) {
    segment(filter: { country: $country }) { edges { node { customer { id ${field} } } } } }`;

  it.each([
    'emails { value }', 'phones { value }', 'socialIdentities { handle }', 'interactions { edges { node { content } } }',
    'conversations { edges { node { id } } }', 'openEscalations { id }',
  ])('refuses Customer.%s on a segment member with FORBIDDEN', async (field) => {
    const country = tag();
    await member(country);
    const res = await app.gql(THROUGH_MEMBER(field), { country }, ['marketing']);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toMatch(/@example\.com|\+1202555/);
  });

  it('refuses the unconsented handles reached back through identity.customer', async () => {
    const country = tag();
    await member(country, { handles: [{ platform: 'TWITTER', handle: `ok${unique()}` }, { platform: 'FACEBOOK', handle: `secret${unique()}` }] });
    const res = await app.gql(`query($country: String) { segment(filter: { country: $country }) { edges { node {
      identities { customer { socialIdentities { handle } } } } } } }`, { country }, ['marketing']);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toContain('secret');
  });

  it('still lets marketing read the member name, tier and influence', async () => {
    const country = tag();
    await member(country, { displayName: 'Segment Person', tier: 'GOLD' });
    const res = await app.gql(THROUGH_MEMBER('displayName tier influence { score } priority { score }'), { country }, ['marketing']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.segment.edges[0].node.customer).toMatchObject({ displayName: 'Segment Person', tier: 'GOLD' });
  });

  it('lets admin (who is also a viewer) read every customer field through a member', async () => {
    const country = tag();
    await member(country);
    const res = await app.gql(THROUGH_MEMBER('emails { value } socialIdentities { handle }'), { country }, ['admin']);
    expect(res.errors).toBeUndefined();
  });

  it.each([
    ['customer', `query($id: ID!) { customer(id: $id) { id } }`],
    ['customers', `{ customers(first: 1) { edges { cursor } } }`],
    ['lookupCustomer', `{ lookupCustomer(email: "x@example.com") { id } }`],
    ['exportCustomer', `query($id: ID!) { exportCustomer(id: $id) }`],
  ])('refuses marketing on %s with FORBIDDEN', async (_name, query) => {
    const m = await member(tag());
    const res = await app.gql(query, { id: m.id }, ['marketing']);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
