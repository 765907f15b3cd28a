import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app';

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
