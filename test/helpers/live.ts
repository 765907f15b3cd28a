import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export function wsUrl(server: Server): string {
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

export interface LiveClient {
  client: Client;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): Subscription;
  dispose(): Promise<void>;
}

export interface Subscription {
  items: any[];
  errors: any[];
  completed: boolean;
  stop(): void;
}

/** A graphql-ws client (the protocol of Apollo's GraphQLWsLink) with a bearer token in connection_init. */
export function liveClient(server: Server, token: string | null): LiveClient {
  let onClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const client = createClient({
    url: wsUrl(server),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason?: string }).reason ?? '') }) },
  });
  return {
    client,
    closed,
    subscribe(query, variables) {
      const sub: Subscription = { items: [], errors: [], completed: false, stop: () => undefined };
      sub.stop = client.subscribe({ query, variables }, {
        next: (value) => {
          if (value.errors) sub.errors.push(...value.errors);
          if (value.data) sub.items.push(Object.values(value.data)[0]);
        },
        error: (error) => sub.errors.push(...(Array.isArray(error) ? error : [error])),
        complete: () => {
          sub.completed = true;
        },
      });
      return sub;
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** A raw socket that sends connection_init with `payload`; resolves with the close code (or 'acked'). */
export function rawInit(server: Server, payload: Record<string, unknown>): Promise<{ code: number; reason: string } | 'acked'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(server), 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload })));
    ws.on('message', (m) => {
      if (JSON.parse(String(m)).type === 'connection_ack') {
        resolve('acked');
        ws.close();
      }
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Waits until a subscription is live on the server: graphql-ws acknowledges the connection first, then subscribes. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
