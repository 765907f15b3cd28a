import request from 'supertest';
import { contactPointIds, insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import type { Role } from '../../src/auth/roles';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const tag = () => `H${unique()}`.toUpperCase();

/** A customer of `country` with a handle, an email and a phone, and the given decisions on them. */
async function customer(country: string, decisions: { on: 'handle' | 'email' | 'phone'; purpose: 'MARKETING' | 'SERVICE' | 'PROFILING' }[]) {
  const c = await createCustomer(app.pool, {
    country, emails: [`h.${unique()}@example.com`], phones: [`+1202${uniqueLocalDigits()}`],
    handles: [{ platform: 'TWITTER', handle: `h${unique()}` }],
  });
  const contacts = await contactPointIds(app.pool, c.id);
  const ids = {
    handle: c.socialIdentityIds[0],
    email: Object.entries(contacts).find(([v]) => v.includes('@'))![1],
    phone: Object.entries(contacts).find(([v]) => v.startsWith('+'))![1],
  };
  await insertConsentEvents(app.pool, decisions.map((d) => ({
    identityId: ids[d.on], kind: d.on === 'handle' ? 'SOCIAL' as const : 'CONTACT' as const, purpose: d.purpose, status: 'GRANTED' as const,
  })));
  return { id: c.id, ...ids };
}

/** GET /segments/export as `roles`, the body as text whatever its type. */
function exportAs(roles: Role[], query: Record<string, string>, sub = `exporter-${unique()}`) {
  return request(app.server)
    .get('/segments/export')
    .query(query)
    .set('authorization', `Bearer ${tokenFor(roles, sub)}`)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
}

const SEGMENT = `query($filter: SegmentFilter!, $purpose: ConsentPurpose, $after: String) {
  segment(filter: $filter, purpose: $purpose, first: 2, after: $after) {
    edges { node { customer { id displayName } identities { id } emails { id } phones { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every member of `segment(filter, purpose)`, page by page, as id -> its identifier ids. */
async function pagedMembers(filter: Record<string, unknown>, purpose: string, roles: Role[]) {
  const members = new Map<string, { identities: string[]; emails: string[]; phones: string[] }>();
  let after: string | null = null;
  for (;;) {
    const res: any = await app.gql(SEGMENT, { filter, purpose, after }, roles);
    expect(res.errors).toBeUndefined();
    for (const { node } of res.data.segment.edges) {
      members.set(node.customer.id, {
        identities: node.identities.map((i: any) => i.id), emails: node.emails.map((e: any) => e.id), phones: node.phones.map((p: any) => p.id),
      });
    }
    if (!res.data.segment.pageInfo.hasNextPage) return members;
    after = res.data.segment.pageInfo.endCursor;
  }
}

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('purpose bound to role', () => {
  it('refuses marketing with purpose SERVICE with FORBIDDEN over GraphQL, and returns no member', async () => {
    const country = tag();
    await customer(country, [{ on: 'email', purpose: 'SERVICE' }]);
    const res = await app.gql(SEGMENT, { filter: { country }, purpose: 'SERVICE' }, ['marketing']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'purpose', allowedPurposes: ['MARKETING'] });
    expect(res.data).toBeNull();
    const profiling = await app.gql(SEGMENT, { filter: { country }, purpose: 'PROFILING' }, ['marketing']);
    expect(profiling.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('lets a supervisor who also holds marketing use SERVICE, and an admin PROFILING', async () => {
    const country = tag();
    const service = await customer(country, [{ on: 'email', purpose: 'SERVICE' }]);
    const profiling = await customer(country, [{ on: 'handle', purpose: 'PROFILING' }]);
    expect([...(await pagedMembers({ country }, 'SERVICE', ['supervisor', 'marketing'])).keys()]).toEqual([service.id]);
    expect([...(await pagedMembers({ country }, 'PROFILING', ['admin'])).keys()]).toEqual([profiling.id]);
    const res = await app.gql(SEGMENT, { filter: { country }, purpose: 'PROFILING' }, ['supervisor', 'marketing']);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('GET /segments/export', () => {
  it('streams as NDJSON exactly the members and identifiers segment(filter) pages through, with the total first', async () => {
    const country = tag();
    const expected = [];
    for (let n = 0; n < 5; n++) expected.push(await customer(country, [{ on: 'handle', purpose: 'MARKETING' }, ...(n % 2 ? [{ on: 'email' as const, purpose: 'MARKETING' as const }] : [])]));
    await customer(country, [{ on: 'email', purpose: 'SERVICE' }]); // not for marketing
    const res = await exportAs(['marketing'], { filter: JSON.stringify({ country }) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['x-total-count']).toBe('5');
    const exported = new Map(lines(res.body).map((l) => [l.customerId, {
      identities: l.identities.map((i: any) => i.id), emails: l.emails.map((e: any) => e.id), phones: l.phones.map((p: any) => p.id),
    }]));
    const paged = await pagedMembers({ country }, 'MARKETING', ['marketing']);
    expect(paged.size).toBe(5);
    expect(new Map([...exported].sort())).toEqual(new Map([...paged].sort()));
    expect([...exported.keys()].sort()).toEqual(expected.map((c) => c.id).sort());
  });

  it('writes a SEGMENT_EXPORTED audit entry with the subject, purpose, filter and member count', async () => {
    const country = tag();
    await customer(country, [{ on: 'handle', purpose: 'MARKETING' }]);
    const sub = `auditor-${unique()}`;
    const res = await exportAs(['marketing'], { filter: JSON.stringify({ country, tiers: ['NONE'] }), purpose: 'MARKETING' }, sub);
    expect(res.status).toBe(200);
    const { rows } = await app.pool.query(
      `SELECT action, actor_roles AS roles, request_id AS "requestId", details FROM audit_log WHERE actor = $1`, [sub],
    );
    expect(rows).toEqual([{
      action: 'SEGMENT_EXPORTED', roles: ['marketing'], requestId: res.headers['x-request-id'],
      details: { purpose: 'MARKETING', filter: { country, tiers: ['NONE'] }, members: 1, via: 'http' },
    }]);
  });

  it('refuses marketing with purpose SERVICE with FORBIDDEN in JSON, before any member, and audits the refusal only', async () => {
    const country = tag();
    await customer(country, [{ on: 'email', purpose: 'SERVICE' }]);
    const sub = `refused-${unique()}`;
    const res = await exportAs(['marketing'], { filter: JSON.stringify({ country }), purpose: 'SERVICE' }, sub);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'purpose' });
    expect(res.body).not.toMatch(/@example\.com/);
    const { rows } = await app.pool.query(`SELECT action FROM audit_log WHERE actor = $1`, [sub]);
    expect(rows.map((r) => r.action)).toEqual(['ACCESS_DENIED']);
  });

  it.each([['viewer'], ['agent'], ['supervisor'], ['ingest']] as [Role][])('refuses %s with FORBIDDEN', async (role) => {
    const res = await exportAs([role], { filter: '{}' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('answers UNAUTHENTICATED without a valid token, and BAD_USER_INPUT naming the field for a bad filter or purpose', async () => {
    const anonymous = await request(app.server).get('/segments/export').query({ filter: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forged = await request(app.server).get('/segments/export').set('authorization', 'Bearer not-a-token');
    expect(forged.status).toBe(401);
    for (const [query, field] of [
      [{ filter: 'not json' }, 'filter'],
      [{ filter: '{"minInfluence": 11}' }, 'filter.minInfluence'],
      [{ filter: '{"nope": 1}' }, 'filter.nope'],
      [{ filter: '{}', purpose: 'EVERYTHING' }, 'purpose'],
    ] as const) {
      const res = await exportAs(['marketing'], query);
      expect({ status: res.status, ...JSON.parse(res.body).errors[0].extensions }).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field });
    }
  });
});
