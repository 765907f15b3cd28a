import type { AddressInfo } from 'node:net';
import { serverAudits } from 'graphql-http';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';

// The GraphQL-over-HTTP spec audits of the graphql-http package against the live server, in
// development mode: two audits query __type, which production (introspection off) refuses.
let app: TestApp;
let url: string;
beforeAll(async () => {
  app = await startTestApp();
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => app.close());

const token = tokenFor(['viewer'], 'graphql-http-audit');
const authorisedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

describe('GraphQL over HTTP spec audits (graphql-http)', () => {
  const audits = serverAudits({ url: () => url, fetchFn: authorisedFetch });

  it.each(audits.filter((a) => a.name.startsWith('MUST')).map((a) => [a.name, a] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect(result.status === 'ok' ? 'ok' : `${result.status}: ${'reason' in result ? result.reason : ''}`).toBe('ok');
  });

  it('fails no SHOULD or MAY audit except the three 200-on-error ones we refuse on purpose', async () => {
    const failed: string[] = [];
    for (const audit of audits.filter((a) => !a.name.startsWith('MUST'))) {
      const result = await audit.fn();
      if (result.status === 'warn' || result.status === 'error') failed.push(audit.name);
    }
    // The legacy application/json watershed asks for HTTP 200 on these; the issue asks for 4xx on every rejection.
    expect(failed.sort()).toEqual([
      'SHOULD use 200 status code on document parsing failure when accepting application/json',
      'SHOULD use 200 status code on document validation failure when accepting application/json',
      'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
    ]);
  });
});
