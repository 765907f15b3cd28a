import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

// Roles that stand apart (ingest, marketing) reach a Customer only through what a mutation
// returns (or, for marketing, a segment member): they see who it is, never its contact points,
// identities, conversations or history, whatever path they take.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const TOUCH = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id displayName tier SELECTION } }`;
const input = () => ({ touchpoint: 'SERVICE_CALL', name: 'Field Access', emails: [`fa-${randomUUID().slice(0, 8)}@example.com`] });

const GUARDED = [
  'emails { value }',
  'phones { value }',
  'socialIdentities { handle }',
  'interactions { totalCount }',
  'conversations { totalCount }',
  'openEscalations { id }',
  'touchpointHistory { totalCount }',
  'merges { id }',
  'attributes',
];

describe('customer fields behind the reader roles', () => {
  it('lets ingest read who the customer is from recordTouchpoint', async () => {
    const res = await app.gql(TOUCH.replace('SELECTION', ''), { input: input() }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordTouchpoint.displayName).toBe('Field Access');
  });

  it.each(GUARDED)('refuses ingest %s through the mutation result with FORBIDDEN and no value', async (selection) => {
    const given = input();
    const res = await app.gql(TOUCH.replace('SELECTION', selection), { input: given }, ['ingest']);
    expect(res.errors!.map((e) => e.extensions!.code)).toContain('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toContain(given.emails[0]);
  });

  it.each(GUARDED)('lets an agent read %s through the same path', async (selection) => {
    const res = await app.gql(TOUCH.replace('SELECTION', selection), { input: input() }, ['agent']);
    expect(res.errors).toBeUndefined();
  });
});

describe('marketing through a segment member', () => {
  it('sees consented identities on the member, and FORBIDDEN for the customer\'s own contact fields', async () => {
    const tag = randomUUID().slice(0, 8).toUpperCase(); // countries are compared upper-case
    const email = `seg-${tag}@example.com`;
    const c = await createCustomer(app.pool, { tier: 'PLATINUM', country: `Z${tag}`, emails: [email], handles: [{ platform: 'TWITTER', handle: `seg${tag}`.toLowerCase() }] });
    const granted = await app.gql(
      `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
      { input: { socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } },
      ['agent'],
    );
    expect(granted.errors).toBeUndefined();
    const filter = { tiers: ['PLATINUM'], country: `Z${tag}` };
    const member = await app.gql(`query($f: SegmentFilter!) { segment(filter: $f) { edges { node { customer { id displayName } identities { handle } } } } }`, { f: filter }, ['marketing']);
    expect(member.errors).toBeUndefined();
    expect(member.data!.segment.edges.map((e: any) => e.node.identities.map((i: any) => i.handle))).toEqual([[`seg${tag}`.toLowerCase()]]);
    for (const selection of ['emails { value }', 'socialIdentities { handle }', 'interactions { totalCount }']) {
      const res = await app.gql(`query($f: SegmentFilter!) { segment(filter: $f) { edges { node { customer { id ${selection} } } } } }`, { f: filter }, ['marketing']);
      expect(res.errors!.map((e) => e.extensions!.code)).toContain('FORBIDDEN');
      expect(JSON.stringify(res.data ?? null)).not.toContain(email);
    }
  });
});
