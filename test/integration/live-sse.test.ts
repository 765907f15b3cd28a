import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-sse';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';
import { waitFor } from '../helpers/receiver';
import type { Role } from '../../src/auth/roles';

// Subscriptions over Server-Sent Events, driven by graphql-sse's own client (distinct connections mode).
let app: TestApp;
let url: string;
const clients: Client[] = [];
beforeAll(async () => {
  app = await startTestApp({ live: { maxConnectionsPerSubject: 2 } });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql/stream`;
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await app.close();
});

const ACTIVITY = `subscription($id: ID!) { customerActivity(customerId: $id) { id content } }`;
const QUEUE = `subscription { queueChanged { kind } }`;

interface Run { items: any[]; errors: any[]; completed: boolean; failed: unknown; stop(): void }

function subscribe(token: string | null, query: string, variables?: Record<string, unknown>): Run {
  const client = createClient({ url, retryAttempts: 0, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  clients.push(client);
  const run: Run = { items: [], errors: [], completed: false, failed: undefined, stop: () => undefined };
  run.stop = client.subscribe({ query, variables }, {
    next: (value) => {
      if (value.errors) run.errors.push(...value.errors);
      if (value.data) run.items.push(Object.values(value.data)[0]);
    },
    error: (error) => {
      run.failed = error;
    },
    complete: () => {
      run.completed = true;
    },
  });
  return run;
}

async function record(customerId: string, content: string): Promise<void> {
  const res = await app.gql(`mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`, { input: { idempotencyKey: `sse-${unique()}`, customerId, channel: 'FACEBOOK', content } }, ['ingest']);
  expect(res.errors).toBeUndefined();
}

describe('subscriptions over SSE (/graphql/stream)', () => {
  it('streams a customer\'s activity to a viewer as it commits', async () => {
    const customer = await createCustomer(app.pool);
    const run = subscribe(tokenFor(['viewer'], `sse-${unique()}`), ACTIVITY, { id: customer.id });
    const sent: string[] = [];
    // The stream is open once the server answered; record until the first event arrives.
    for (let k = 0; k < 20 && run.items.length === 0; k++) {
      sent.push(`over SSE ${unique()}`);
      await record(customer.id, sent[sent.length - 1]);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(() => run.items.length > 0, 5000, 'an SSE event');
    expect(sent).toContain(run.items[0].content);
    expect(run.errors).toEqual([]);
    run.stop();
  });

  it('refuses a request without a valid token with 401, before any stream', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: QUEUE }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const expired = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(['agent'], 'x', -60)}` }, body: JSON.stringify({ query: QUEUE }) });
    expect(expired.status).toBe(401);
  });

  it('answers role refusals, queries and invalid documents in the stream, then completes', async () => {
    const cases: [Role, string, string][] = [
      ['marketing', QUEUE, 'FORBIDDEN'],
      ['agent', `{ __typename }`, 'BAD_REQUEST'],
      ['agent', `subscription { nope }`, 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [role, query, code] of cases) {
      const run = subscribe(tokenFor([role], `sse-${unique()}`), query);
      await waitFor(() => run.completed || run.failed !== undefined, 5000, `${role} ${query}`);
      expect([query, run.errors.map((e) => e.extensions?.code)]).toEqual([query, [code]]);
    }
  });

  it('ends the stream with UNAUTHENTICATED when the token expires', async () => {
    const run = subscribe(tokenFor(['agent'], `sse-${unique()}`, 2), QUEUE);
    await waitFor(() => run.completed, 10_000, 'the end of the stream');
    expect(run.errors.map((e) => [e.extensions?.code, e.message])).toEqual([['UNAUTHENTICATED', 'Unauthorized: token expired']]);
  });

  it('counts SSE streams in the connections a token subject may hold', async () => {
    const sub = `sse-${unique()}`;
    const first = subscribe(tokenFor(['agent'], sub), QUEUE);
    const second = subscribe(tokenFor(['agent'], sub), QUEUE);
    await new Promise((r) => setTimeout(r, 300));
    const third = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(['agent'], sub)}` }, body: JSON.stringify({ query: QUEUE }) });
    expect(third.status).toBe(429);
    expect(((await third.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    first.stop();
    second.stop();
  });
});
