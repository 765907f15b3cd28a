import type { ApolloServerPlugin } from '@apollo/server';
import type { Pool, PoolClient } from 'pg';
import { currentRequestScope, type RequestScope } from '../common';
import type { ReadTarget, ReplicaSet } from './replicas';

/**
 * Request-level read routing. A GraphQL request is routed once, when its operation is known:
 * a query to a replica (ReplicaSet.choose), a mutation (and every read inside it) to the
 * primary. Loaders and services keep the one `pool` they were given in context.ts; that pool is
 * routedPool(), which sends each statement to the server chosen for the request it belongs to
 * (the primary outside any routed request). TypeORM transactions always run on the primary.
 */
const routes = new WeakMap<RequestScope, ReadTarget>();

export function routeRequest(scope: RequestScope, target: ReadTarget): void {
  routes.set(scope, target);
}

/** The server chosen for the request being answered, if it was routed. */
export function currentReadTarget(): ReadTarget | undefined {
  const scope = currentRequestScope();
  return scope ? routes.get(scope) : undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);

/** The replica itself failed (gone, restarting, unreachable): skip it for a while. */
export function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return typeof e?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i.test(e.message);
}

/**
 * The statement cannot run on a standby but can on the primary: a write that slipped into a
 * query (25006, e.g. an ACCESS_DENIED audit entry) or a query cancelled by a recovery conflict.
 */
function belongsOnPrimary(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return e?.code === '25006' || (e?.code === '40001' && typeof e.message === 'string' && /conflict with recovery/.test(e.message));
}

/**
 * A Pool that routes by request. A statement that fails on a replica because the replica is
 * gone, or because it must run on the primary, runs again on the primary (queries only: a
 * request routed to a replica is a read), so a replica going down fails no request.
 */
export function routedPool(replicas: ReplicaSet): Pool {
  const primary = replicas.primary.pool;
  const query = async (...args: unknown[]): Promise<unknown> => {
    const target = currentReadTarget();
    const run = (pool: Pool) => (pool.query as (...a: unknown[]) => Promise<unknown>).apply(pool, args);
    if (!target || target.name === 'primary' || typeof args[args.length - 1] === 'function') return run(primary);
    try {
      return await run(target.pool);
    } catch (error) {
      if (isConnectionFailure(error)) replicas.markDown(target.name, error);
      else if (!belongsOnPrimary(error)) throw error;
      return run(primary);
    }
  };
  const connect = async (...args: unknown[]): Promise<PoolClient | void> => {
    const target = currentReadTarget();
    if (!target || target.name === 'primary' || args.length > 0) return (primary.connect as (...a: unknown[]) => Promise<PoolClient | void>).apply(primary, args);
    try {
      return await target.pool.connect();
    } catch (error) {
      replicas.markDown(target.name, error);
      return primary.connect();
    }
  };
  return new Proxy(primary, {
    get(pool, property) {
      if (property === 'query') return query;
      if (property === 'connect') return connect;
      const value: unknown = Reflect.get(pool, property, pool);
      return typeof value === 'function' ? value.bind(pool) : value;
    },
  });
}

/**
 * Apollo plugin: routes each request (query -> ReplicaSet.choose(subject), anything else ->
 * the primary), says which server answered (`x-database-server`), and after a mutation notes
 * the primary's WAL position for the subject, so its next reads wait for a replica that
 * replayed it (read-your-writes).
 */
export function readRoutingPlugin(replicas: ReplicaSet): ApolloServerPlugin<{ viewer: { sub: string } }> {
  return {
    async requestDidStart() {
      let subject: string | undefined;
      let wrote = false;
      return {
        async didResolveOperation({ operation, contextValue }) {
          const scope = currentRequestScope();
          if (!scope || !operation) return;
          subject = contextValue.viewer.sub;
          wrote = operation.operation !== 'query';
          routeRequest(scope, wrote ? replicas.primary : replicas.choose(subject));
        },
        async willSendResponse({ response }) {
          const target = currentReadTarget();
          if (target) response.http.headers.set('x-database-server', target.name);
          if (!wrote || subject === undefined) return;
          let lsn: string | null = null;
          try {
            lsn = (await replicas.primary.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
          } catch {
            // Unknown position: the subject reads from the primary for the whole stickiness window.
          }
          replicas.noteWrite(subject, lsn);
        },
      };
    },
  };
}
