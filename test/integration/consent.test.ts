import { createCustomer, unique } from '../helpers/factory';
import { contactPointIds, insertConsentEvents } from '../helpers/consent';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const SET = `mutation($input: SetConsentInput!) { setConsent(input: $input) { purpose status recordedAt source expiresAt } }`;
const IDENTITY = `query($id: ID!, $asOf: DateTime) { customer(id: $id) {
  socialIdentities { id consents(asOf: $asOf) { purpose status expiresAt } consentHistory { purpose status source recordedBy wording expiresAt } }
  emails { id consents(asOf: $asOf) { purpose status } consentHistory { purpose status recordedBy wording } }
} }`;

const marketing = (consents: { purpose: string; status: string }[]) => consents.find((c) => c.purpose === 'MARKETING')!.status;

async function customerWithHandle() {
  const email = `c.${unique()}@example.com`;
  const c = await createCustomer(app.pool, { emails: [email], handles: [{ platform: 'TWITTER', handle: `h${unique()}` }] });
  return { ...c, email, handleId: c.socialIdentityIds[0], emailId: (await contactPointIds(app.pool, c.id))[email] };
}

describe('setConsent', () => {
  it('grants marketing on a handle and records who, where, the wording and the expiry in the history', async () => {
    const c = await customerWithHandle();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await app.gql(SET, {
      input: { socialIdentityId: c.handleId, purpose: 'MARKETING', status: 'GRANTED', source: 'NEWSLETTER_OPT_IN', wording: 'newsletter-v3', expiresAt },
    }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.setConsent).toMatchObject({ purpose: 'MARKETING', status: 'GRANTED', source: 'NEWSLETTER_OPT_IN', expiresAt });
    const read = await app.gql(IDENTITY, { id: c.id }, ['viewer']);
    const identity = read.data!.customer.socialIdentities[0];
    expect(marketing(identity.consents)).toBe('GRANTED');
    expect(identity.consentHistory).toEqual([
      { purpose: 'MARKETING', status: 'GRANTED', source: 'NEWSLETTER_OPT_IN', recordedBy: 'test-user', wording: 'newsletter-v3', expiresAt },
    ]);
  });

  it('withdraws with the same call and role, keeping both events in the history', async () => {
    const c = await customerWithHandle();
    for (const status of ['GRANTED', 'REVOKED']) {
      const res = await app.gql(SET, { input: { socialIdentityId: c.handleId, purpose: 'MARKETING', status, source: 'CHAT' } }, ['agent']);
      expect(res.errors).toBeUndefined();
    }
    const identity = (await app.gql(IDENTITY, { id: c.id }, ['viewer'])).data!.customer.socialIdentities[0];
    expect(marketing(identity.consents)).toBe('REVOKED');
    expect(identity.consentHistory.map((e: { status: string }) => e.status)).toEqual(['GRANTED', 'REVOKED']);
  });

  it('records consent for a contact point, shown in its own history', async () => {
    const c = await customerWithHandle();
    const res = await app.gql(SET, { input: { contactPointId: c.emailId, purpose: 'SERVICE', status: 'DENIED', source: 'SERVICE_CALL' } }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const email = (await app.gql(IDENTITY, { id: c.id }, ['viewer'])).data!.customer.emails[0];
    expect(email.consents.find((x: { purpose: string }) => x.purpose === 'SERVICE').status).toBe('DENIED');
    expect(email.consentHistory).toEqual([{ purpose: 'SERVICE', status: 'DENIED', recordedBy: 'test-user', wording: null }]);
  });

  it.each(['agent', 'ingest', 'supervisor', 'admin'])('lets %s record consent', async (role) => {
    const c = await customerWithHandle();
    const res = await app.gql(SET, { input: { socialIdentityId: c.handleId, purpose: 'PROFILING', status: 'GRANTED', source: 'OTHER' } }, [role as never]);
    expect(res.errors).toBeUndefined();
  });

  it.each(['viewer', 'marketing'])('refuses %s with FORBIDDEN', async (role) => {
    const c = await customerWithHandle();
    const res = await app.gql(SET, { input: { socialIdentityId: c.handleId, purpose: 'MARKETING', status: 'GRANTED', source: 'OTHER' } }, [role as never]);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it.each([
    ['both identity ids', (c: { handleId: string; emailId: string }) => ({ socialIdentityId: c.handleId, contactPointId: c.emailId }), 'input.socialIdentityId'],
    ['no identity id', () => ({}), 'input.socialIdentityId'],
    ['a malformed id', () => ({ socialIdentityId: 'nope' }), 'input.socialIdentityId'],
    ['status UNKNOWN', (c: { handleId: string }) => ({ socialIdentityId: c.handleId, status: 'UNKNOWN' }), 'input.status'],
    ['status EXPIRED', (c: { handleId: string }) => ({ socialIdentityId: c.handleId, status: 'EXPIRED' }), 'input.status'],
    ['an expiry in the past', (c: { handleId: string }) => ({ socialIdentityId: c.handleId, expiresAt: '2020-01-01T00:00:00Z' }), 'input.expiresAt'],
    ['an expiry on a withdrawal', (c: { handleId: string }) => ({ socialIdentityId: c.handleId, status: 'REVOKED', expiresAt: '2099-01-01T00:00:00Z' }), 'input.expiresAt'],
  ])('rejects %s with BAD_USER_INPUT naming the field and writes nothing', async (_name, make, field) => {
    const c = await customerWithHandle();
    const input = { purpose: 'MARKETING', status: 'GRANTED', source: 'OTHER', ...make(c) };
    const res = await app.gql(SET, { input }, ['agent']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const { rows } = await app.pool.query(`SELECT 1 FROM consent_events WHERE customer_id = $1`, [c.id]);
    expect(rows).toHaveLength(0);
  });

  it('answers NOT_FOUND for an identity that does not exist', async () => {
    const res = await app.gql(SET, {
      input: { socialIdentityId: '00000000-0000-4000-8000-000000000000', purpose: 'MARKETING', status: 'GRANTED', source: 'OTHER' },
    }, ['agent']);
    expect(res.errors![0].extensions!.code).toBe('NOT_FOUND');
  });
});

describe('consent state', () => {
  it('is UNKNOWN for every purpose when never asked', async () => {
    const c = await customerWithHandle();
    const identity = (await app.gql(IDENTITY, { id: c.id }, ['viewer'])).data!.customer.socialIdentities[0];
    expect(identity.consents.map((x: { status: string }) => x.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
  });

  it('answers as of a past instant: before the grant, while granted, after the withdrawal', async () => {
    const c = await customerWithHandle();
    const t = (iso: string) => new Date(iso);
    await insertConsentEvents(app.pool, [
      { identityId: c.handleId, status: 'GRANTED', recordedAt: t('2026-03-01T00:00:00Z') },
      { identityId: c.handleId, status: 'REVOKED', recordedAt: t('2026-06-01T00:00:00Z') },
    ]);
    const at = async (asOf: string | null) =>
      marketing((await app.gql(IDENTITY, { id: c.id, asOf }, ['viewer'])).data!.customer.socialIdentities[0].consents);
    expect(await at('2026-02-01T00:00:00Z')).toBe('UNKNOWN');
    expect(await at('2026-04-15T12:00:00Z')).toBe('GRANTED');
    expect(await at('2026-07-01T00:00:00Z')).toBe('REVOKED');
    expect(await at(null)).toBe('REVOKED');
  });

  it('reads a grant past its expiry as EXPIRED, and as GRANTED as of an instant before the expiry', async () => {
    const c = await customerWithHandle();
    await insertConsentEvents(app.pool, [
      { identityId: c.handleId, status: 'GRANTED', recordedAt: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2026-02-01T00:00:00Z') },
    ]);
    const read = async (asOf: string | null) =>
      (await app.gql(IDENTITY, { id: c.id, asOf }, ['viewer'])).data!.customer.socialIdentities[0].consents.find(
        (x: { purpose: string }) => x.purpose === 'MARKETING',
      );
    expect(await read(null)).toMatchObject({ status: 'EXPIRED', expiresAt: '2026-02-01T00:00:00.000Z' });
    expect(await read('2026-01-15T00:00:00Z')).toMatchObject({ status: 'GRANTED' });
  });

  it('orders decisions by when they were recorded, not by when they were written', async () => {
    const c = await customerWithHandle();
    await insertConsentEvents(app.pool, [{ identityId: c.handleId, status: 'GRANTED', recordedAt: new Date('2026-05-01T00:00:00Z') }]);
    await insertConsentEvents(app.pool, [{ identityId: c.handleId, status: 'DENIED', recordedAt: new Date('2026-04-01T00:00:00Z') }]);
    const identity = (await app.gql(IDENTITY, { id: c.id }, ['viewer'])).data!.customer.socialIdentities[0];
    expect(marketing(identity.consents)).toBe('GRANTED');
    const { rows } = await app.pool.query(`SELECT status FROM consent_current WHERE identity_id = $1 AND purpose = 'MARKETING'`, [c.handleId]);
    expect(rows[0].status).toBe('GRANTED');
  });
});
