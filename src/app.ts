import http from 'node:http';
import { Pool, type PoolConfig } from 'pg';
import { randomBytes } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { TokenVerifier } from './auth';
import { DEVELOPMENT_ORIGINS, type Config } from './config';
import { poolOf, guardPool, readRoutingPlugin, routedPool } from './db';
import type { ReplicaSet } from './db';
import { createErrorFormatter, DEFAULT_LIMITS, limitValidationRules, limitsPlugin, mutationCounter, type Limits, trustedDocumentRule, trustedDocumentsMiddleware, type TrustedDocuments } from './graphql';
import { buildAppSchema } from './schema';
import { buildContext, contextDeps, createLoaders, createServices, type RequestContext } from './context';
import { healthz, readyz, bearerFirst, countStatements, createMetrics, metricsPlugin, requestScope, type Metrics, corsFor, originRule, ideRouter, createTracing } from './http';
import type { Logger } from './logger';
import { EventBus, attachLiveServer, DEFAULT_LIVE_OPTIONS, type LiveOptions, registerLiveMetrics, OutboxPruner, type PruneOptions } from './events';
import { registerAuditMetrics } from './audit';
import { registerIdentityMetrics } from './identities';
import type { ExecutionStats } from './events';
import { WebhookWorker, type WorkerOptions, SecretBox } from './webhooks';
import { fastPathMiddleware, httpEdge, responseFastPath, deskFastPath } from './fast-paths';
import { segmentExportHandler, SegmentWorker, type SegmentWorkerOptions, decodeFilter } from './segments';
import { ProfilingExpiryJob, type ProfilingExpiryOptions } from './influence';
import { SlaBreachSweep, type SlaSweepOptions } from './care';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { RetentionJob, type RetentionJobOptions } from './privacy';

export interface AppDeps {
  config: Pick<Config, 'isProduction' | 'defaultPhoneRegion'>;
  dataSource: DataSource;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Overrides of DEFAULT_LIMITS (main.ts passes the configured mutation rate). */
  limits?: Partial<Limits>;
  /** Defaults to the application schema; tests of the HTTP layer may pass a schema of their own. */
  schema?: GraphQLSchema;
  /** false: every customer read takes the loader path (compiled customer 360 and the response fast path off; for comparisons). */
  compiledReads?: boolean;
  /** false: no response fast path (fast-paths/response.handler.ts); the compiled reads stay on. Default: compiledReads. */
  responseFastPath?: boolean;
  /** false: no plain edge (fast-paths/http-edge.ts) in front of Express; the response fast path then runs behind Express's body parser (for comparisons). Default: on with the response fast path, off with tracing. */
  plainEdge?: boolean;
  /** false: claimNextInteraction and respondToInteraction always through Apollo (fast-paths/desk.handler.ts off; for comparisons). Default: responseFastPath. Off with replicas. */
  deskFastPath?: boolean;
  /**
   * Prefix of this app's mutation counters in PostgreSQL: apps with the same prefix (the workers
   * and instances of one deployment) share one limit per token. Default 'mutations'.
   */
  rateLimitKeyPrefix?: string;
  /** Read replicas (openDatabase builds them from DATABASE_REPLICA_URLS): queries read there, mutations on the primary. */
  replicas?: ReplicaSet;
  /** Webhooks: the key that encrypts their secrets (main.ts: WEBHOOK_SECRET_KEY or DATA_DIR; default: a random one per process), the URL policy, the delivery worker (false: none in this process). */
  webhooks?: { secretKey?: Buffer; allowPrivate?: boolean; worker?: false | Partial<WorkerOptions> };
  /** Subscriptions over WebSocket: limits per connection and per token subject. */
  live?: Partial<LiveOptions>;
  /** The periodic removal of old outbox events and their finished deliveries (main.ts: OUTBOX_RETENTION_HOURS); none when absent. */
  outboxPrune?: Partial<PruneOptions>;
  /** The periodic re-rank of the care queue after PROFILING grants expire (src/influence/profiling-expiry.ts); false: none in this process. */
  profilingExpiry?: false | Partial<ProfilingExpiryOptions>;
  /** The daily retention job (src/privacy/retention-job.ts; it does nothing while the policy is off, the default); false: none in this process. */
  retention?: false | Partial<RetentionJobOptions>;
  /** The SLA breach sweep (SLA_BREACHED once per item): off unless given (main.ts runs it; tests share one database and call sweepSlaBreaches). */
  slaSweep?: Partial<SlaSweepOptions>;
  /** The worker that keeps saved segments current (src/segments/saved-segment.worker.ts); false: not started in this process (drain() still works). */
  segmentWorker?: false | Partial<SegmentWorkerOptions>;
  /** Browser origins allowed by CORS and on WebSocket upgrades (main.ts: CORS_ORIGINS). Default: none in production, the loopback on any port otherwise. */
  corsOrigins?: readonly string[];
  /** GraphiQL at GET /graphql for a browser (main.ts: IDE). Default: on outside production. */
  ide?: boolean;
  /** OpenTelemetry spans per request and per SQL statement to this exporter (main.ts: OTEL_EXPORTER_OTLP_ENDPOINT); none when absent. batch false: export each span as it ends (tests). */
  tracing?: { exporter: SpanExporter; batch?: boolean };
  /** The manifest of TRUSTED_DOCUMENTS: operations by hash; in production only these run. */
  trustedDocuments?: TrustedDocuments;
}

