import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import type { Viewer } from './auth/jwt';
import type { Config } from './config';
import { poolOf } from './db/data-source';
import { createErrorFormatter } from './graphql/errors';
import { buildAppSchema } from './graphql/schema';
import { buildContext, createServices, type RequestContext } from './http/context';
import { countStatements, createMetrics, metricsPlugin, withStatementCount } from './http/metrics';
import type { Logger } from './logger';

export interface AppDeps {
  config: Pick<Config, 'isProduction' | 'defaultPhoneRegion'>;
  dataSource: DataSource;
  logger: Logger;
  verifyToken: (token: string) => Viewer;
}

export interface App {
  /** Not listening yet: main.ts calls listen(), supertest binds an ephemeral port itself. */
  readonly server: http.Server;
  /** Drains in-flight requests and stops Apollo; the database is the caller's to close. */
  stop(): Promise<void>;
}

/** Largest accepted request body: generous for the biggest bulk ingestion call. */
const BODY_LIMIT = '1mb';

/**
 * Builds the HTTP server: GraphQL on /graphql, health and metrics beside it.
 * Usage: `const app = await createApp(deps); app.server.listen(4000)`
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, dataSource, logger } = deps;
  const pool = poolOf(dataSource);
  const metrics = createMetrics(pool);
  countStatements(pool, metrics);
  const services = createServices({ dataSource, pool }, { defaultPhoneRegion: config.defaultPhoneRegion });
  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(app);

  const apollo = new ApolloServer<RequestContext>({
    schema: await buildAppSchema(),
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    formatError: createErrorFormatter(logger, { includeStack: !config.isProduction }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      metricsPlugin(metrics, { exposeStatementCount: !config.isProduction }),
      ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await pool.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(
    '/graphql',
    (req, res, next) => {
      const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
      res.setHeader('x-request-id', requestId);
      res.locals.requestId = requestId;
      next();
    },
    express.json({ limit: BODY_LIMIT }),
    (_req, _res, next) => withStatementCount(next),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        buildContext({ pool, services, verifyToken: deps.verifyToken }, req.headers, String(res.locals.requestId)),
    }),
  );
  app.use(jsonErrors(logger));

  return {
    server,
    async stop() {
      await apollo.stop();
    },
  };
}

/** Body-parser and other HTTP-level failures answer in JSON, never an HTML page with paths. */
function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'unexpected HTTP error');
    const message =
      error?.type === 'entity.parse.failed' ? 'request body is not valid JSON'
      : error?.type === 'entity.too.large' ? `request body is larger than ${BODY_LIMIT}`
      : status === 500 ? 'Internal server error'
      : String(error?.message ?? 'bad request');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
}
