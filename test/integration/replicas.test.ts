import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import { ConsentPurpose } from '../../src/graphql/enums';
import { exportSegment } from '../../src/segments/segment-export';
import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { startReplicatedCluster, type ReplicatedCluster } from '../helpers/databases';
import { createCustomer } from '../helpers/factory';

// A real streaming replica (hot standby of a primary of this test's own): queries read there,
// mutations and read-your-writes on the primary, and a replica that dies fails no request.
jest.setTimeout(300_000);

const CUSTOMER = 'query C($id: ID!) { customer(id: $id) { id displayName tier } }';
const SET_TIER = 'mutation T($id: ID!, $tier: Tier!) { setTier(customerId: $id, tier: $tier) { id tier } }';

let cluster: ReplicatedCluster;
let app: TestApp;
let replica: Client;

const gqlAs = (sub: string, query: string, variables: Record<string, unknown>, roles = ['admin']) =>
  request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles, sub)}`).send({ query, variables });

/** Until the standby has replayed everything the primary wrote so far. */
async function replicaCaughtUp(): Promise<void> {
  const { rows } = await app.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  for (let i = 0; i < 200; i++) {
    const { rows: r } = await replica.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [rows[0].lsn]);
    if (r[0].ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the replica did not catch up in 10 s');
}

/** Until the app's own replica check has seen the replica (reachable, within the lag limit). */
async function replicaUsable(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (app.replicas!.status()[0].usable) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the replica did not become usable: ${JSON.stringify(app.replicas!.status())}`);
}

beforeAll(async () => {
  cluster = await startReplicatedCluster();
  app = await startTestApp({ url: cluster.primaryUrl, poolSize: 8, replicas: { urls: [cluster.replicaUrl], maxLagMs: 2_000, stickinessMs: 10_000 } });
  replica = new Client({ connectionString: cluster.replicaUrl });
  await replica.connect();
  await replicaCaughtUp();
  await replicaUsable();
});
afterAll(async () => {
  await replica?.end().catch(() => undefined);
  await app?.close();
  await cluster?.destroy();
});

