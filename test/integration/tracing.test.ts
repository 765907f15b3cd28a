import request from 'supertest';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
let plain: TestApp;
const exporter = new InMemorySpanExporter();
beforeAll(async () => {
  app = await startTestApp({ traceExporter: exporter });
  plain = await startTestApp();
});
afterAll(async () => {
  await app.close();
  await plain.close();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

/** The spans of one trace once its request span has ended (exported as each span ends). */
async function spansOf(traceId: string): Promise<{ request: ReadableSpan; sql: ReadableSpan[] }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const request = spans.find((s) => s.name === 'graphql request');
    if (request) return { request, sql: spans.filter((s) => s.name.startsWith('pg ')) };
    if (Date.now() > deadline) throw new Error('no request span');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('OpenTelemetry traces', () => {
  it('makes a request span under the caller\'s traceparent, with operation, roles and statement count, and a span per SQL statement', async () => {
    const email = `traced-${unique()}@example.com`;
    await createCustomer(app.pool, { emails: [email] });
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['agent', 'viewer'])}`)
      .set('traceparent', `00-${TRACE_ID}-${PARENT_ID}-01`)
      .send({ query: 'query FindByEmail($email: String!) { lookupCustomer(email: $email) { id displayName emails { value } } }', variables: { email } });
    expect(res.body.errors).toBeUndefined();
    const { request: span, sql } = await spansOf(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span.attributes).toMatchObject({ 'graphql.operation.name': 'FindByEmail', 'enduser.roles': ['agent', 'viewer'], 'http.response.status_code': 200 });
    expect(span.attributes['db.statement_count']).toBe(Number(res.headers['x-sql-statements']));
    expect(sql.length).toBe(Number(res.headers['x-sql-statements']));
    expect(sql.length).toBeGreaterThan(0);
    for (const s of sql) {
      expect(s.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
      expect(s.attributes['db.system.name']).toBe('postgresql');
    }
    // No personal data: neither the variable nor anything read reaches an attribute.
    const everything = JSON.stringify([span, ...sql].map((s) => [s.name, s.attributes, s.events]));
    expect(everything).not.toContain(email);
    expect(everything).not.toContain('example.com');
  });

  it('starts a new trace without a traceparent', async () => {
    exporter.reset();
    await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'])}`).send({ query: '{ __typename }' });
    const deadline = Date.now() + 5000;
    while (!exporter.getFinishedSpans().some((s) => s.name === 'graphql request') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const span = exporter.getFinishedSpans().find((s) => s.name === 'graphql request')!;
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is off without an exporter: an app without one makes no span', async () => {
    exporter.reset();
    await request(plain.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'])}`).set('traceparent', `00-${TRACE_ID}-${PARENT_ID}-01`).send({ query: '{ __typename }' });
    await new Promise((r) => setTimeout(r, 100));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
