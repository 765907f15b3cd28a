import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { unique } from '../helpers/factory';
import { Receiver, waitFor, type Received } from '../helpers/receiver';
import type { WorkerOptions } from '../../src/webhooks/delivery-worker';

// Deliveries go to every matching webhook of the database: a scratch database keeps other test
// files' events out of these receivers, and the writes are made with no worker running, so
// every delivery happens after all of them (a withdrawal lands between event and delivery).
let scratch: { url: string; drop(): Promise<void> };
let writer: TestApp;
const FAST: Partial<WorkerOptions> = { pollMs: 30, baseBackoffMs: 40, maxBackoffMs: 300, timeoutMs: 2000, concurrency: 2 };

beforeAll(async () => {
  scratch = await createScratchDatabase();
  writer = await startTestApp({ url: scratch.url, webhooks: { worker: false } });
});
afterAll(async () => {
  await writer.close();
  await scratch.drop();
});

const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id purpose } }`;
const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id emails { id } phones { id } socialIdentities { id } } }`;
const SET_CONSENT = `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`;
const AUDIT = `query($action: String) { auditLog(action: $action, first: 50) { edges { node { actor action details } } } }`;

interface Person { id: string; email: string; phone: string; handle: string; emails: { id: string }[]; phones: { id: string }[]; socialIdentities: { id: string }[] }

/** A customer given at one touchpoint an email, a phone and a Twitter handle, with a MARKETING decision for all (or only the email). */
async function person(status: 'GRANTED' | 'DENIED' | null, onlyEmail = false): Promise<Person> {
  const u = unique();
  const email = `wp.${u}@example.com`;
  const handle = `wp_${u}`;
  const phone = `+1313555${String(parseInt(u, 16) % 10_000).padStart(4, '0')}`;
  const res = await writer.gql(TOUCHPOINT, {
    input: {
      touchpoint: 'NEWSLETTER_OPT_IN', emails: [email], phones: [{ number: phone }], handles: [{ platform: 'TWITTER', handle }],
      consents: status === null ? [] : [{ purpose: 'MARKETING', status, ...(onlyEmail ? { identifier: { email } } : {}) }],
    },
  }, ['agent']);
  expect(res.errors).toBeUndefined();
  return { email, phone, handle, ...res.data!.recordTouchpoint };
}

async function revokeAll(p: Person): Promise<void> {
  const ids = [...[...p.emails, ...p.phones].map((c) => ({ contactPointId: c.id })), ...p.socialIdentities.map((s) => ({ socialIdentityId: s.id }))];
  for (const id of ids) {
    const res = await writer.gql(SET_CONSENT, { input: { ...id, purpose: 'MARKETING', status: 'REVOKED', source: 'OTHER' } }, ['agent']);
    expect(res.errors).toBeUndefined();
  }
}

/** The IDENTITY_LINKED delivery of one customer to one webhook. */
function linked(received: Received[], webhookId: string, customerId: string): Received {
  const r = received.find((x) => x.headers['x-crm-webhook-id'] === webhookId && x.json.type === 'IDENTITY_LINKED' && x.json.data.customerId === customerId);
  if (!r) throw new Error(`no IDENTITY_LINKED of ${customerId} for ${webhookId}`);
  return r;
}

/** Whether any of the person's identifiers (email, the phone's digits, handle) is anywhere in the raw body. */
function carries(body: string, p: Person): string[] {
  return [p.email, p.phone.slice(-7), p.handle].filter((v) => body.includes(v));
}

