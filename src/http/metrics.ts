import type { ApolloServerPlugin } from '@apollo/server';
import type { Pool, PoolClient } from 'pg';
import { currentRequestScope } from '../common';
import type { ReplicaSet } from '../db';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests can build several apps). */
export function createMetrics(pool: Pool, replicas?: ReplicaSet) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    requests: new Counter({ name: 'social_crm_graphql_requests_total', help: 'GraphQL requests by operation', labelNames: ['operation'], registers: [registry] }),
    duration: new Histogram({
      name: 'social_crm_graphql_request_duration_seconds', help: 'GraphQL request latency by operation', labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
    errors: new Counter({ name: 'social_crm_graphql_errors_total', help: 'Errors answered, by extensions.code (HTTP-level rejections included)', labelNames: ['code'], registers: [registry] }),
    responses: new Counter({ name: 'social_crm_http_responses_total', help: 'HTTP responses on /graphql by status code', labelNames: ['status'], registers: [registry] }),
    statements: new Counter({ name: 'social_crm_sql_statements_total', help: 'SQL statements sent to PostgreSQL', registers: [registry] }),
    sqlResponses: new Counter({
      name: 'social_crm_graphql_sql_responses_total', help: 'GraphQL requests answered by the response fast path (one statement that builds the response; docs/read-path.md)',
      labelNames: ['operation'], registers: [registry],
    }),
    /** The label of an operation name: clients choose names, so the set of label values is capped. */
    operationLabel: operationLabels(),
  };
  new Gauge({
    name: 'social_crm_db_pool_connections', help: 'Database pool connections by state', labelNames: ['state'], registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  if (replicas) {
    new Gauge({
      name: 'social_crm_db_replica_up', help: 'Read replica reachable (1) or not (0)', labelNames: ['replica'], registers: [registry],
      collect() {
        for (const r of replicas.status()) this.set({ replica: r.name }, r.reachable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'social_crm_db_replica_usable', help: 'Read replica serving reads (reachable and within REPLICA_MAX_LAG_MS)', labelNames: ['replica'], registers: [registry],
      collect() {
        for (const r of replicas.status()) this.set({ replica: r.name }, r.usable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'social_crm_db_replica_lag_seconds', help: 'Read replica replay lag behind the primary (NaN while unknown)', labelNames: ['replica'], registers: [registry],
      collect() {
        for (const r of replicas.status()) this.set({ replica: r.name }, r.lagMs === null ? NaN : r.lagMs / 1000);
      },
    });
    new Gauge({
      name: 'social_crm_db_replica_pool_connections', help: 'Read replica pool connections by state', labelNames: ['replica', 'state'], registers: [registry],
      collect() {
        replicas.pools.forEach((p, i) => {
          const replica = `replica-${i + 1}`;
          this.set({ replica, state: 'total' }, p.totalCount);
          this.set({ replica, state: 'idle' }, p.idleCount);
          this.set({ replica, state: 'waiting' }, p.waitingCount);
        });
      },
    });
  }
  return metrics;
}
export type Metrics = ReturnType<typeof createMetrics>;

const counted = new WeakSet<PoolClient>();

/**
 * Counts every statement a pooled client sends (TypeORM's and hand-written SQL alike),
 * so tests and the benchmark can prove the number of statements per request; `also` counts
 * this pool's alone (the live desk's payload reads).
 */
export function countStatements(pool: Pool, metrics: Metrics, also?: { statements: number }): void {
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      metrics.statements.inc();
      if (also) also.statements += 1;
      const scope = currentRequestScope();
      if (scope) scope.statements += 1;
      return query(...args);
    };
  });
}

/** Distinct operation names kept as label values; clients choose names, so the set is capped. */
const MAX_OPERATION_LABELS = 200;

function operationLabels(): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    const operation = name ?? 'anonymous';
    if (seen.has(operation)) return operation;
    if (seen.size >= MAX_OPERATION_LABELS) return 'other';
    seen.add(operation);
    return operation;
  };
}

/** Apollo plugin: request count, latency and error codes by operation; statement count header. */
export function metricsPlugin(metrics: Metrics, options: { exposeStatementCount: boolean }): ApolloServerPlugin {
  const label = metrics.operationLabel;
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) metrics.errors.inc({ code: errorCode(error) });
        },
        async willSendResponse({ operationName, response }) {
          const operation = label(operationName);
          const scope = currentRequestScope();
          if (scope) scope.operation = operation;
          metrics.requests.inc({ operation });
          metrics.duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
          const statements = currentRequestScope()?.statements;
          if (options.exposeStatementCount && statements !== undefined) {
            response.http.headers.set('x-sql-statements', String(statements));
          }
        },
      };
    },
  };
}

/** The code a client will see: a domain error's or a limit's own code (both travel as `originalError`). */
function errorCode(error: { extensions?: Record<string, unknown>; originalError?: unknown }): string {
  const original = error.originalError as { name?: string; code?: unknown; extensions?: Record<string, unknown> } | undefined;
  if (original?.name === 'DomainError' && typeof original.code === 'string') return original.code;
  const code = error.extensions?.code;
  if (code === 'GRAPHQL_VALIDATION_FAILED' && typeof original?.extensions?.code === 'string') return original.extensions.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
