import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, tokenFor, TEST_SECRET, type TestApp } from '../helpers/app';
import { buildOnce, freePort, startProcess, type Started } from '../helpers/process';
import { liveClient, settle } from '../helpers/live';
import { waitFor } from '../helpers/receiver';
import type { Server } from 'node:http';

// Two API processes on one database: this jest worker's app and a real `node dist/src/main.js`.
let app: TestApp;
let other: Started;
let port: number;
let dataDir: string;
beforeAll(async () => {
  buildOnce();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'social-crm-live-'));
  app = await startTestApp();
  port = await freePort();
  other = await startProcess('src/main.js', {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: String(port),
    DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: dataDir, JWT_SECRET: TEST_SECRET, SEED_DEMO: 'false', WEBHOOK_WORKER: 'false',
  } as NodeJS.ProcessEnv, /serving GraphQL/);
}, 120_000);
afterAll(async () => {
  if (other.child.exitCode === null) other.child.kill('SIGKILL');
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The spawned process, as something liveClient can address. */
const otherServer = () => ({ address: () => ({ port, address: '127.0.0.1', family: 'IPv4' }) }) as unknown as Server;
const ACTIVITY = `subscription($id: ID!) { customerActivity(customerId: $id) { id content } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`;

describe('live desk across processes', () => {
  it('a subscriber on either process sees writes made through the other; SIGTERM closes sockets with 1001', async () => {
    const c = await createCustomer(app.pool);
    const onOther = liveClient(otherServer(), tokenFor(['viewer']));
    const onThis = liveClient(app.server, tokenFor(['viewer']));
    const a = onOther.subscribe(ACTIVITY, { id: c.id });
    const b = onThis.subscribe(ACTIVITY, { id: c.id });
    await settle(400);
    // Written through this process ...
    const first = await app.gql(RECORD, { input: { idempotencyKey: `xp-${unique()}`, customerId: c.id, channel: 'CHAT', content: 'through this one' } }, ['ingest']);
    // ... and through the spawned one.
    const res = await request(`http://127.0.0.1:${port}`).post('/graphql').set('authorization', `Bearer ${tokenFor(['ingest'])}`)
      .send({ query: RECORD, variables: { input: { idempotencyKey: `xp-${unique()}`, customerId: c.id, channel: 'CHAT', content: 'through the other' } } });
    expect(res.body.errors).toBeUndefined();
    const ids = [first.data!.recordInteraction.id, res.body.data.recordInteraction.id];
    await waitFor(() => a.items.length >= 2 && b.items.length >= 2, 10_000, 'both events on both processes');
    expect(a.items.map((i) => i.id)).toEqual(ids);
    expect(b.items.map((i) => i.id)).toEqual(ids);

    other.child.kill('SIGTERM');
    expect((await onOther.closed).code).toBe(1001);
    expect(await other.exited).toBe(0);
    await onThis.dispose();
  });
});
