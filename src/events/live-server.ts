import type http from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, NoSchemaIntrospectionCustomRule, createSourceEventStream, parse, specifiedRules, subscribe, validate, getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import { createErrorFormatter, LimitError, limitValidationRules, operationCost, type Limits } from '../graphql';
import { upgradeOriginAllowed } from '../http';
import type { EventBus, StoredEvent } from './event-bus';
import { LiveFeed, type LiveHandle } from './live-feed';
import { afterSends } from './fan-out';
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
  /** As Apollo over HTTP in production: no introspection, no "Did you mean" hints in validation errors. */
  production?: boolean;
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
export function attachLiveServer<C extends object>(deps: LiveDeps<C>): { close(): Promise<void>; connections(): number; stats: ExecutionStats; stream: RequestHandler } {
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
  const rules = [...specifiedRules, ...limitValidationRules(deps.limits), ...(deps.production ? [NoSchemaIntrospectionCustomRule] : [])];
  const formatLiveError = liveErrorFormatter(deps.logger);
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
   * Sockets corked while a fan-out runs: the frames one connection gets from it (the events of a
   * batch, over several slices) leave in one write, uncorked once its sends are done
   * (src/events/fan-out.ts). On loopback a write costs tens of microseconds, so per frame it was
   * a third of the server's time under load.
   */
  const corked = new Set<Socket>();
  const uncorkAll = () => {
    for (const raw of corked) raw.uncork();
    corked.clear();
  };
  const corkUntilSent = (socket: WebSocket) => {
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (!raw || corked.has(raw)) return;
    if (corked.size === 0) afterSends(uncorkAll);
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

  /**
   * A live connection for a bearer token, whatever carries it (a WebSocket, an SSE response):
   * the token verified like HTTP's, the subject's connection count, a feed of events, and the
   * end of the token's life. `close` ends the transport with one of LIVE_CLOSE's codes.
   */
  const open = async (header: unknown, close: (code: number, reason: string) => void): Promise<Connection | { code: number; reason: string }> => {
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
    let context: C & { viewer: { sub: string } };
    try {
      if (!token) throw new Error('no bearer token');
      context = await deps.authenticate(`Bearer ${token}`);
    } catch {
      return { code: LIVE_CLOSE.unauthenticated, reason: 'Unauthorized: a valid bearer token is required' };
    }
    const sub = context.viewer.sub;
    const count = perSubject.get(sub) ?? 0;
    if (count >= options.maxConnectionsPerSubject) {
      return { code: LIVE_CLOSE.tooManyConnections, reason: `Too many live connections for this token subject (${options.maxConnectionsPerSubject})` };
    }
    perSubject.set(sub, count + 1);
    const connection: Connection = { context, feed: null as unknown as LiveFeed, expiry: null, counted: sub, accepted: new Set() };
    connection.feed = new LiveFeed(deps.bus, options.maxBufferedEvents, () => close(LIVE_CLOSE.slowConsumer, 'Slow consumer: too many undelivered events'));
    // The token was verified above, so its exp is there; the connection ends with it.
    const exp = (jwt.decode(token!) as { exp?: number } | null)?.exp;
    if (typeof exp === 'number') {
      const ms = Math.max(0, exp * 1000 - Date.now());
      connection.expiry = setTimeout(() => close(LIVE_CLOSE.unauthenticated, 'Unauthorized: token expired'), Math.min(ms, 2 ** 31 - 1));
    }
    return connection;
  };

  /**
   * Checks one subscription (parse, validation, limits, cost) and builds its execution, whose
   * payloads `send` writes as `wrap` frames them (graphql-ws `next` messages, SSE `next` events).
   * Returns the errors to answer with instead when it may not run.
   */
  const prepare = (
    connection: Connection,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
    transport: string,
    wrap: (json: string) => string,
    send: (message: string) => void,
  ): ExecutionArgs | readonly GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: deps.limits.maxTokens });
    } catch (error) {
      return [withCode(error instanceof GraphQLError ? error : new GraphQLError('could not parse the document'), 'GRAPHQL_PARSE_FAILED')];
    }
    // Capped like Apollo's validationOptions; in production without hints, as Apollo's hideSchemaDetailsFromClientErrors.
    const errors = validate(deps.schema, document, rules, { maxErrors: deps.limits.maxValidationErrors });
    if (errors.length > 0) return errors.map((e) => withCode(deps.production ? new GraphQLError(withoutHints(e.message), e) : e, 'GRAPHQL_VALIDATION_FAILED'));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('no operation to run', { extensions: { code: 'BAD_REQUEST' } })];
    if (operation.operation !== 'subscription') {
      return [new GraphQLError(`only subscriptions run over ${transport}; send queries and mutations to POST /graphql`, { extensions: { code: 'BAD_REQUEST' } })];
    }
    try {
      const cost = operationCost(deps.schema, document, payload.operationName ?? undefined, payload.variables ?? undefined);
      if (cost > deps.limits.maxCost) return [limitError(`query cost ${cost} is over the limit of ${deps.limits.maxCost}`)];
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
    }
    const viewer = connection.context.viewer as LiveContext['viewer'];
    const writeDenied = (connection.context as { recordDenied?(entry: object): Promise<void> }).recordDenied;
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
          connection.feed.deliver(accept, (event, settle) => answerFor(event, subscriber, (e) => read(e, loadersOf(e)), wrap, stats, settle), send) as AsyncIterable<T>,
      } satisfies LiveHandle,
    } as LiveContext & Record<string, unknown>;
    const args: ExecutionArgs = { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
    const subscriber: SharedSubscriber = {
      key: executionKey(payload.query, payload.operationName ?? undefined, payload.variables ?? undefined, viewer.roles),
      args,
      sharedContext: (recordDenied, event) => ({
        ...(connection.context as Record<string, unknown>),
        viewer: sharedViewer(viewer.roles),
        loaders: loadersOf(event),
        // The auth checker audits a refused field through the context's recordDenied: collected here, then written per subscriber.
        recordDenied,
        live: undefined,
      }),
      recordDenied: (entry: DeniedEntry) =>
        writeDenied?.({ ...entry, actor: viewer, requestId: contextValue.requestId }) ?? Promise.resolve(),
      formatError: formatLiveError,
      audited: new Map(),
    };
    subscribers.set(contextValue, subscriber);
    return args;
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
      const opened = await open(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization, (code, reason) => socket.close(code, reason));
      if (!('feed' in opened)) {
        socket.close(opened.code, opened.code === LIVE_CLOSE.unauthenticated ? 'Unauthorized: connection_init needs { authorization: "Bearer <JWT>" } with a valid token' : opened.reason);
        return false;
      }
      bySocket.set(socket, opened);
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
      const socket = ctx.extra.socket;
      // The graphql-ws Next message around a shared payload's JSON, sent in commit order (not awaiting each write).
      const next = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      const send = (message: string) => {
        if (socket.readyState !== socket.OPEN) return;
        // Too much unsent on the socket: the client is not reading.
        if (socket.bufferedAmount > options.maxBufferedBytes) return socket.close(LIVE_CLOSE.slowConsumer, 'Slow consumer: too many unsent bytes');
        corkUntilSent(socket);
        socket.send(message);
      };
      const prepared = prepare(connection, payload, 'WebSocket', (json) => next + json + '}', send);
      if (!('schema' in prepared)) return prepared;
      connection.accepted.add(id);
      return prepared;
    },
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!result.errors) return;
      return { ...result, errors: result.errors.map(formatLiveError) };
    },
    onError: (_ctx, _id, _payload, errors) => errors.map(formatLiveError),
    onClose: (ctx) => {
      const connection = bySocket.get(ctx.extra.socket);
      if (connection) release(connection);
    },
  }, wss);

  /** Open SSE streams, each with what ends it (shutdown: 1001). */
  const streams = new Map<Connection, (code: number, reason: string) => void>();

  /**
   * GraphQL over Server-Sent Events, distinct connections mode (the protocol of `graphql-sse`):
   * one POST (JSON body) or GET (query string) per subscription, answered with an event stream
   * of `next` events and a `complete`. Same token check, limits, field rules and shared payloads
   * as the WebSocket; where a socket would close with a LIVE_CLOSE code, the stream sends a
   * `next` with that error and completes. For networks whose proxies drop WebSockets.
   */
  const stream: RequestHandler = async (req, res) => {
    const params = (req.method === 'GET' ? req.query : req.body ?? {}) as Record<string, unknown>;
    let variables: Record<string, unknown> | null = null;
    try {
      variables = typeof params.variables === 'string' ? JSON.parse(params.variables) : ((params.variables as Record<string, unknown> | undefined) ?? null);
    } catch {
      variables = null;
    }
    if (typeof params.query !== 'string') {
      return void res.status(400).json({ errors: [{ message: 'a subscription needs a query', extensions: { code: 'BAD_REQUEST' } }] });
    }
    let ended = false;
    let iterator: AsyncIterator<unknown> | undefined;
    const end = (errors?: readonly object[]) => {
      if (ended) return;
      ended = true;
      if (errors && !res.writableEnded) res.write(`event: next\ndata: ${JSON.stringify({ errors })}\n\n`);
      if (!res.writableEnded) res.end('event: complete\ndata: \n\n');
    };
    const opened = await open(req.headers.authorization, (code, reason) => end([closeError(code, reason)]));
    if (!('feed' in opened)) {
      const status = opened.code === LIVE_CLOSE.unauthenticated ? 401 : 429;
      return void res.status(status).json({ errors: [closeError(opened.code, opened.reason)] });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    // A comment line now and then: proxies close connections that stay silent.
    const heartbeat = setInterval(() => res.write(':\n\n'), SSE_HEARTBEAT_MS);
    const finish = () => {
      clearInterval(heartbeat);
      streams.delete(opened);
      release(opened);
    };
    streams.set(opened, (code, reason) => end([closeError(code, reason)]));
    res.on('close', () => {
      finish();
      ended = true;
      void iterator?.return?.();
    });
    const send = (message: string) => {
      if (ended) return;
      if (res.writableLength > options.maxBufferedBytes) return end([closeError(LIVE_CLOSE.slowConsumer, 'Slow consumer: too many unsent bytes')]);
      res.write(message);
    };
    const prepared = prepare(opened, { query: params.query, operationName: typeof params.operationName === 'string' ? params.operationName : null, variables }, 'SSE', (json) => `event: next\ndata: ${json}\n\n`, send);
    if (!('schema' in prepared)) return end(prepared.map(formatLiveError));
    try {
      const source = await createSourceEventStream(prepared);
      if (!(Symbol.asyncIterator in source)) return end((source.errors ?? []).map(formatLiveError));
      iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      // The payloads are sent by the feed (send above); the source itself yields nothing.
      while (!ended && !(await iterator.next()).done);
    } catch (error) {
      deps.logger.error({ err: error }, 'unexpected error in an SSE subscription');
      return end([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    }
    end();
  };

  return {
    connections: () => wss.clients.size + streams.size,
    stats,
    stream,
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
      for (const [connection, close] of streams) {
        feeds.push(connection.feed);
        close(LIVE_CLOSE.goingAway, 'Server shutting down');
      }
      // Payload reads already started finish before the caller closes the database pool.
      await Promise.all(feeds.map((feed) => feed.settled()));
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** How often an idle SSE stream gets a comment line. */
const SSE_HEARTBEAT_MS = 15_000;

/** The GraphQL error an SSE stream ends with where a WebSocket would close with `code`. */
function closeError(code: number, reason: string): { message: string; extensions: { code: string } } {
  const byCode: Record<number, string> = {
    [LIVE_CLOSE.unauthenticated]: 'UNAUTHENTICATED',
    [LIVE_CLOSE.tooManyConnections]: 'RATE_LIMITED',
    [LIVE_CLOSE.slowConsumer]: 'SLOW_CONSUMER',
    [LIVE_CLOSE.goingAway]: 'SHUTTING_DOWN',
  };
  return { message: reason, extensions: { code: byCode[code] ?? 'INTERNAL_SERVER_ERROR' } };
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

/** Apollo's hideSchemaDetailsFromClientErrors (its DisableSuggestions plugin) on one validation message. */
const withoutHints = (message: string): string => message.replace(/ ?Did you mean(.+?)\?$/, '');

/** The code Apollo gives a parse, validation or variables error before its formatError sees it; one with a code keeps it. */
function withCode(error: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_USER_INPUT'): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, code } });
}

/**
 * The HTTP formatError (graphql/errors.ts), so a code means the same on both: domain and limit
 * errors keep their code (FORBIDDEN, NOT_FOUND, QUERY_TOO_COMPLEX, ...), parse and validation
 * errors have Apollo's, anything else is INTERNAL_SERVER_ERROR with no detail. No stack traces.
 */
function liveErrorFormatter(logger: Logger): (error: GraphQLError) => GraphQLFormattedError {
  const format = createErrorFormatter(logger, { includeStack: false });
  return (error) => {
    // graphql-js's own request errors (variables that do not coerce), outside any field: Apollo's BAD_USER_INPUT.
    const request = !error.path && (!error.originalError || error.originalError instanceof GraphQLError);
    const coded = request ? withCode(error, 'BAD_USER_INPUT') : error;
    return format(coded.toJSON(), coded);
  };
}
