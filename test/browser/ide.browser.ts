import type { AddressInfo } from 'node:net';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';
import { launchChromium, type Browser } from './chromium';

/** GraphiQL served by the service, in a real headless Chromium with no way to a CDN needed. */
let app: TestApp;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  app = await startTestApp({ corsOrigins: [] });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the IDE at GET /graphql', () => {
  it('runs a query with the token from its token field, every file from the service itself', async () => {
    await createCustomer(app.pool);
    const page = await browser.open(`${origin}/graphql`);
    await page.waitFor(`document.querySelector('.graphiql-execute-button')`);
    await page.evaluate(`(() => { const input = document.getElementById('token'); input.value = ${JSON.stringify(tokenFor(['viewer'], 'ide-user'))}; input.dispatchEvent(new Event('change')); })()`);
    expect(await page.evaluate(`document.getElementById('token-state').textContent`)).toMatch(/ide-user as viewer/);
    await page.waitFor(`document.querySelector('.graphiql-execute-button')`);
    // GraphiQL fetched the schema with the token (introspection needs one): the docs explorer knows Query.
    await page.waitFor(`!document.querySelector('.graphiql-execute-button').disabled`);
    await page.evaluate(`document.querySelector('.graphiql-execute-button').click()`);
    await page.waitFor(`(document.querySelector('.graphiql-response') || {}).innerText && document.querySelector('.graphiql-response').innerText.includes('displayName')`);
    const response = await page.evaluate<string>(`document.querySelector('.graphiql-response').innerText`);
    expect(response).toMatch(/"customers"/);
    expect(response).not.toMatch(/UNAUTHENTICATED/);
    const loaded = await page.evaluate<string[]>(`performance.getEntriesByType('resource').map((e) => e.name).concat(location.href)`);
    expect(loaded.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(loaded.some((url) => url.endsWith('/graphql/ide/graphiql.min.js'))).toBe(true);
  });
});
