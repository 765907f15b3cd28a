import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { loadTrustedDocuments } from '../../src/graphql/trusted-documents';

const LISTED = 'query Typename { __typename }';
const OTHER = 'query Other { customers(first: 1) { totalCount } }';
const hash = (text: string) => createHash('sha256').update(text).digest('hex');

let dir: string;
let production: TestApp;
let development: TestApp;
let productionWithoutList: TestApp;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'trusted-'));
  // Apollo's manifest format (what @apollo/generate-persisted-query-manifest writes).
  writeFileSync(path.join(dir, 'apollo.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: hash(LISTED), name: 'Typename', type: 'query', body: LISTED }] }));
  const trusted = loadTrustedDocuments(path.join(dir, 'apollo.json'));
  [production, development, productionWithoutList] = await Promise.all([
    startTestApp({ production: true, trustedDocuments: trusted }),
    startTestApp({ trustedDocuments: trusted }),
    startTestApp({ production: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([production, development, productionWithoutList].map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
});

const post = (app: TestApp, body: object) => request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'])}`).send(body);

describe('trusted documents in production', () => {
  it('runs a listed operation sent by its hash, as documentId or as Apollo\'s persistedQuery', async () => {
    for (const body of [{ documentId: `sha256:${hash(LISTED)}` }, { extensions: { persistedQuery: { version: 1, sha256Hash: hash(LISTED) } } }, { query: LISTED }]) {
      const res = await post(production, body);
      expect([body, res.status, res.body]).toEqual([body, 200, { data: { __typename: 'Query' } }]);
    }
  });

  it('refuses an unknown hash and any document not in the list with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    for (const body of [{ documentId: hash(OTHER) }, { query: OTHER }, { extensions: { persistedQuery: { version: 1, sha256Hash: hash(OTHER) } } }]) {
      const res = await post(production, body);
      expect([body, res.status, res.body.errors?.[0]?.extensions?.code]).toEqual([body, 400, 'PERSISTED_QUERY_NOT_IN_LIST']);
    }
    const get = await request(production.server).get('/graphql').query({ query: OTHER }).set('authorization', `Bearer ${tokenFor(['viewer'])}`).set('apollo-require-preflight', 'true');
    expect(get.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('has no automatic persisted queries in production: no per-process memory of documents', async () => {
    const res = await post(productionWithoutList, { extensions: { persistedQuery: { version: 1, sha256Hash: hash(OTHER) } } });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });
});

describe('trusted documents in development', () => {
  it('resolves listed hashes and still runs other documents (the IDE)', async () => {
    expect((await post(development, { documentId: hash(LISTED) })).body).toEqual({ data: { __typename: 'Query' } });
    expect((await post(development, { query: OTHER })).body.data.customers.totalCount).toEqual(expect.any(Number));
  });
});

describe('the manifest', () => {
  it('reads GraphQL Codegen\'s { hash: document } map too, and refuses a file that is neither', () => {
    writeFileSync(path.join(dir, 'codegen.json'), JSON.stringify({ [`sha256:${hash(LISTED)}`]: LISTED }));
    const codegen = loadTrustedDocuments(path.join(dir, 'codegen.json'));
    expect(codegen.byHash(hash(LISTED))).toBe(LISTED);
    expect(codegen.listsText(OTHER)).toBe(false);
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify([LISTED]));
    expect(() => loadTrustedDocuments(path.join(dir, 'bad.json'))).toThrow(/TRUSTED_DOCUMENTS/);
    expect(() => loadTrustedDocuments(path.join(dir, 'missing.json'))).toThrow(/TRUSTED_DOCUMENTS/);
  });
});
