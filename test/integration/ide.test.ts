import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';

let dev: TestApp;
let production: TestApp;
let productionWithIde: TestApp;
beforeAll(async () => {
  [dev, production, productionWithIde] = await Promise.all([startTestApp(), startTestApp({ production: true }), startTestApp({ production: true, ide: true })]);
});
afterAll(async () => {
  await Promise.all([dev, production, productionWithIde].map((app) => app.close()));
});

const page = (app: TestApp) => request(app.server).get('/graphql').set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');

describe('the IDE', () => {
  it('is GraphiQL for a browser outside production, with a token field, behind a CSP of its own origin only', async () => {
    const res = await page(dev);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/<input id="token"/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    // Nothing from another host: every src and href is a path on this service.
    const urls = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(4);
    expect(urls.filter((u) => !u.startsWith('/graphql/ide/'))).toEqual([]);
  });

  it('serves every file the page names, from node_modules, with its type', async () => {
    const html = (await page(dev)).text;
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const res = await request(dev.server).get(url);
      expect([url, res.status]).toEqual([url, 200]);
      expect(res.headers['content-type']).toMatch(url.endsWith('.css') ? /text\/css/ : /javascript/);
      expect(Number(res.headers['content-length'] ?? res.text.length)).toBeGreaterThan(100);
    }
    expect((await request(dev.server).get('/graphql/ide/nope.js')).text).not.toMatch(/<html/i);
  });

  it('leaves API requests to GraphQL: JSON GETs and POSTs are not the page', async () => {
    const get = await request(dev.server).get('/graphql').query({ query: '{ __typename }' }).set('accept', 'application/json').set('authorization', `Bearer ${tokenFor(['viewer'])}`).set('apollo-require-preflight', 'true');
    expect(get.body).toEqual({ data: { __typename: 'Query' } });
    const post = await dev.gql('{ __typename }', undefined, ['viewer']);
    expect(post.data).toEqual({ __typename: 'Query' });
  });

  it('is off in production, and on there with IDE=true', async () => {
    expect((await page(production)).text).not.toMatch(/<html/i);
    expect((await request(production.server).get('/graphql/ide/graphiql.min.js')).status).not.toBe(200);
    expect((await page(productionWithIde)).text).toMatch(/<input id="token"/);
  });
});
