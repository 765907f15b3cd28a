import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The subscribers of bench/live.ts, in their own process (forked), so that receiving 10,000
 * messages a second does not hold up the event loop that times the writes. Receives one
 * SubscribersSetup, answers { ready } once every subscription is open, then on 'collect'
 * answers the receipts and closes every connection; exits on disconnect.
 */
export interface SubscribersSetup {
  port: number;
  /** One token per subscriber: even slots agents on queueChanged, odd slots viewers on customerActivity. */
  tokens: string[];
  /** The customer each viewer follows (null for agents), by slot. */
  followed: (string | null)[];
}

export interface Receipts {
  /** By subscriber: interaction ids and when each arrived (ms since the epoch, this machine's clock). */
  ids: string[][];
  at: number[][];
  errors: number;
  firstError?: string;
  closedEarly: number;
}

let clients: ReturnType<typeof createClient>[] = [];
let receipts: Map<string, number>[] = [];
let errors: unknown[] = [];
let closedEarly = 0;
let disposing = false;

function open(setup: SubscribersSetup): void {
  setup.tokens.forEach((token, s) => {
    const customerId = setup.followed[s];
    const client = createClient({
      url: `ws://127.0.0.1:${setup.port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` },
      on: { closed: () => void (closedEarly += disposing ? 0 : 1) },
    });
    clients.push(client);
    const got = new Map<string, number>();
    receipts.push(got);
    const query = customerId === null ? `subscription { queueChanged { kind interactionId } }` : `subscription($id: ID!) { customerActivity(customerId: $id) { id } }`;
    client.subscribe({ query, variables: customerId ? { id: customerId } : {} }, {
      next: (v) => {
        const now = performance.timeOrigin + performance.now();
        const data = v.data as any;
        if (data?.queueChanged?.kind === 'ADDED') got.set(data.queueChanged.interactionId, now);
        if (data?.customerActivity) got.set(data.customerActivity.id, now);
        if (v.errors) errors.push(v.errors);
      },
      error: (e) => errors.push(e),
      complete: () => undefined,
    });
  });
}

process.on('message', (message: SubscribersSetup | 'collect') => {
  if (message !== 'collect') {
    open(message);
    // graphql-ws opens lazily on subscribe; give every connection time to be acknowledged and subscribed.
    setTimeout(() => process.send!({ ready: true }), 1500 + message.tokens.length * 5);
    return;
  }
  const out: Receipts = {
    ids: receipts.map((r) => [...r.keys()]), at: receipts.map((r) => [...r.values()]),
    errors: errors.length, firstError: errors.length ? JSON.stringify(errors[0]).slice(0, 400) : undefined, closedEarly,
  };
  disposing = true;
  void Promise.all(clients.map((c) => c.dispose())).then(() => {
    clients = [];
    receipts = [];
    errors = [];
    closedEarly = 0;
    disposing = false;
    process.send!(out);
  });
});
process.on('disconnect', () => process.exit(0));