describe('read replicas (DATABASE_REPLICA_URLS) on a real streaming standby', () => {
  it('is a standby that streams from the primary', async () => {
    expect((await replica.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
    const { rows } = await app.pool.query(`SELECT application_name, state FROM pg_stat_replication`);
    expect(rows).toEqual([{ application_name: 'social_crm_standby', state: 'streaming' }]);
  });

  it('answers a query from the replica and a mutation from the primary', async () => {
    const c = await createCustomer(app.pool, { displayName: 'Read Me', tier: 'NONE' });
    await replicaCaughtUp();
    await app.replicas!.check();
    const read = await gqlAs('reader', CUSTOMER, { id: c.id });
    expect(read.body).toEqual({ data: { customer: { id: c.id, displayName: 'Read Me', tier: 'NONE' } } });
    expect(read.headers['x-database-server']).toBe('replica-1');
    // The replica's own view: one of the app's sessions there ran the customer read.
    const { rows: sessions } = await replica.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE application_name = 'social-crm' AND query ILIKE '%customers%' AND query NOT ILIKE '%pg_stat_activity%'`,
    );
    expect(sessions.length).toBeGreaterThan(0);

    const write = await gqlAs('writer', SET_TIER, { id: c.id, tier: 'GOLD' });
    expect(write.body.errors).toBeUndefined();
    expect(write.headers['x-database-server']).toBe('primary');
    expect((await app.pool.query(`SELECT tier FROM customers WHERE id = $1`, [c.id])).rows[0].tier).toBe('GOLD');
  });

  it('says which server an export read: a segment export from the replica, a customer export (it writes its audit) from the primary', async () => {
    const out = new PassThrough();
    out.resume();
    const result = await exportSegment(app.replicas!.choose(undefined).pool, out, { filter: { country: 'ZZ' }, purpose: ConsentPurpose.MARKETING });
    expect(result.readFrom).toMatchObject({ role: 'replica', server: `127.0.0.1:${cluster.replicaPort}/social_crm` });
    expect(result.readFrom!.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const c = await createCustomer(app.pool);
    const doc = await gqlAs('exporter', 'query($id: ID!) { exportCustomer(id: $id) }', { id: c.id });
    expect(doc.body.data.exportCustomer.readFrom).toMatchObject({ role: 'primary', server: `127.0.0.1:${cluster.primaryPort}/social_crm` });
  });

  it('100 write-then-read pairs by one subject all see their own write; once the replica replayed it, the subject reads there again', async () => {
    const c = await createCustomer(app.pool, { tier: 'NONE' });
    await replicaCaughtUp();
    // Replication here is faster than an HTTP round trip: the standby applies each commit 400 ms
    // late (still within REPLICA_MAX_LAG_MS), so a read that went to it would see the old tier.
    await replica.query(`ALTER SYSTEM SET recovery_min_apply_delay = '400ms'`);
    await replica.query('SELECT pg_reload_conf()');
    const first = await gqlAs('pairs', SET_TIER, { id: c.id, tier: 'GOLD' });
    expect(first.body.errors).toBeUndefined();
    // Another subject has no write to wait for: it reads the replica, which has not applied it yet.
    const stale = await gqlAs('not-the-writer', CUSTOMER, { id: c.id });
    expect(stale.headers['x-database-server']).toBe('replica-1');
    expect(stale.body.data.customer.tier).toBe('NONE');
    const tiers = ['BRONZE', 'SILVER', 'GOLD', 'PLATINUM'];
    const servers = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const tier = tiers[i % tiers.length];
      const write = await gqlAs('pairs', SET_TIER, { id: c.id, tier });
      expect(write.body.errors).toBeUndefined();
      const read = await gqlAs('pairs', CUSTOMER, { id: c.id });
      expect(read.body.data.customer.tier).toBe(tier);
      servers.set(read.headers['x-database-server'], (servers.get(read.headers['x-database-server']) ?? 0) + 1);
    }
    expect(servers.get('primary')).toBeGreaterThan(0);
    // The subject's last write is replayed: inside the stickiness window its reads go back to the replica.
    await replicaCaughtUp();
    await app.replicas!.check();
    const after = await gqlAs('pairs', CUSTOMER, { id: c.id });
    expect(after.body.data.customer.tier).toBe('PLATINUM');
    expect(after.headers['x-database-server']).toBe('replica-1');
    await replica.query('ALTER SYSTEM RESET recovery_min_apply_delay');
    await replica.query('SELECT pg_reload_conf()');
  });

  it('skips a replica that lags more than REPLICA_MAX_LAG_MS and reports it on /readyz and /metrics', async () => {
    await replica.query('SELECT pg_wal_replay_pause()');
    try {
      const c = await createCustomer(app.pool, { tier: 'NONE' });
      await app.pool.query(`UPDATE customers SET tier = 'GOLD' WHERE id = $1`, [c.id]);
      const deadline = Date.now() + 15_000;
      while (app.replicas!.status()[0].usable && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const status = app.replicas!.status()[0];
      expect(status).toMatchObject({ name: 'replica-1', reachable: true, usable: false });
      expect(status.lagMs).toBeGreaterThan(2_000);
      const read = await gqlAs('someone-else', CUSTOMER, { id: c.id });
      expect(read.headers['x-database-server']).toBe('primary');
      expect(read.body.data.customer.tier).toBe('GOLD');
      const ready = await request(app.server).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.replicas).toEqual([expect.objectContaining({ name: 'replica-1', reachable: true, usable: false })]);
      const metrics = (await request(app.server).get('/metrics')).text;
      expect(metrics).toMatch(/social_crm_db_replica_up\{replica="replica-1"\} 1/);
      expect(metrics).toMatch(/social_crm_db_replica_usable\{replica="replica-1"\} 0/);
      expect(metrics).toMatch(/social_crm_db_replica_lag_seconds\{replica="replica-1"\} [2-9]/);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
    }
    await replicaCaughtUp();
    await replicaUsable();
  });

  it('fails no request when the replica is killed mid-load, and reads from it again once it is back', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, (_, i) => createCustomer(app.pool, { displayName: `Load ${i}` })));
    await replicaCaughtUp();
    await replicaUsable();
    await replica.end();
    const results: { status: number; errors: unknown; server: string }[] = [];
    let killed = false;
    const worker = async (n: number) => {
      for (let i = 0; i < 40; i++) {
        const c = customers[(n + i) % customers.length];
        const res = await gqlAs(`load-${n}`, CUSTOMER, { id: c.id });
        results.push({ status: res.status, errors: res.body.errors, server: res.headers['x-database-server'] });
        expect(res.body.data?.customer?.id).toBe(c.id);
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, n) => worker(n)));
    while (results.length < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    await cluster.killReplica();
    killed = true;
    await load;
    expect(killed).toBe(true);
    expect(results).toHaveLength(240);
    expect(results.filter((r) => r.status !== 200 || r.errors !== undefined)).toEqual([]);
    expect(results.slice(0, 40).some((r) => r.server === 'replica-1')).toBe(true);
    expect(results.slice(-20).every((r) => r.server === 'primary')).toBe(true);
    const ready = await request(app.server).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.replicas).toEqual([expect.objectContaining({ name: 'replica-1', reachable: false, usable: false })]);
    expect((await request(app.server).get('/metrics')).text).toMatch(/social_crm_db_replica_up\{replica="replica-1"\} 0/);

    await cluster.startReplica();
    replica = new Client({ connectionString: cluster.replicaUrl });
    await replica.connect();
    await replicaCaughtUp();
    await replicaUsable();
    expect((await gqlAs('back', CUSTOMER, { id: customers[0].id })).headers['x-database-server']).toBe('replica-1');
  });
});
