import pino from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createDataSource } from '../../src/db/data-source';
import { RetentionJob } from '../../src/privacy/retention-job';
import { runRetentionBatch } from '../../src/privacy/retention.service';
import { startTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { createCustomer, unique } from '../helpers/factory';
import { findAnywhere } from '../helpers/find-anywhere';

// Retention applies to every row of a database, so this file has a database of its own: the
// policy and the simulated days (runRetentionBatch's `now`) cannot touch other files' data.
let scratch: { url: string; drop(): Promise<void> };
let app: TestApp;
beforeAll(async () => {
  scratch = await createScratchDatabase();
  app = await startTestApp({ url: scratch.url });
});
afterAll(async () => {
  await app.close();
  await scratch.drop();
});

const DAY = 86_400_000;
/** A simulated clock: each run is a day or more after the previous one (runs start at most daily). */
let clock = Date.now();
const later = (days: number) => new Date((clock += days * DAY));
const POLICY = `mutation($input: RetentionPolicyInput!) { setRetentionPolicy(input: $input) { closedConversationDays anonymiseInactiveCustomerDays updatedAt } }`;

async function setPolicy(closedConversationDays: number | null, anonymiseInactiveCustomerDays: number | null) {
  const res = await app.gql(POLICY, { input: { closedConversationDays, anonymiseInactiveCustomerDays } }, ['admin']);
  expect(res.errors).toBeUndefined();
}

/** Runs batches until the run is done, as the job's tick does; answers the batches. */
async function runAll(now: Date, batchSize = 100) {
  const batches = [];
  for (let k = 0; k < 100; k++) {
    const b = await runRetentionBatch(app.dataSource, { batchSize, now });
    batches.push(b);
    if (b.done) break;
  }
  return batches;
}

/** A customer with one inbound interaction (its own conversation), resolved now, with a resolved escalation. */
async function closedConversation(content = `my order ${unique()} never came`) {
  const c = await createCustomer(app.pool, { interactions: [{ content, occurredAt: new Date(Date.now() - 60_000) }] });
  await app.pool.query(`UPDATE interactions SET status = 'RESOLVED', resolved_at = now() WHERE id = $1`, [c.interactionIds[0]]);
  const { rows } = await app.pool.query(
    `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_by) VALUES ($1, $2, 'SUPERVISOR', $3, 'test') RETURNING id`,
    [c.id, c.interactionIds[0], `angry about ${content}`],
  );
  await app.pool.query(`UPDATE escalations SET resolved_at = now(), resolution = 'refunded' WHERE id = $1`, [rows[0].id]);
  return { ...c, content };
}

const contentOf = async (interactionId: string) =>
  (await app.pool.query(`SELECT content FROM interactions WHERE id = $1`, [interactionId])).rows[0].content as string;

describe('retention', () => {
  it('is off by default: the policy reads null, and a run changes nothing however old the data', async () => {
    const res = await app.gql(`query { retentionPolicy { closedConversationDays anonymiseInactiveCustomerDays updatedAt } }`, {}, ['admin']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.retentionPolicy).toMatchObject({ closedConversationDays: null, anonymiseInactiveCustomerDays: null });
    const c = await closedConversation();
    const batch = await runRetentionBatch(app.dataSource, { batchSize: 100, now: new Date(Date.now() + 100 * 365 * DAY) });
    expect(batch).toMatchObject({ state: 'OFF', runId: null, done: true });
    expect(await contentOf(c.interactionIds[0])).toBe(c.content);
    expect((await app.pool.query(`SELECT count(*)::int AS n FROM retention_runs`)).rows[0].n).toBe(0);
  });

  it('refuses bad days with BAD_USER_INPUT and writes nothing; roles other than admin are FORBIDDEN', async () => {
    const before = (await app.pool.query(`SELECT * FROM retention_policy`)).rows[0];
    const audits = async () => (await app.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'RETENTION_POLICY_SET'`)).rows[0].n as number;
    const auditsBefore = await audits();
    for (const input of [{ closedConversationDays: 0 }, { anonymiseInactiveCustomerDays: -3 }, { closedConversationDays: 36_501 }]) {
      const res = await app.gql(POLICY, { input }, ['admin']);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    for (const role of ['supervisor', 'agent', 'marketing', 'ingest', 'viewer'] as const) {
      expect((await app.gql(POLICY, { input: { closedConversationDays: 5 } }, [role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await app.gql(`query { retentionPolicy { updatedAt } }`, {}, [role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await app.pool.query(`SELECT * FROM retention_policy`)).rows[0]).toEqual(before);
    expect(await audits()).toBe(auditsBefore);
  });

  it('audits a change once: setting the same policy again (a retry) writes nothing', async () => {
    const audits = async () => (await app.pool.query(`SELECT details FROM audit_log WHERE action = 'RETENTION_POLICY_SET' ORDER BY at`)).rows;
    const n = (await audits()).length;
    await setPolicy(400, null);
    await setPolicy(400, null);
    const after = await audits();
    expect(after).toHaveLength(n + 1);
    expect(after[after.length - 1].details).toEqual({ before: { closedConversationDays: null, anonymiseInactiveCustomerDays: null }, after: { closedConversationDays: 400, anonymiseInactiveCustomerDays: null } });
    await setPolicy(null, null);
  });

  it('two admins at once: each change is audited against the value it replaced; the same value twice is audited once', async () => {
    const audits = async () => (await app.pool.query(`SELECT details FROM audit_log WHERE action = 'RETENTION_POLICY_SET' ORDER BY at, id`)).rows.map((r) => r.details);
    const n = (await audits()).length;
    await Promise.all([setPolicy(10, null), setPolicy(20, null)]);
    const two = (await audits()).slice(n);
    expect(two).toHaveLength(2);
    expect(two[1].before).toEqual(two[0].after);
    const final = (await app.pool.query(`SELECT closed_conversation_days AS d FROM retention_policy`)).rows[0].d;
    expect(final).toBe(two[1].after.closedConversationDays);
    await Promise.all([setPolicy(null, 50), setPolicy(null, 50)]);
    expect((await audits()).slice(n)).toHaveLength(3);
    await setPolicy(null, null);
  });

  it('redacts the text of conversations closed for N days, through the data inventory, and leaves open and younger ones', async () => {
    const old = await closedConversation();
    const open = await createCustomer(app.pool, { interactions: [{ content: `still waiting ${unique()}`, occurredAt: new Date(Date.now() - 60_000) }] });
    await setPolicy(30, null);
    // 29 days on: closed, but not long enough.
    await runAll(later(29));
    expect(await contentOf(old.interactionIds[0])).toBe(old.content);
    // 31 days after the resolution (the next daily run).
    const batches = await runAll(later(2));
    expect(batches.reduce((n, b) => n + b.conversationsRedacted, 0)).toBeGreaterThanOrEqual(1);
    expect(await contentOf(old.interactionIds[0])).toBe('[erased]');
    const { rows: [esc] } = await app.pool.query(`SELECT reason, resolution FROM escalations WHERE interaction_id = $1`, [old.interactionIds[0]]);
    expect(esc).toEqual({ reason: '[erased]', resolution: '[erased]' });
    expect(await contentOf(open.interactionIds[0])).toMatch(/^still waiting/);
    // The customer itself is kept: only the content went.
    expect((await app.pool.query(`SELECT erased_at FROM customers WHERE id = $1`, [old.id])).rows[0].erased_at).toBeNull();
    await setPolicy(null, null);
  });

  it('anonymises customers inactive for M days exactly as erasure does, and keeps the active ones', async () => {
    const email = `ret-${unique()}@example.com`;
    const handle = `ret${unique()}`;
    const inactive = await createCustomer(app.pool, {
      displayName: `Retained Person ${unique()}`, emails: [email], handles: [{ platform: 'TWITTER', handle, followerCount: 12 }],
      interactions: [{ content: `write to ${email}`, occurredAt: new Date(Date.now() - 60_000) }],
    });
    // Active in the simulated future: an interaction 200 days from now.
    const active = await createCustomer(app.pool, { emails: [`active-${unique()}@example.com`], interactions: [{ content: 'hi', occurredAt: new Date(Date.now() + 200 * DAY) }] });
    // A buyer is active too: a purchase 200 days from now and nothing else.
    const buyer = await createCustomer(app.pool, { emails: [`buyer-${unique()}@example.com`] });
    await app.pool.query(
      `INSERT INTO purchases (id, customer_id, product, purchased_at, idempotency_key, content_hash, created_by)
       VALUES (gen_random_uuid(), $1, 'kettle', now() + interval '200 days', $2, 'h', 'test')`, [buyer.id, `ret-${unique()}`]);
    await setPolicy(null, 365);
    const batches = await runAll(later(400));
    expect(batches.reduce((n, b) => n + b.customersAnonymised, 0)).toBeGreaterThanOrEqual(1);
    expect(await findAnywhere(app.pool, email)).toEqual([]);
    expect(await findAnywhere(app.pool, handle)).toEqual([]);
    expect((await app.pool.query(`SELECT count(*)::int AS n FROM follower_history h JOIN social_identities si ON si.id = h.social_identity_id WHERE si.customer_id = $1`, [inactive.id])).rows[0].n).toBe(0);
    const { rows: [erasure] } = await app.pool.query(`SELECT erased_by FROM erasures WHERE customer_id = $1`, [inactive.id]);
    expect(erasure.erased_by).toBe('job:retention');
    expect((await app.pool.query(`SELECT erased_at FROM customers WHERE id = $1`, [active.id])).rows[0].erased_at).toBeNull();
    expect((await app.pool.query(`SELECT erased_at FROM customers WHERE id = $1`, [buyer.id])).rows[0].erased_at).toBeNull();
    await setPolicy(null, null);
  });

  it('resumes after a crash between batches: each conversation is redacted once and the run finishes', async () => {
    const conversations = [await closedConversation(), await closedConversation(), await closedConversation()];
    await setPolicy(1, null);
    const now = later(2);
    const first = await runRetentionBatch(app.dataSource, { batchSize: 1, now });
    expect(first).toMatchObject({ state: 'CONVERSATIONS', conversationsRedacted: 1, done: false });
    // The process dies here; a new one (its own connections) picks the run up from its cursor.
    const restarted = createDataSource({ url: scratch.url, poolSize: 2 });
    await restarted.initialize();
    try {
      let redacted = first.conversationsRedacted;
      for (let k = 0; k < 20; k++) {
        const b = await runRetentionBatch(restarted, { batchSize: 1, now });
        expect(b.runId).toBe(first.runId);
        redacted += b.conversationsRedacted;
        if (b.done) break;
      }
      expect(redacted).toBe(3);
      const { rows: [run] } = await app.pool.query(`SELECT phase, conversations_redacted, finished_at FROM retention_runs WHERE id = $1`, [first.runId]);
      expect(run).toMatchObject({ phase: 'DONE', conversations_redacted: 3 });
      expect(run.finished_at).not.toBeNull();
      for (const c of conversations) expect(await contentOf(c.interactionIds[0])).toBe('[erased]');
      // Daily: the same day does not start another run.
      expect(await runRetentionBatch(restarted, { batchSize: 1, now })).toMatchObject({ state: 'IDLE', done: true });
    } finally {
      await restarted.destroy();
    }
    await setPolicy(null, null);
  });

  it('two processes running at once apply each batch once', async () => {
    for (let k = 0; k < 4; k++) await closedConversation();
    await setPolicy(1, null);
    const now = later(2);
    const other = createDataSource({ url: scratch.url, poolSize: 2 });
    await other.initialize();
    try {
      const loop = async (ds: typeof other) => {
        let n = 0;
        for (let k = 0; k < 20; k++) {
          const b = await runRetentionBatch(ds, { batchSize: 1, now });
          n += b.conversationsRedacted;
          if (b.done) break;
        }
        return n;
      };
      const [a, b] = await Promise.all([loop(app.dataSource), loop(other)]);
      const { rows: [run] } = await app.pool.query(`SELECT conversations_redacted FROM retention_runs ORDER BY id DESC LIMIT 1`);
      expect(a + b).toBe(4);
      expect(run.conversations_redacted).toBe(4);
    } finally {
      await other.destroy();
    }
    await setPolicy(null, null);
  });

  it('counts what it applied on /metrics and logs each batch', async () => {
    await closedConversation();
    await setPolicy(1, null);
    const registry = new Registry();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const job = new RetentionJob(app.dataSource, logger, registry, { batchSize: 100 });
    await job.tick(later(2));
    const text = await registry.metrics();
    expect(text).toMatch(/social_crm_retention_applied_total\{applied="conversations"\} 1\b/);
    expect(text).toMatch(/social_crm_retention_applied_total\{applied="batches"\} [1-9]/);
    expect(lines.join('\n')).toContain('retention batch applied');
    const served = await request(app.server).get('/metrics');
    expect(served.text).toContain('social_crm_retention_applied_total');
    await setPolicy(null, null);
  });
});
