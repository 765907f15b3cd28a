import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTrustedDocuments } from '../../src/graphql/trusted-documents';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// The plain edge (fast-paths/http-edge.ts): Node's 'request' listener in front of Express. It must
// answer exactly what Express (with the response fast path behind its body parser) answers, headers
// included, and leave to Express everything it does not answer, with one request id and scope.
let edge: TestApp;
let viaExpress: TestApp;
let customerId: string;
/** Per request on the edge app: whether Express handled it (Express gives the response its prototype, with `json`). */
const handledByExpress = new Map<string, boolean>();

beforeAll(async () => {
  const origins = ['http://localhost:*'];
  edge = await startTestApp({ corsOrigins: origins });
  viaExpress = await startTestApp({ corsOrigins: origins, plainEdge: false });
  // After the app's own listener: an edge answer never reaches Express, a fallback does (synchronously or later).
  edge.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.on('finish', () => handledByExpress.set(String(req.headers['x-request-id']), typeof (res as unknown as { json?: unknown }).json === 'function'));
  });
  customerId = (await createCustomer(edge.pool, {
    handles: [{ platform: 'TWITTER', handle: `edge_${unique()}`, followerCount: 12 }],
    interactions: [{ channel: 'TWITTER', content: 'edge "post" ü' }],
  })).id;
}, 60_000);
afterAll(async () => {
  await edge?.close();
  await viaExpress?.close();
});

const C360 = `query Edge($id: ID!) { customer(id: $id) { id displayName tier socialIdentities { platform handle followerCount }
  interactions(first: 20) { edges { node { id channel direction occurredAt content category sentiment } } } influence { score measuredAt trend } } }`;

interface Sent { body: string; token?: string | null; type?: string; origin?: string }

/** The same request to both apps (same request id and subject); their answers with the headers that depend on neither. */
async function both(sent: Sent) {
  const requestId = `edge-${randomUUID()}`;
  const token = sent.token === undefined ? tokenFor(['viewer'], `edge-${unique()}`) : sent.token;
  const answers = await Promise.all(
    [edge, viaExpress].map(async (app) => {
      let req = request(app.server).post('/graphql').set('x-request-id', requestId).set('content-type', sent.type ?? 'application/json');
      if (token !== null) req = req.set('authorization', `Bearer ${token}`);
      if (sent.origin) req = req.set('origin', sent.origin);
      const res = await req.send(sent.body);
      const { date: _date, ...headers } = res.headers as Record<string, string>;
      return { status: res.status, text: res.text, headers };
    }),
  );
  return { edge: answers[0], express: answers[1], expressTookIt: handledByExpress.get(requestId) };
}