describe('webhook purpose', () => {
  it('identifiers reach a webhook only where its purpose is granted at delivery, one by one; with no purpose never', async () => {
    const receiver = await new Receiver().start();
    const marketing = (await writer.gql(REGISTER, { input: { url: receiver.url, events: ['IDENTITY_LINKED', 'CONSENT_CHANGED'], purpose: 'MARKETING' } }, ['admin'])).data!.registerWebhook;
    const idsOnly = (await writer.gql(REGISTER, { input: { url: receiver.url, events: ['IDENTITY_LINKED'] } }, ['admin'])).data!.registerWebhook;
    expect([marketing.purpose, idsOnly.purpose]).toEqual(['MARKETING', null]);

    const refused = await person('DENIED');
    const noDecision = await person(null);
    const granted = await person('GRANTED');
    const emailOnly = await person('GRANTED', true);
    const withdrawn = await person('GRANTED');
    await revokeAll(withdrawn); // after the event, before any delivery

    const app = await startTestApp({ url: scratch.url, webhooks: { worker: FAST } });
    try {
      const people = [refused, noDecision, granted, emailOnly, withdrawn];
      await waitFor(() => people.every((p) => receiver.received.some((r) => r.json.type === 'IDENTITY_LINKED' && r.json.data.customerId === p.id && r.headers['x-crm-webhook-id'] === idsOnly.id))
        && people.every((p) => receiver.received.some((r) => r.json.type === 'IDENTITY_LINKED' && r.json.data.customerId === p.id && r.headers['x-crm-webhook-id'] === marketing.id)), 15_000, 'the deliveries');

      // Granted: every identifier, as linked.
      const full = linked(receiver.received, marketing.id, granted.id);
      expect(full.json.data.identifiers).toEqual(expect.arrayContaining([
        { kind: 'EMAIL', value: granted.email }, { kind: 'SOCIAL', platform: 'TWITTER', handle: granted.handle },
      ]));
      expect(full.json.data.identifiers).toHaveLength(3);
      expect(carries(full.body, granted)).toEqual([granted.email, granted.phone.slice(-7), granted.handle]);

      // Granted for the email only: the email, not the phone or the handle.
      const some = linked(receiver.received, marketing.id, emailOnly.id);
      expect(some.json.data.identifiers).toEqual([{ kind: 'EMAIL', value: emailOnly.email }]);
      expect(carries(some.body, emailOnly)).toEqual([emailOnly.email]);

      // Refused, never asked, withdrawn before delivery: ids only.
      for (const p of [refused, noDecision, withdrawn]) {
        const r = linked(receiver.received, marketing.id, p.id);
        expect(r.json.data).toMatchObject({ customerId: p.id, identifiers: [] });
        expect(r.json.data.contactPointIds).toHaveLength(2);
        expect(carries(r.body, p)).toEqual([]);
      }
      // No purpose: no identifiers, even of the customer who granted MARKETING.
      for (const p of people) expect(carries(linked(receiver.received, idsOnly.id, p.id).body, p)).toEqual([]);
      // Consent events name identities by id only, whatever the purpose. They are delivered
      // in their own time (the wait above is for IDENTITY_LINKED only): wait for one.
      const isConsent = (r: Received) => r.json.type === 'CONSENT_CHANGED' && r.json.data.customerId === withdrawn.id;
      await waitFor(() => receiver.received.some(isConsent), 15_000, 'a consent event');
      const consent = receiver.received.find(isConsent)!;
      expect(Object.keys(consent.json.data).sort()).toEqual(['contactPointId', 'customerId', 'expiresAt', 'purpose', 'socialIdentityId', 'source', 'status']);
    } finally {
      await app.close();
      await receiver.stop();
    }
  });

  it('registration and deletion are audited with who, which webhook, where to and for what; the URL\'s path is not logged', async () => {
    const url = `http://127.0.0.1:9/hook/${unique()}?token=receiver-secret`;
    const hook = (await writer.gql(REGISTER, { input: { url, events: ['TIER_CHANGED'], purpose: 'SERVICE' } }, ['admin'])).data!.registerWebhook;
    expect((await writer.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id }, ['admin'])).data!.deleteWebhook).toBe(true);
    expect((await writer.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id }, ['admin'])).data!.deleteWebhook).toBe(false);
    const entries = async (action: string) => {
      const res = await writer.gql(AUDIT, { action }, ['admin']);
      expect(res.errors).toBeUndefined();
      return res.data!.auditLog.edges.map((e: any) => e.node).filter((n: any) => n.details.webhookId === hook.id);
    };
    expect(await entries('WEBHOOK_REGISTERED')).toEqual([{
      actor: 'test-user', action: 'WEBHOOK_REGISTERED', details: { webhookId: hook.id, host: '127.0.0.1:9', events: ['TIER_CHANGED'], purpose: 'SERVICE' },
    }]);
    expect(await entries('WEBHOOK_DELETED')).toEqual([{ actor: 'test-user', action: 'WEBHOOK_DELETED', details: { webhookId: hook.id, host: '127.0.0.1:9', purpose: 'SERVICE' } }]); // once: the second delete found none
    const { rows } = await writer.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%receiver-secret%'`);
    expect(rows[0].n).toBe(0);
  });

  it('a refused registration writes neither a webhook nor an audit entry; only admins register', async () => {
    const count = async () => (await writer.pool.query(`SELECT (SELECT count(*) FROM webhooks)::int AS w, (SELECT count(*) FROM audit_log WHERE action = 'WEBHOOK_REGISTERED')::int AS a`)).rows[0];
    const before = await count();
    const bad = await writer.gql(REGISTER, { input: { url: 'ftp://example.com/x', events: ['TIER_CHANGED'], purpose: 'MARKETING' } }, ['admin']);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    for (const role of ['marketing', 'supervisor', 'agent', 'ingest'] as const) {
      const res = await writer.gql(REGISTER, { input: { url: 'http://127.0.0.1:9/hook', events: ['TIER_CHANGED'], purpose: role === 'marketing' ? 'MARKETING' : 'SERVICE' } }, [role]);
      expect([role, res.errors![0].extensions!.code]).toEqual([role, 'FORBIDDEN']);
    }
    expect(await count()).toEqual(before);
  });
});
