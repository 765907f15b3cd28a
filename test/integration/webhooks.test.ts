import { createCustomer } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { Receiver, waitFor } from '../helpers/receiver';
import { verify } from '../../src/webhooks/webhook-signature';
import type { WorkerOptions } from '../../src/webhooks/delivery-worker';

// Webhook deliveries go to every matching webhook of the database: a scratch database keeps
// the events of other test files out of these receivers.
let scratch: { url: string; drop(): Promise<void> };
const apps: TestApp[] = [];
const FAST: Partial<WorkerOptions> = { pollMs: 30, baseBackoffMs: 40, maxBackoffMs: 300, timeoutMs: 2000, concurrency: 3 };

async function start(worker: false | Partial<WorkerOptions> = FAST): Promise<TestApp> {
  const app = await startTestApp({ url: scratch.url, webhooks: { worker } });
  apps.push(app);
  return app;
}
async function stop(app: TestApp) {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
});
afterAll(async () => {
  for (const app of [...apps]) await app.close();
  await scratch.drop();
});

const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id url events active secret createdAt } }`;
const SET_TIER = `mutation($id: ID!, $tier: Tier!) { setTier(customerId: $id, tier: $tier) { id } }`;
const DELIVERIES = `query { webhooks { id secret deliveries(first: 50) { totalCount edges { node { eventId eventType attempts lastStatus lastError deliveredAt nextAttemptAt } } } } }`;

async function register(app: TestApp, url: string, events = ['TIER_CHANGED']) {
  const res = await app.gql(REGISTER, { input: { url, events } }, ['admin']);
  expect(res.errors).toBeUndefined();
  return res.data!.registerWebhook as { id: string; secret: string };
}

/** `n` TIER_CHANGED events of one customer, alternating GOLD and SILVER. */
async function tierChanges(app: TestApp, n: number): Promise<string> {
  const c = await createCustomer(app.pool);
  for (let k = 0; k < n; k++) {
    const res = await app.gql(SET_TIER, { id: c.id, tier: k % 2 === 0 ? 'GOLD' : 'SILVER' }, ['supervisor']);
    expect(res.errors).toBeUndefined();
  }
  return c.id;
}

async function eventIdsOf(app: TestApp, customerId: string): Promise<string[]> {
  const { rows } = await app.pool.query(`SELECT id FROM outbox_events WHERE customer_id = $1 ORDER BY seq`, [customerId]);
  return rows.map((r) => r.id);
}

async function deliveries(app: TestApp, webhookId: string) {
  const res = await app.gql(DELIVERIES, {}, ['admin']);
  expect(res.errors).toBeUndefined();
  return res.data!.webhooks.find((w: any) => w.id === webhookId).deliveries.edges.map((e: any) => e.node);
}

async function unregister(app: TestApp, id: string) {
  expect((await app.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id }, ['admin'])).data!.deleteWebhook).toBe(true);
}

describe('webhooks', () => {
  it('registers with a secret shown once and stored encrypted; lists without it; deletes', async () => {
    const app = await start(false);
    const hook = await register(app, 'http://127.0.0.1:9/hook', ['CUSTOMER_MERGED', 'CUSTOMER_ERASED']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const listed = await app.gql(`query { webhooks { id url events active secret } }`, {}, ['admin']);
    expect(listed.data!.webhooks).toContainEqual({ id: hook.id, url: 'http://127.0.0.1:9/hook', events: ['CUSTOMER_MERGED', 'CUSTOMER_ERASED'], active: true, secret: null });
    const { rows } = await app.pool.query(`SELECT secret_ciphertext FROM webhooks WHERE id = $1`, [hook.id]);
    expect(rows[0].secret_ciphertext).not.toContain(hook.secret.slice(6));
    expect((await app.gql(`query { webhooks { id } }`, {}, ['supervisor'])).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(REGISTER, { input: { url: 'ftp://example.com/x', events: ['TIER_CHANGED'] } }, ['admin'])).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect((await app.gql(REGISTER, { input: { url: 'https://example.com/x', events: [] } }, ['admin'])).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    await unregister(app, hook.id);
    expect((await app.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id }, ['admin'])).data!.deleteWebhook).toBe(false);
    await stop(app);
  });

  it('delivers signed JSON POSTs of the chosen types; a bad signature is detectable', async () => {
    const receiver = await new Receiver().start();
    const app = await start();
    const hook = await register(app, receiver.url, ['TIER_CHANGED']);
    const customerId = await tierChanges(app, 2);
    await app.gql(`mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }`, { s: customerId, m: (await createCustomer(app.pool)).id }, ['supervisor']);
    const ids = await eventIdsOf(app, customerId);
    await waitFor(() => receiver.received.length >= 2, 10_000, 'two deliveries');
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.map((r) => r.json.id)).toEqual(ids.slice(0, 2)); // the merge was not subscribed
    const first = receiver.received[0];
    expect(first.json).toMatchObject({ type: 'TIER_CHANGED', data: { customerId, tier: 'GOLD', previousTier: 'NONE' } });
    expect(Date.parse(first.json.occurredAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'x-crm-event-id': ids[0], 'x-crm-event-type': 'TIER_CHANGED', 'x-crm-webhook-id': hook.id });
    const ts = first.headers['x-crm-timestamp'] as string;
    const sig = first.headers['x-crm-signature'] as string;
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verify(hook.secret, first.body, ts, sig)).toBe(true);
    expect(verify(hook.secret, first.body.replace('GOLD', 'PLATINUM'), ts, sig)).toBe(false);
    expect(verify('whsec_wrong', first.body, ts, sig)).toBe(false);
    expect(verify(hook.secret, first.body, ts, sig, Date.now() + 6 * 60_000)).toBe(false); // a replay after 5 minutes
    const seen = await deliveries(app, hook.id);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null });
    expect(seen[0].deliveredAt).not.toBeNull();
    await unregister(app, hook.id);
    await stop(app);
    await receiver.stop();
  });

  it('a receiver down for a while gets every event once it is up, once each, in order', async () => {
    const receiver = await new Receiver().start();
    await receiver.stop(); // the port is known and closed: connections are refused
    const app = await start();
    const hook = await register(app, receiver.url);
    const customerId = await tierChanges(app, 6);
    await waitFor(async () => (await deliveries(app, hook.id)).some((d: any) => d.attempts >= 2), 10_000, 'retries');
    const failing = await deliveries(app, hook.id);
    expect(failing.every((d: any) => d.deliveredAt === null)).toBe(true);
    expect(failing.find((d: any) => d.attempts >= 2).lastError).toMatch(/ECONNREFUSED/);
    await receiver.start();
    const ids = await eventIdsOf(app, customerId);
    await waitFor(() => receiver.received.length >= 6, 15_000, 'all six');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.map((r) => r.json.id)).toEqual(ids);
    await unregister(app, hook.id);
    await stop(app);
    await receiver.stop();
  });

  it('4xx stops retrying; 5xx and 408 are retried; 429 waits for Retry-After', async () => {
    const receiver = await new Receiver().start();
    const app = await start();
    const byCustomer = new Map<string, number[]>();
    receiver.behaviour = (r) => {
      const answers = byCustomer.get(r.json.data.customerId) ?? [];
      const status = answers.shift() ?? 200;
      byCustomer.set(r.json.data.customerId, answers);
      return status === 429 ? { status, headers: { 'retry-after': '1' } } : status;
    };
    const hook = await register(app, receiver.url);
    const gone = (await createCustomer(app.pool)).id;
    const flaky = (await createCustomer(app.pool)).id;
    const limited = (await createCustomer(app.pool)).id;
    byCustomer.set(gone, [400]);
    byCustomer.set(flaky, [503, 408, 500]);
    byCustomer.set(limited, [429]);
    for (const id of [gone, flaky, limited]) await app.gql(SET_TIER, { id, tier: 'GOLD' }, ['supervisor']);
    const started = Date.now();
    await waitFor(async () => (await deliveries(app, hook.id)).filter((d: any) => d.deliveredAt).length === 2, 10_000, 'two delivered');
    const all = await deliveries(app, hook.id);
    const of = async (customerId: string) => {
      const [eventId] = await eventIdsOf(app, customerId);
      return all.find((d: any) => d.eventId === eventId);
    };
    expect(await of(gone)).toMatchObject({ attempts: 1, lastStatus: 400, deliveredAt: null, nextAttemptAt: null });
    expect((await of(gone)).lastError).toMatch(/not retried/);
    expect(await of(flaky)).toMatchObject({ attempts: 4, lastStatus: 200 });
    expect(await of(limited)).toMatchObject({ attempts: 2, lastStatus: 200 });
    const limitedTries = receiver.received.filter((r) => r.json.data.customerId === limited);
    expect(Number(limitedTries[1].headers['x-crm-timestamp']) - Number(limitedTries[0].headers['x-crm-timestamp'])).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await unregister(app, hook.id);
    await stop(app);
    await receiver.stop();
  });

  it('a restart in the middle of deliveries loses nothing and re-sends nothing acknowledged; a timeout is retried', async () => {
    const receiver = await new Receiver().start();
    let hold = true;
    receiver.behaviour = (_r, n) => (hold && n === 4 ? 'hang' : 200);
    const first = await start({ ...FAST, concurrency: 1 });
    const hook = await register(first, receiver.url);
    const customerId = await tierChanges(first, 10);
    const ids = await eventIdsOf(first, customerId);
    await waitFor(() => receiver.received.length === 4, 10_000, 'the fourth delivery to be in flight');
    await stop(first); // mid-delivery: the fourth was sent, never answered
    hold = false;
    const second = await start({ ...FAST, concurrency: 2 });
    await waitFor(() => receiver.received.filter((r) => r.answered === 200).length >= 10, 15_000, 'all ten acknowledged');
    await new Promise((r) => setTimeout(r, 300));
    const acknowledged = receiver.received.filter((r) => r.answered === 200).map((r) => r.json.id);
    expect(acknowledged).toEqual(ids); // each once, in order
    expect(receiver.received.map((r) => r.json.id)).toEqual([...ids.slice(0, 4), ...ids.slice(3)]); // only the unanswered one twice
    const rows = await deliveries(second, hook.id);
    expect(rows.every((d: any) => d.deliveredAt !== null)).toBe(true);

    // A receiver that never answers times out and is retried.
    let hang = true;
    receiver.behaviour = () => (hang ? 'hang' : 200);
    await stop(second);
    const third = await start({ ...FAST, timeoutMs: 200 });
    const late = await tierChanges(third, 1);
    await waitFor(async () => (await deliveries(third, hook.id)).some((d: any) => /ETIMEDOUT|no answer/.test(d.lastError ?? '')), 10_000, 'a timeout');
    hang = false;
    const [lateId] = await eventIdsOf(third, late);
    await waitFor(() => receiver.received.some((r) => r.json.id === lateId && r.answered === 200), 10_000, 'the late one');
    await unregister(third, hook.id);
    await stop(third);
    await receiver.stop();
  });
});
