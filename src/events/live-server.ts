import type http from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, createSourceEventStream, parse, specifiedRules, subscribe, validate, getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import jwt from 'jsonwebtoken';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import { DomainError } from '../graphql/errors';
import { upgradeOriginAllowed } from '../http/cors';
import { LimitError, limitValidationRules, operationCost, type Limits } from '../graphql/limits';
import type { EventBus, StoredEvent } from './event-bus';
import { LiveFeed, type LiveHandle } from './live-feed';
import { answerFor, executionKey, type DeniedEntry, type ExecutionStats, type SharedSubscriber } from './live-execute';

/** Close codes of live connections (docs/live-and-webhooks.md). */
export const LIVE_CLOSE = {
  /** No valid bearer token in connection_init, or the token expired while connected. */
  unauthenticated: 4401,
  /** More open connections for this token subject than LIVE_CONNECTIONS_PER_SUBJECT. */
  tooManyConnections: 4429,
  /** The client did not take its events fast enough: the per-connection buffer is full. */
  slowConsumer: 4413,
  /** Server shutdown (SIGTERM): reconnect to another instance. */
  goingAway: 1001,
} as const;

export interface LiveOptions {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerSubject: number;
  /** Events accepted but not yet sent, over all subscriptions of a connection. */
  maxBufferedEvents: number;
  /** Bytes written to the socket but not yet sent to the client. */
  maxBufferedBytes: number;
  /** Connections of the pool payload reads use (src/app.ts), apart from the pool of queries and writes. */
  poolSize: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  maxSubscriptionsPerConnection: 20,
  maxConnectionsPerSubject: 20,
  maxBufferedEvents: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  poolSize: 4,
};

/** The context of one subscription: what buildContext gives for the token, with the live feed. */
export interface LiveContext {
  viewer: { sub: string; roles: ReadonlySet<string> };
  loaders: unknown;
  live: LiveHandle;
}

export interface LiveDeps<C extends object> {
  server: http.Server;
  path: string;
  schema: GraphQLSchema;
  bus: EventBus;
  limits: Limits;
  logger: Logger;
  options?: Partial<LiveOptions>;
  /** The CORS origin rule (src/http/cors.ts); an upgrade from a page on another origin is refused with 403. Default: any. */
  originAllowed?: (origin: string) => boolean;
  /** Verifies the token exactly like an HTTP request (src/context.ts buildContext); throws when it is not valid. */
  authenticate(authorization: string): Promise<C & { viewer: { sub: string } }>;
  /** New DataLoaders (they cache for their life: one set per batch of events, and per subscription for its start). */
  freshLoaders(): unknown;
}

interface Connection {
  context: { viewer: { sub: string } } & object;
  feed: LiveFeed;
  expiry: NodeJS.Timeout | null;
  counted: string | null;
  accepted: Set<string>;
}

/**
 * GraphQL over WebSocket (graphql-ws, the protocol of Apollo Client's GraphQLWsLink) on the
 * HTTP server and path of /graphql. Subscriptions only (queries and mutations stay on HTTP).
 * Returns `close()` for shutdown: every socket is closed with 1001.
 */