export interface App {
  /** Not listening yet: main.ts calls listen(), supertest binds an ephemeral port itself. */
  readonly server: http.Server;
  readonly limits: Limits;
  /** Committed outbox events in this process. */
  readonly events: EventBus;
  /** The WebSocket server of subscriptions. */
  readonly live: { connections(): number; stats: ExecutionStats };
  /** The saved-segment worker of this app (started unless `segmentWorker: false`). */
  readonly segments: SegmentWorker;
  /** Drains in-flight requests and stops Apollo; the database is the caller's to close. */
  stop(): Promise<void>;
}

/**
 * Builds the HTTP server: GraphQL on /graphql, health, readiness and metrics beside it.
 * Usage: `const app = await createApp(deps); app.server.listen(4000)`
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, dataSource, logger } = deps;
  const limits: Limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const primary = poolOf(dataSource);
  const metrics = createMetrics(primary, deps.replicas);
  const tracing = deps.tracing ? createTracing(deps.tracing.exporter, { batch: deps.tracing.batch }) : null;
  for (const each of [primary, ...(deps.replicas?.pools ?? [])]) {
    guardPool(each, logger);
    countStatements(each, metrics);
    tracing?.instrumentPool(each);
  }
  // Loaders and services read through this one pool; with replicas it routes per request (db/routing.ts).
  const pool = deps.replicas ? routedPool(deps.replicas) : primary;
  const secrets = new SecretBox(deps.webhooks?.secretKey ?? randomBytes(32));
  const allowPrivate = deps.webhooks?.allowPrivate ?? false;
  const services = createServices({ dataSource, pool }, {
    defaultPhoneRegion: config.defaultPhoneRegion,
    logger,
    compiledReads: deps.compiledReads,
    webhooks: { secrets, policy: { allowPrivate, requireHttps: config.isProduction } },
  });
  const httpContext = contextDeps(pool, services, deps.verifyToken);
  // Committed outbox events reach this process through LISTEN/NOTIFY (src/events/event-bus.ts); writes go to the primary.
  const bus = new EventBus(primary.options, logger);
  await bus.start();
  const worker = deps.webhooks?.worker === false ? null : new WebhookWorker(primary, secrets, logger, { allowPrivate, ...deps.webhooks?.worker });
  if (worker) {
    bus.onCommit(() => worker.wake());
    worker.start();
  }
  const pruner = deps.outboxPrune ? new OutboxPruner(primary, logger, deps.outboxPrune) : null;
  pruner?.start();
  const profilingExpiry = deps.profilingExpiry === false ? null : new ProfilingExpiryJob(primary, logger, deps.profilingExpiry);
  profilingExpiry?.start();
  const retention = deps.retention === false ? null : new RetentionJob(dataSource, logger, metrics.registry, deps.retention);
  retention?.start();
  const slaSweep = deps.slaSweep ? new SlaBreachSweep(primary, logger, deps.slaSweep) : null;
  slaSweep?.start();
  const app = express();
  app.disable('x-powered-by');
  // Its 'request' listener is the plain edge in front of Express, or Express (below, once both exist).
  const server = http.createServer();

  const schema = deps.schema ?? (await buildAppSchema());
  const segmentWorker = new SegmentWorker(primary, (json) => decodeFilter(schema, json), logger, deps.segmentWorker || {});
  if (deps.segmentWorker !== false) segmentWorker.start();
  // One mutation counter for Apollo and the desk fast path: a mutation counts once whichever answers it.
  const counter = mutationCounter(limits, { pool: primary, keyPrefix: deps.rateLimitKeyPrefix });
  const fastPaths = deps.responseFastPath ?? deps.compiledReads ?? true;
  const originAllowed = originRule(deps.corsOrigins ?? (config.isProduction ? [] : DEVELOPMENT_ORIGINS));
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    // Stated although they are Apollo's defaults: both are part of the security posture.
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries live in each process's memory: a worker restarted mid-deployment
    // forgets them. Production runs trusted documents (a manifest, the same in every process) instead.
    ...(config.isProduction ? { persistedQueries: false as const } : {}),
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitValidationRules(limits),
    // graphql-js stops at this many errors: no error flood from repeated or unknown directives.
    validationOptions: { maxErrors: limits.maxValidationErrors },
    formatError: createErrorFormatter(logger, { includeStack: !config.isProduction }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      metricsPlugin(metrics, { exposeStatementCount: !config.isProduction }),
      limitsPlugin(limits, { pool: primary, keyPrefix: deps.rateLimitKeyPrefix }, counter),
      ...(deps.replicas ? [readRoutingPlugin(deps.replicas)] : []),
      ...(tracing ? [tracing.plugin] : []),
      // No HTTP cache hints are used; the plugin would wrap every field resolution.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads from Apollo's CDN and Google Fonts; ours (http/ide.ts) is served from node_modules.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  // Subscriptions: graphql-ws on the same server and path, the token verified like HTTP's. Their payload
  // reads have a small pool of their own on the primary (the row just committed there; a replica may lag):
  // writes holding every connection of the main pool do not delay events, nor do subscribers starve writes.
  const livePool = new Pool({ ...(primary.options as PoolConfig), max: deps.live?.poolSize ?? DEFAULT_LIVE_OPTIONS.poolSize, application_name: 'social-crm live' });
  guardPool(livePool, logger);
  const liveReads = { statements: 0 };
  countStatements(livePool, metrics, liveReads);
  const liveServices = createServices({ dataSource, pool: livePool }, { defaultPhoneRegion: config.defaultPhoneRegion, logger, compiledReads: deps.compiledReads });
  const liveContext = contextDeps(livePool, liveServices, deps.verifyToken);
  const live = attachLiveServer({
    server,
    path: '/graphql',
    schema,
    bus,
    limits,
    logger,
    options: deps.live,
    originAllowed,
    authenticate: (authorization) => buildContext(liveContext, { authorization }),
    freshLoaders: () => createLoaders(livePool),
    production: config.isProduction,
  });
  registerLiveMetrics(metrics.registry, bus, live, liveReads);
  registerAuditMetrics(metrics.registry, [services.audit, liveServices.audit]);
  registerIdentityMetrics(metrics.registry, [services.identityRules, liveServices.identityRules]);

  const json = express.json({
    limit: limits.maxBulkBodyBytes,
    verify: (_req, res, buf) => {
      (res as unknown as express.Response).locals.bodyBytes = buf.length;
    },
  });
  const cors = corsFor(originAllowed);
  const scope = requestScope(logger, metrics);
  const response = fastPaths
    ? responseFastPath({ schema, pool, verifyToken: deps.verifyToken, limits, metrics, logger, replicas: deps.replicas, exposeStatementCount: !config.isProduction, introspection: !config.isProduction })
    : null;
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(dataSource, deps.replicas));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // The whole segment as streamed NDJSON (src/segments/segment-export.http.ts); no body to read.
  app.get(
    '/segments/export',
    scope,
    segmentExportHandler({
      verifyToken: deps.verifyToken,
      audit: primary,
      source: () => deps.replicas?.choose(undefined).pool ?? primary,
      logger,
      recordDenied: (viewer, reason) =>
        services.audit.recordDenied({ actor: viewer, subject: 'GET /segments/export', details: { reason, held: [...viewer.roles].sort() } }),
    }),
  );
  // Before everything else on /graphql (and /graphql/stream): a preflight never reaches Apollo's CSRF guard.
  app.use('/graphql', cors);
  if (tracing) app.use('/graphql', tracing.middleware);
  if (deps.ide ?? !config.isProduction) app.use('/graphql', ideRouter());
  // Subscriptions over Server-Sent Events (graphql-sse's distinct connections mode), beside graphql-ws.
  app.use('/graphql/stream', express.json({ limit: '64kb' }), live.stream);
  app.use(
    '/graphql',
    scope,
    bearerFirst(deps.verifyToken, metrics),
    // A body the plain edge read is parsed already (express.json passes a finished request on); one it refused fails here as express.json's would.
    (req, res, next) => (res.locals.edgeError !== undefined ? next(res.locals.edgeError) : json(req, res, next)),
    // Operations named by hash get their listed document before anything reads `query` (fast paths included).
    ...(deps.trustedDocuments ? [trustedDocumentsMiddleware(deps.trustedDocuments, { enforce: config.isProduction })] : []),
    ...(response ? [fastPathMiddleware(limits, deps.verifyToken, response)] : []),
    // Mutations write on the primary and make the subject's reads sticky there (readRoutingPlugin): with replicas, Apollo answers.
    ...((deps.deskFastPath ?? fastPaths) && !deps.replicas
      ? [deskFastPath({ schema, verifyToken: deps.verifyToken, limits, metrics, logger, counter, agents: services.agents, careDesk: services.careDesk, exposeStatementCount: !config.isProduction, introspection: !config.isProduction })]
      : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        buildContext(httpContext, req.headers, String(res.locals.requestId), Number(res.locals.bodyBytes ?? 0)),
    }),
  );
  app.use(jsonErrors(logger, metrics, limits));
  // Tracing wraps the whole /graphql route (a span per request): with it, Express takes every request.
  const edge = response && (deps.plainEdge ?? true) && !tracing;
  const trusted = deps.trustedDocuments ? trustedDocumentRule(deps.trustedDocuments, { enforce: config.isProduction }) : undefined;
  server.on('request', edge ? httpEdge({ cors, scope, verifyToken: deps.verifyToken, limits, path: response, trusted, express: app }) : app);

  return {
    server,
    limits,
    events: bus,
    live,
    segments: segmentWorker,
    async stop() {
      await live.close();
      if (!livePool.ended) await livePool.end();
      await worker?.stop();
      await pruner?.stop();
      await profilingExpiry?.stop();
      await retention?.stop();
      await slaSweep?.stop();
      await segmentWorker.stop();
      await bus.stop();
      await apollo.stop();
      await tracing?.shutdown();
    },
  };
}

/** Body-parser and other HTTP-level failures answer in JSON, never an HTML page with paths. */
function jsonErrors(logger: Logger, metrics: Metrics, limits: Limits): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error, requestId: res.locals.requestId }, 'unexpected HTTP error');
    const message =
      error?.type === 'entity.parse.failed' ? 'request body is not valid JSON'
      : error?.type === 'entity.too.large' ? `request body is larger than ${limits.maxBulkBodyBytes} bytes`
      : status === 500 ? 'Internal server error'
      : String(error?.message ?? 'bad request');
    const code = status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    metrics.errors.inc({ code });
    const requestId = res.locals.requestId as string | undefined;
    res.status(status).json({ errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] });
  };
}
