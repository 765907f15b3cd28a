import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger';

const guarded = new WeakSet<object>();

/**
 * Gives the pool and every client it hands out a permanent `error` listener. pg emits
 * `error` on a checked-out client whose backend dies (pg_terminate_backend, a PostgreSQL
 * restart, a dropped socket); with no listener that is an uncaught exception that takes the
 * whole process down. The query in flight still fails with its own error and the pool drops
 * the broken client, so only that request sees the failure.
 * Usage: `guardPool(poolOf(dataSource), logger)` once, right after the DataSource is initialised.
 */
export function guardPool(pool: Pool, logger: Logger): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  const guard = (client: PoolClient) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost'));
  };
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  pool.on('connect', guard);
  // Clients created before this call (TypeORM's first connection) are guarded on their next checkout.
  pool.on('acquire', guard);
}
