import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { RequestScope } from '../common';

/**
 * OpenTelemetry traces: one SERVER span per GraphQL request (a W3C `traceparent` from the caller
 * becomes its parent) and one CLIENT span per SQL statement under it. Attributes name the
 * operation, the roles, the statement count and the SQL verb, never variables, SQL text with
 * values, emails or ids of people: a trace backend is not a place for personal data.
 * Usage: `const tracing = createTracing(exporter); app.use('/graphql', tracing.middleware)`
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** Starts the request's span and makes it current for everything that answers the request. */
  readonly middleware: RequestHandler;
  /** Adds the operation name and the viewer's roles to the request's span. */
  readonly plugin: ApolloServerPlugin<{ viewer?: { roles?: Iterable<string> } }>;
  /** Every statement of a client of this pool becomes a span of the current request. */
  instrumentPool(pool: Pool): void;
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
let contextManagerSet = false;

/** `batch: false` exports each span as it ends (tests read an in-memory exporter right away). */
export function createTracing(exporter: SpanExporter, options: { batch?: boolean } = {}): Tracing {
  // Spans follow the request through awaits: the same AsyncLocalStorage technique as request-scope.ts.
  if (!contextManagerSet) {
    contextManagerSet = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const provider = new TracerProvider({ spanProcessors: [options.batch === false ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('social-crm');
  const instrumented = new WeakSet<object>();

  const middleware: RequestHandler = (req, res, next) => {
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan('graphql request', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.baseUrl + req.path } }, parent);
    res.on('finish', () => {
      // requestScope (http/request-scope.ts) keeps the request's scope here: its operation and statement count.
      const scope = res.locals.scope as RequestScope | undefined;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (scope) {
        span.setAttribute('db.statement_count', scope.statements);
        // The name Apollo or a fast path resolved (fast paths answer without the plugin).
        if (scope.operation) span.setAttribute('graphql.operation.name', scope.operation);
      }
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };

  const plugin: Tracing['plugin'] = {
    async requestDidStart({ contextValue }) {
      const span = trace.getActiveSpan();
      return {
        async didResolveOperation({ operationName, operation }) {
          span?.setAttribute('graphql.operation.name', operationName ?? 'anonymous');
          if (operation) span?.setAttribute('graphql.operation.type', operation.operation);
        },
        async willSendResponse() {
          const roles = contextValue.viewer?.roles;
          if (roles) span?.setAttribute('enduser.roles', [...roles].sort());
        },
      };
    },
  };

  return {
    tracer,
    middleware,
    plugin,
    instrumentPool(pool) {
      pool.on('acquire', (client) => {
        if (instrumented.has(client)) return;
        instrumented.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
          // Only statements of a traced request: pool checks and LISTEN loops are not worth a trace each.
          if (!trace.getActiveSpan()) return query(...args);
          const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
          const verb = /^\s*(\w+)/.exec(text ?? '')?.[1]?.toUpperCase() ?? 'OTHER';
          const span = tracer.startSpan(`pg ${verb}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': verb } });
          const result = query(...args);
          if (result && typeof (result as Promise<unknown>).then === 'function') {
            (result as Promise<unknown>).then(
              () => span.end(),
              (error: { code?: string }) => {
                // The SQLSTATE only: an error message can quote the values that failed.
                span.setStatus({ code: SpanStatusCode.ERROR, message: error?.code ?? 'error' });
                span.end();
              },
            );
          } else span.end();
          return result;
        };
      });
    },
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The OTLP/HTTP exporter for OTEL_EXPORTER_OTLP_ENDPOINT (traces at `<endpoint>/v1/traces`, as the
 * OpenTelemetry specification has it). Loaded only when tracing is on.
 */
export async function otlpExporter(endpoint: string): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
}