export function attachLiveServer<C extends object>(deps: LiveDeps<C>): { close(): Promise<void>; connections(): number; stats: ExecutionStats } {
  const options = { ...DEFAULT_LIVE_OPTIONS, ...deps.options };
  const originAllowed = deps.originAllowed;
  const wss = new WebSocketServer({
    server: deps.server,
    path: deps.path,
    maxPayload: 64 * 1024,
    // A browser page on an unlisted origin would otherwise reach subscriptions with a token it holds (WebSockets have no CORS).
    verifyClient: originAllowed
      ? (info, done) => (upgradeOriginAllowed(originAllowed, info.origin, info.req.headers.host) ? done(true) : done(false, 403, 'origin not allowed'))
      : undefined,
  });
  const bySocket = new WeakMap<WebSocket, Connection>();
  const perSubject = new Map<string, number>();
  const rules = [...specifiedRules, ...limitValidationRules(deps.limits)];
  /** Each subscription's part in shared executions, by its context (what graphql-ws hands `subscribe`). */
  const subscribers = new WeakMap<object, SharedSubscriber>();
  const stats: ExecutionStats = { executions: 0, payloads: 0 };
  /**
   * The loaders of a batch of events (StoredEvent.batch: read back by one statement). Every read
   * and shared execution of the batch's payloads uses them, so 100 events committed together
   * cost one statement per kind of read, not 100; they see the rows as they are after the
   * batch's commits, as each payload would. Dropped with the batch.
   */
  const batchLoaders = new WeakMap<object, unknown>();
  /**
   * Sockets corked in this turn of the event loop: the frames one connection gets in a turn (the
   * events of a batch) leave in one write, uncorked once the turn's sends are done. On loopback a
   * write costs tens of microseconds, so per frame it was a third of the server's time under load.
   */
  const corked = new Set<Socket>();
  const uncorkAll = () => {
    for (const raw of corked) raw.uncork();
    corked.clear();
  };
  const corkForThisTurn = (socket: WebSocket) => {
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (!raw || corked.has(raw)) return;
    if (corked.size === 0) setImmediate(uncorkAll);
    raw.cork();
    corked.add(raw);
  };
  const loadersOf = (event: StoredEvent): unknown => {
    let loaders = batchLoaders.get(event.batch);
    if (!loaders) batchLoaders.set(event.batch, (loaders = deps.freshLoaders()));
    return loaders;
  };

  const release = (c: Connection) => {
    if (c.expiry) clearTimeout(c.expiry);
    c.feed.close();
    if (c.counted) {
      const n = (perSubject.get(c.counted) ?? 1) - 1;
      if (n <= 0) perSubject.delete(c.counted);
      else perSubject.set(c.counted, n);
      c.counted = null;
    }
  };

  const disposable = useServer<Record<string, unknown>>({
    schema: deps.schema,
    // Our streams send their payloads themselves (executed and serialised once per event and key,
    // src/events/live-execute.ts) and yield nothing: graphql-js's execute per subscriber and event is skipped.
    subscribe: (args) =>
      subscribers.has(args.contextValue as object) ? (createSourceEventStream(args) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>) : subscribe(args),
    connectionInitWaitTimeout: 10_000,
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket;
      const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
      let context: C & { viewer: { sub: string } };
      try {
        if (!token) throw new Error('no bearer token');
        context = await deps.authenticate(`Bearer ${token}`);
      } catch {
        socket.close(LIVE_CLOSE.unauthenticated, 'Unauthorized: connection_init needs { authorization: "Bearer <JWT>" } with a valid token');
        return false;
      }
      const sub = context.viewer.sub;
      const open = perSubject.get(sub) ?? 0;
      if (open >= options.maxConnectionsPerSubject) {
        socket.close(LIVE_CLOSE.tooManyConnections, `Too many live connections for this token subject (${options.maxConnectionsPerSubject})`);
        return false;
      }
      perSubject.set(sub, open + 1);
      const connection: Connection = { context, feed: null as unknown as LiveFeed, expiry: null, counted: sub, accepted: new Set() };
      connection.feed = new LiveFeed(deps.bus, options.maxBufferedEvents, () => {
        socket.close(LIVE_CLOSE.slowConsumer, 'Slow consumer: too many undelivered events');
      });
      // The token was verified above, so its exp is there; the connection ends with it.
      const exp = (jwt.decode(token) as { exp?: number } | null)?.exp;
      if (typeof exp === 'number') {
        const ms = Math.max(0, exp * 1000 - Date.now());
        connection.expiry = setTimeout(() => socket.close(LIVE_CLOSE.unauthenticated, 'Unauthorized: token expired'), Math.min(ms, 2 ** 31 - 1));
      }
      bySocket.set(socket, connection);
      return true;
    },
    onSubscribe: (ctx, id, payload) => {
      const connection = bySocket.get(ctx.extra.socket);
      if (!connection) return [new GraphQLError('not connected', { extensions: { code: 'UNAUTHENTICATED' } })];
      // Subscriptions of this connection that were accepted and are still running (refused ones do not count).
      for (const running of connection.accepted) if (!(running in ctx.subscriptions)) connection.accepted.delete(running);
      if (connection.accepted.size >= options.maxSubscriptionsPerConnection) {
        return [limitError(`at most ${options.maxSubscriptionsPerConnection} subscriptions per connection`, 'RATE_LIMITED')];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: deps.limits.maxTokens });
      } catch (error) {
        return [error instanceof GraphQLError ? error : new GraphQLError('could not parse the document')];
      }
      const errors = validate(deps.schema, document, rules);
      if (errors.length > 0) return errors;
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) return [new GraphQLError('no operation to run', { extensions: { code: 'BAD_REQUEST' } })];
      if (operation.operation !== 'subscription') {
        return [new GraphQLError('only subscriptions run over WebSocket; send queries and mutations to POST /graphql', { extensions: { code: 'BAD_REQUEST' } })];
      }
      try {
        const cost = operationCost(deps.schema, document, payload.operationName ?? undefined, payload.variables ?? undefined);
        if (cost > deps.limits.maxCost) return [limitError(`query cost ${cost} is over the limit of ${deps.limits.maxCost}`)];
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
      }
      // The graphql-ws Next message around a shared payload's JSON, sent in commit order (not awaiting each write).
      const next = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      const socket = ctx.extra.socket;
      const send = (message: string) => {
        if (socket.readyState !== socket.OPEN) return;
        // Too much unsent on the socket: the client is not reading.
        if (socket.bufferedAmount > options.maxBufferedBytes) return socket.close(LIVE_CLOSE.slowConsumer, 'Slow consumer: too many unsent bytes');
        corkForThisTurn(socket);
        socket.send(message);
      };
      const viewer = connection.context.viewer as LiveContext['viewer'];
      const services = (connection.context as { services?: { audit: object } }).services;
      // Loaders of the subscription's start (the resolver checks its arguments); payloads read with their batch's.
      let loaders: unknown = null;
      const contextValue = {
        ...(connection.context as Record<string, unknown>),
        viewer,
        get loaders() {
          return (loaders ??= deps.freshLoaders());
        },
        live: {
          stream: <T>(accept: (event: StoredEvent) => boolean, read: (event: StoredEvent, loaders: unknown) => Promise<T | null>) =>
            connection.feed.deliver(accept, (event) => answerFor(event, subscriber, (e) => read(e, loadersOf(e)), (json) => next + json + '}', stats), send) as AsyncIterable<T>,
        } satisfies LiveHandle,
      } as LiveContext & Record<string, unknown>;
      const args: ExecutionArgs = { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      const subscriber: SharedSubscriber = {
        key: executionKey(payload.query, payload.operationName, payload.variables, viewer.roles),
        args,
        sharedContext: (recordDenied, event) => ({
          ...(connection.context as Record<string, unknown>),
          viewer: sharedViewer(viewer.roles),
          loaders: loadersOf(event),
          // The auth checker audits a refused field through services.audit: collected here, then written per subscriber.
          services: services && { ...services, audit: Object.assign(Object.create(services.audit), { recordDenied }) },
          live: undefined,
        }),
        recordDenied: (entry: DeniedEntry) =>
          (services?.audit as { recordDenied?(e: object): Promise<void> } | undefined)?.recordDenied?.({ ...entry, actor: viewer, requestId: contextValue.requestId }) ?? Promise.resolve(),
        formatError: (error) => formatLiveError(error, deps.logger),
        audited: new Map(),
      };
      subscribers.set(contextValue, subscriber);
      connection.accepted.add(id);
      return args;
    },
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!result.errors) return;
      return { ...result, errors: result.errors.map((e) => formatLiveError(e, deps.logger)) };
    },
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatLiveError(e, deps.logger)),
    onClose: (ctx) => {
      const connection = bySocket.get(ctx.extra.socket);
      if (connection) release(connection);
    },
  }, wss);

  return {
    connections: () => wss.clients.size,
    stats,
    async close() {
      const feeds: LiveFeed[] = [];
      for (const socket of wss.clients) {
        const connection = bySocket.get(socket);
        if (connection) {
          release(connection);
          feeds.push(connection.feed);
        }
        socket.close(LIVE_CLOSE.goingAway, 'Server shutting down');
      }
      // Payload reads already started finish before the caller closes the database pool.
      await Promise.all(feeds.map((feed) => feed.settled()));
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The viewer of a shared execution: its roles decide field rules; who it is may not matter
 * (the answer goes to every subscriber with these roles), so reading `sub` fails loudly.
 */
function sharedViewer(roles: ReadonlySet<string>): LiveContext['viewer'] {
  return {
    roles,
    get sub(): string {
      throw new Error('a live payload is shared by every subscriber with the same roles: its fields may not depend on viewer.sub');
    },
  };
}

function limitError(message: string, code: 'QUERY_TOO_COMPLEX' | 'RATE_LIMITED' = 'QUERY_TOO_COMPLEX'): GraphQLError {
  return new LimitError(message, code);
}

/**
 * Like the HTTP formatError: domain and limit errors keep their code (FORBIDDEN, NOT_FOUND,
 * QUERY_TOO_COMPLEX, ...), a parse or validation error is GRAPHQL_VALIDATION_FAILED, anything
 * else is INTERNAL_SERVER_ERROR with no detail.
 */
function formatLiveError(error: GraphQLError, logger: Logger) {
  const original = error.originalError;
  const base = { message: error.message, locations: error.locations, path: error.path };
  if (original instanceof DomainError) return { ...base, extensions: { code: original.code, ...original.details } };
  if (original instanceof LimitError) return { ...base, extensions: { code: original.extensions.code } };
  if (typeof error.extensions?.code === 'string') return { ...base, extensions: { code: error.extensions.code } };
  if (!original) return { ...base, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  logger.error({ err: original, path: error.path }, 'unexpected error in a subscription');
  return { message: 'Internal server error', path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