describe('plain edge', () => {
  it('answers a customer 360 itself with the bytes and headers Express sends', async () => {
    const r = await both({ body: JSON.stringify({ query: C360, variables: { id: customerId } }), origin: 'http://localhost:3000' });
    expect(r.edge.headers['x-read-path']).toBe('sql-response');
    expect(r.edge.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(r.edge).toEqual(r.express);
    expect(JSON.parse(r.edge.text).data.customer.id).toBe(customerId);
    expect(r.expressTookIt).toBe(false);
  });

  it('accepts what express.json accepts: a charset, a byte-order mark', async () => {
    const body = JSON.stringify({ query: C360, variables: { id: customerId } });
    for (const sent of [{ body, type: 'application/json; charset=utf-8' }, { body: `\uFEFF${body}` }]) {
      const r = await both(sent);
      expect(r.edge).toEqual(r.express);
      expect([r.edge.status, r.edge.headers['x-read-path'], r.expressTookIt]).toEqual([200, "sql-response", false]);
    }
  });

  it('leaves the rest to Express with one request id and the answer Express gives', async () => {
    const cases: Sent[] = [
      // Not covered by the fast path: Apollo answers.
      { body: JSON.stringify({ query: '{ __typename }' }) },
      { body: JSON.stringify({ query: C360, variables: { id: 'not-a-uuid' } }) },
      { body: JSON.stringify({ query: 'query { customer(id: 1 }' }) },
      // body-parser's refusals, from the body the edge read.
      { body: '{"query": ' },
      { body: '"a string"' },
      { body: '[]' },
      // Before the body: no token, a bad token.
      { body: JSON.stringify({ query: C360, variables: { id: customerId } }), token: null },
      { body: JSON.stringify({ query: C360, variables: { id: customerId } }), token: 'not.a.token' },
      // Not the edge's: another content type.
      { body: 'query=%7B__typename%7D', type: 'application/x-www-form-urlencoded' },
    ];
    for (const sent of cases) {
      const r = await both(sent);
      expect(r.edge).toEqual(r.express);
      expect(r.edge.status).not.toBe(500);
      expect(r.edge.headers['x-read-path']).toBeUndefined();
      expect(r.expressTookIt).toBe(true);
    }
  });

  it('keeps the body limit: a body over the fast-path limit goes to Express unread', async () => {
    const padding = ' '.repeat(edge.app.limits.maxBodyBytes);
    const r = await both({ body: `{"query": ${JSON.stringify(C360)}, "variables": {"id": "${customerId}"}}${padding}` });
    expect(r.edge).toEqual(r.express);
    // Apollo's limit for non-bulk operations (limitsPlugin).
    expect(r.edge.status).toBe(413);
    expect(r.edge.headers['x-read-path']).toBeUndefined();
    expect(r.expressTookIt).toBe(true);
  });

  it('survives a client that leaves in the middle of its body', async () => {
    const { port } = edge.server.address() as { port: number };
    const token = tokenFor(['viewer'], `edge-${unique()}`);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"query":`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.on('error', reject);
    });
    const r = await both({ body: JSON.stringify({ query: C360, variables: { id: customerId } }) });
    expect([r.edge.status, r.edge.headers['x-read-path']]).toEqual([200, 'sql-response']);
  });

  it('applies trusted documents in production before the fast path, as Express does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-trusted-'));
    const hash = createHash('sha256').update(C360).digest('hex');
    writeFileSync(path.join(dir, 'list.json'), JSON.stringify({ [hash]: C360 }));
    const trusted = loadTrustedDocuments(path.join(dir, 'list.json'));
    const [on, off] = await Promise.all([startTestApp({ production: true, trustedDocuments: trusted }), startTestApp({ production: true, trustedDocuments: trusted, plainEdge: false })]);
    const took = new Map<string, boolean>();
    on.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.on('finish', () => took.set(String(req.headers['x-request-id']), typeof (res as unknown as { json?: unknown }).json === 'function'));
    });
    try {
      const cases: Array<[object, boolean]> = [
        [{ documentId: `sha256:${hash}`, variables: { id: customerId } }, false],
        [{ query: C360, variables: { id: customerId } }, false],
        [{ query: C360.replace('tier', 'tier city'), variables: { id: customerId } }, true],
        [{ documentId: 'f'.repeat(64), variables: { id: customerId } }, true],
      ];
      for (const [body, expressTookIt] of cases) {
        const requestId = `edge-${randomUUID()}`;
        const token = tokenFor(['viewer'], `edge-${unique()}`);
        const [a, b] = await Promise.all(
          [on, off].map(async (app) => {
            const res = await request(app.server).post('/graphql').set('x-request-id', requestId).set('authorization', `Bearer ${token}`).send(body);
            const { date: _date, ...headers } = res.headers as Record<string, string>;
            return { status: res.status, text: res.text, headers };
          }),
        );
        expect(a).toEqual(b);
        expect([body, a.status, took.get(requestId)]).toEqual([body, expressTookIt ? 400 : 200, expressTookIt]);
      }
    } finally {
      await Promise.all([on.close(), off.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
