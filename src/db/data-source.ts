import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Pool } from 'pg';
import { migrations } from '../../migrations';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * Tables are described once, by migrations/: the code reads and writes them with SQL, so no
 * TypeORM entity repeats (and drifts from) them. A future entity must be listed here and stay
 * equal to the migrated table: test/integration/entities.test.ts runs TypeORM's schema diff.
 */
export const entities: Function[] = [];

/**
 * The one way to build the DataSource: the app, the tests, the seed and the TypeORM CLI use it.
 * Schema changes only through migrations; `synchronize` stays off.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: false,
    applicationName: options.applicationName ?? 'social-crm',
    extra: {
      max: options.poolSize ?? 20,
      // Fail fast while the database is unreachable instead of queueing forever.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // An acknowledged write must survive a crash: force it per session, whatever the server's default.
      options: '-c synchronous_commit=on',
    },
  });
}

/** The pg pool under TypeORM, for hot read paths that run hand-written, set-based SQL. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}
