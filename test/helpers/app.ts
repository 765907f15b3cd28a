import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, poolOf } from '../../src/db/data-source';
import request from 'supertest';
import type { GraphQLSchema } from 'graphql';
import { createApp, type App } from '../../src/app';
import { createTokenVerifier, signDevToken, type TokenVerifier } from '../../src/auth/jwt';
import type { Limits } from '../../src/graphql/limits';
import type { Logger } from '../../src/logger';
import type { Role } from '../../src/auth/roles';
import { createLogger } from '../../src/logger';
import { ReplicaSet } from '../../src/db/replicas';
import type { WorkerOptions } from '../../src/webhooks/delivery-worker';
import type { LiveOptions } from '../../src/events/live-server';
import type { PruneOptions } from '../../src/events/outbox-prune';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ISSUER = 'social-crm';
export const TEST_AUDIENCE = 'social-crm-api';

export function tokenFor(roles: Role[] | string[], sub = 'test-user', expiresIn = 3600): string {
  return signDevToken(TEST_SECRET, { sub, roles: roles as string[] }, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, expiresIn });
}

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[] | undefined;
  headers: Record<string, string>;
}

export interface TestApp {
  server: Server;
  app: App;
  dataSource: DataSource;
  pool: Pool;
  replicas: ReplicaSet | undefined;
  /**
   * POSTs a GraphQL operation as `roles`. No default: each call says which role it means, so a
   * test of a viewer's read cannot pass by running as admin (set-up writes pass ['admin']).
   */
  gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> | undefined, roles: Role[]): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

/**
 * The real app over HTTP (supertest) on the shared test database.
 * Usage: `const app = await startTestApp(); ...; await app.close();` (beforeAll/afterAll)
 */
export interface TestAppOptions {
  production?: boolean;
  /** Another database than the shared test one (a scratch database or a throwaway cluster). */
  url?: string;
  limits?: Partial<Limits>;
  schema?: GraphQLSchema;
  logger?: Logger;
  verifyToken?: TokenVerifier;
  poolSize?: number;
  /** false: the loader path for every customer read (see Customer360Service). */
  compiledReads?: boolean;
  /** false: no response fast path (fast-paths/response.handler.ts), the compiled reads stay on. */
  responseFastPath?: boolean;
  /** false: claimNextInteraction and respondToInteraction always through Apollo (fast-paths/desk.handler.ts off). */
  deskFastPath?: boolean;
  /** false: no plain edge in front of Express (fast-paths/http-edge.ts). */
  plainEdge?: boolean;
  /** Shared mutation counters (default: a prefix of this app's own, so test files never count each other's mutations). */
  rateLimitKeyPrefix?: string;
  /** Read replicas of `url` (a streaming standby): queries read there. */
  replicas?: { urls: string[]; maxLagMs?: number; stickinessMs?: number; checkIntervalMs?: number };
  /** Webhook settings; without them no delivery worker runs (tests share one database). Private URLs are allowed in tests. */
  webhooks?: { worker?: false | Partial<WorkerOptions>; secretKey?: Buffer };
  live?: Partial<LiveOptions>;
  /** Start the saved-segment worker's loop (off by default: tests drain it with `app.app.segments.drain()`). */
  segmentWorker?: false | Partial<import('../../src/segments/saved-segment.worker').SegmentWorkerOptions>;
  /** Run the outbox pruning job in this app (off by default: tests share one database). */
  outboxPrune?: Partial<PruneOptions>;
  /** Browser origins (CORS_ORIGINS); default: the app's own default for production or not. */
  corsOrigins?: readonly string[];
  /** GraphiQL at GET /graphql (default: the app's own, on outside production). */
  ide?: boolean;
  /** OpenTelemetry spans to this exporter (an InMemorySpanExporter in tests), each exported as it ends. */
  traceExporter?: import('@opentelemetry/sdk-trace').SpanExporter;
  /** Trusted documents (TRUSTED_DOCUMENTS): enforced when `production`. */
  trustedDocuments?: import('../../src/graphql/trusted-documents').TrustedDocuments;
}

/** The key tests encrypt webhook secrets with (a restarted app must read what an earlier one stored). */
export const TEST_WEBHOOK_KEY = Buffer.alloc(32, 7);

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataSource = createDataSource({ url: options.url ?? process.env.DATABASE_URL!, poolSize: options.poolSize ?? 5 });
  await dataSource.initialize();
  const pool = poolOf(dataSource);
  const logger = options.logger ?? createLogger((process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent');
  const replicas = options.replicas
    ? await ReplicaSet.start({
        primary: pool,
        urls: options.replicas.urls,
        maxLagMs: options.replicas.maxLagMs ?? 5_000,
        stickinessMs: options.replicas.stickinessMs ?? 10_000,
        checkIntervalMs: options.replicas.checkIntervalMs ?? 100,
        poolSize: options.poolSize ?? 5,
        logger,
      })
    : undefined;
  const app = await createApp({
    config: { isProduction: options.production ?? false, defaultPhoneRegion: 'US' },
    dataSource,
    logger,
    replicas,
    verifyToken: options.verifyToken ?? createTokenVerifier({ secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE }),
    limits: options.limits,
    schema: options.schema,
    compiledReads: options.compiledReads,
    responseFastPath: options.responseFastPath,
    deskFastPath: options.deskFastPath,
    plainEdge: options.plainEdge,
    rateLimitKeyPrefix: options.rateLimitKeyPrefix ?? `test-${randomUUID()}`,
    live: options.live,
    outboxPrune: options.outboxPrune,
    corsOrigins: options.corsOrigins,
    ide: options.ide,
    trustedDocuments: options.trustedDocuments,
    tracing: options.traceExporter ? { exporter: options.traceExporter, batch: false } : undefined,
    segmentWorker: options.segmentWorker ?? false,
    webhooks: { allowPrivate: true, secretKey: options.webhooks?.secretKey ?? TEST_WEBHOOK_KEY, worker: options.webhooks?.worker ?? false },
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return {
    server: app.server,
    app,
    dataSource,
    pool,
    replicas,
    async gql(query, variables, roles) {
      const res = await request(app.server)
        .post('/graphql')
        .set('authorization', `Bearer ${tokenFor(roles)}`)
        .send({ query, variables });
      return { status: res.status, data: res.body?.data, errors: res.body?.errors, headers: res.headers as Record<string, string> };
    },
    async close() {
      await app.stop();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      await replicas?.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
