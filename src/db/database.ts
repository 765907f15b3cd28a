import type { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createDataSource, poolOf } from './data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { ReplicaSet } from './replicas';


export interface Database {
  readonly dataSource: DataSource;
  readonly pool: Pool;
  readonly url: string;
  /** True when this process started the PostgreSQL server itself. */
  readonly embedded: boolean;
  /** The read replicas of DATABASE_REPLICA_URLS (undefined without any): pass them to createApp. */
  readonly replicas: ReplicaSet | undefined;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under DATA_DIR when it is unset,
 * then applies pending migrations.
 * Usage: `const db = await openDatabase(config, logger); ... await db.close();`
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'embeddedPgPort'> &
    Partial<Pick<Config, 'databaseReplicaUrls' | 'replicaMaxLagMs' | 'replicaStickinessMs'>>,
  logger: Logger,
  options: { applicationName?: string; runMigrations?: boolean } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    logger.info({ dir: config.dataDir, port: config.embeddedPgPort }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dir: config.dataDir,
      port: config.embeddedPgPort,
      database: 'social_crm',
      log: (line) => logger.debug({ source: 'postgres' }, line),
      notice: (line) => logger.warn(line),
    });
    url = embedded.url;
  }
  const dataSource = createDataSource({ url, poolSize: config.dbPoolSize, applicationName: options.applicationName });
  try {
    await dataSource.initialize();
    if (options.runMigrations !== false) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) logger.info({ migration: m.name }, 'migration applied');
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  const pool = poolOf(dataSource);
  // A replica that is down at start-up is reported and skipped, never a reason not to start.
  const replicaUrls = config.databaseReplicaUrls ?? [];
  const replicas =
    replicaUrls.length === 0
      ? undefined
      : await ReplicaSet.start({
          primary: pool,
          urls: replicaUrls,
          maxLagMs: config.replicaMaxLagMs ?? 5_000,
          stickinessMs: config.replicaStickinessMs ?? 10_000,
          poolSize: config.dbPoolSize,
          logger,
          applicationName: options.applicationName,
        });
  return {
    dataSource,
    pool,
    url,
    embedded: embedded !== undefined,
    replicas,
    async close() {
      await replicas?.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
