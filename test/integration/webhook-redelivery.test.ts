import { createCustomer } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { Receiver, waitFor } from '../helpers/receiver';

// A scratch database: the webhook gets every TIER_CHANGED of its database, and counts must be exact.
let scratch: { url: string; drop(): Promise<void> };
let app: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  scratch = await createScratchDatabase();
  app = await startTestApp({ url: scratch.url, webhooks: { worker: { pollMs: 30, baseBackoffMs: 40, maxBackoffMs: 300, timeoutMs: 2000 } } });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await app?.close();
  await receiver?.stop();
  await scratch?.drop();
});

const REDELIVER = `mutation($id: ID!, $since: DateTime!) { redeliverWebhookEvents(webhookId: $id, since: $since) }`;

async function tierChange(customerId: string, tier: string): Promise<void> {
  const res = await app.gql(`mutation($id: ID!, $tier: Tier!) { setTier(customerId: $id, tier: $tier) { id } }`, { id: customerId, tier }, ['supervisor']);
  expect(res.errors).toBeUndefined();
}

describe('redeliverWebhookEvents', () => {
  it('queues again every event of the webhook since a time, with the same event ids, audited', async () => {
    const registered = await app.gql(`mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`, { input: { url: receiver.url, events: ['TIER_CHANGED'] } }, ['admin']);
    const webhookId = registered.data!.registerWebhook.id as string;
    const before = await createCustomer(app.pool);
    await tierChange(before.id, 'GOLD');
    await waitFor(() => receiver.received.length === 1, 10_000, 'the event before `since`');
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date();
    const after = await createCustomer(app.pool);
    await tierChange(after.id, 'GOLD');
    await tierChange(after.id, 'SILVER');
    await waitFor(() => receiver.received.length === 3, 10_000, 'the events since');
    const sinceIds = receiver.received.slice(1).map((r) => r.json.id);

    const res = await app.gql(REDELIVER, { id: webhookId, since: since.toISOString() }, ['admin']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.redeliverWebhookEvents).toBe(2);
    await waitFor(() => receiver.received.length === 5, 10_000, 'the redelivered events');
    // Same ids (receivers deduplicate on them), in event order.
    expect(receiver.received.slice(3).map((r) => r.json.id)).toEqual(sinceIds);
    await waitFor(async () => (await app.pool.query(`SELECT 1 FROM webhook_deliveries WHERE state = 'PENDING'`)).rowCount === 0, 10_000, 'marked delivered');
    const { rows } = await app.pool.query(`SELECT actor, subject, details FROM audit_log WHERE action = 'WEBHOOK_EVENTS_REDELIVERED'`);
    expect(rows).toEqual([{ actor: 'test-user', subject: webhookId, details: { since: since.toISOString(), queued: 2 } }]);
  });

  it('refuses an unknown webhook, a future time or a bad id, and writes nothing', async () => {
    const { rows: [{ n: audited }] } = await app.pool.query(`SELECT count(*)::int AS n FROM audit_log`);
    const unknown = await app.gql(REDELIVER, { id: '00000000-0000-4000-8000-000000000000', since: '2026-01-01T00:00:00Z' }, ['admin']);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const { rows: [{ id: webhookId }] } = await app.pool.query(`SELECT id FROM webhooks LIMIT 1`);
    const future = await app.gql(REDELIVER, { id: webhookId, since: new Date(Date.now() + 3600_000).toISOString() }, ['admin']);
    expect(future.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await app.gql(REDELIVER, { id: 'webhook-1', since: '2026-01-01T00:00:00Z' }, ['admin']);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const { rows: [{ n }] } = await app.pool.query(`SELECT count(*)::int AS n FROM audit_log`);
    expect(n).toBe(audited);
    const { rows: pending } = await app.pool.query(`SELECT 1 FROM webhook_deliveries WHERE state = 'PENDING'`);
    expect(pending).toEqual([]);
  });
});
