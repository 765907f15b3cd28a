import type { AddressInfo } from 'node:net';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';
import { launchChromium, type Browser } from './chromium';
import { servePage, type PageServer } from './page-server';

/**
 * A front-end team's page on its own origin, in a real headless Chromium: what CORS and the
 * WebSocket origin rule must allow for a listed origin and refuse for any other.
 */
let app: TestApp;
let browser: Browser;
let listed: PageServer;
let unlisted: PageServer;
let api: string;
let ws: string;

beforeAll(async () => {
  listed = await servePage();
  unlisted = await servePage();
  app = await startTestApp({ corsOrigins: [listed.origin] });
  const port = (app.server.address() as AddressInfo).port;
  api = `http://127.0.0.1:${port}/graphql`;
  ws = `ws://127.0.0.1:${port}/graphql`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await listed?.close();
  await unlisted?.close();
});

async function recordFor(customerId: string, content: string): Promise<void> {
  const res = await app.gql(`mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`, { input: { idempotencyKey: `browser-${unique()}`, customerId, channel: 'FACEBOOK', content } }, ['ingest']);
  expect(res.errors).toBeUndefined();
}

describe('a browser page on a listed origin', () => {
  it('reads a customer 360 with a bearer token over fetch and receives a subscription event over graphql-ws', async () => {
    const email = `browser-${unique()}@example.com`;
    const customer = await createCustomer(app.pool, { emails: [email] });
    const page = await browser.open(`${listed.origin}/`);
    const token = tokenFor(['agent'], `browser-${unique()}`);
    const read = await page.evaluate<any>(`read360(${JSON.stringify(api)}, ${JSON.stringify(token)}, ${JSON.stringify(customer.id)})`);
    expect(read.failed).toBeUndefined();
    expect(read.status).toBe(200);
    expect(read.body.data.customer).toMatchObject({ id: customer.id, emails: [{ value: email }] });
    expect(read.requestId).toMatch(/\S/);

    expect(await page.evaluate(`subscribe(${JSON.stringify(ws)}, ${JSON.stringify(token)}, ${JSON.stringify(customer.id)})`)).toBe('connected');
    // graphql-ws acknowledges the connection before the subscription is registered: record until one arrives.
    const sent: string[] = [];
    for (let attempt = 0; attempt < 20 && (await page.evaluate<number>(`window.events.length`)) === 0; attempt++) {
      sent.push(`from the browser test ${unique()}`);
      await recordFor(customer.id, sent[sent.length - 1]);
      await new Promise((r) => setTimeout(r, 250));
    }
    await page.waitFor(`window.events.length > 0`);
    const events = await page.evaluate<any[]>(`window.events`);
    expect(sent).toContain(events[0].data.customerActivity.content);
  });
});

describe('a browser page on an unlisted origin', () => {
  it('is refused: fetch fails for want of CORS headers and the WebSocket upgrade is rejected', async () => {
    const customer = await createCustomer(app.pool);
    const page = await browser.open(`${unlisted.origin}/`);
    const token = tokenFor(['agent']);
    const read = await page.evaluate<any>(`read360(${JSON.stringify(api)}, ${JSON.stringify(token)}, ${JSON.stringify(customer.id)})`);
    expect(read.failed).toMatch(/Failed to fetch/);
    const live = await page.evaluate<string>(`subscribe(${JSON.stringify(ws)}, ${JSON.stringify(token)}, ${JSON.stringify(customer.id)})`);
    expect(live).toMatch(/^closed/);
  });
});
