import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { recordAudit } from '../../src/audit/audit-log';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const AUDIT = `query($first: Int!, $after: String, $action: String, $subject: String) {
  auditLog(first: $first, after: $after, action: $action, subject: $subject) {
    pageInfo { hasNextPage endCursor }
    edges { node { id at actor actorRoles action subject requestId details } }
  }
}`;
const entriesOf = async (actor: string) =>
  (await app.pool.query(`SELECT * FROM audit_log WHERE actor = $1 ORDER BY id`, [actor])).rows;

describe('audit log', () => {
  it('records a role-refused attempt with who, what, the schema coordinate and the request id', async () => {
    const sub = `marketer-${randomUUID()}`;
    const { id } = await createCustomer(app.pool);
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['marketing'], sub)}`)
      .send({ query: `query($id: ID!) { customer(id: $id) { id } }`, variables: { id } });
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const [entry] = await entriesOf(sub);
    expect(entry).toMatchObject({
      action: 'ACCESS_DENIED',
      subject: 'Query.customer',
      actor_roles: ['marketing'],
      request_id: res.headers['x-request-id'],
      details: { required: ['viewer'], held: ['marketing'] },
    });
  });

  it('writes one entry per refused field per request, however often the document asks for it', async () => {
    const sub = `ingest-${randomUUID()}`;
    await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['ingest'], sub)}`)
      .send({ query: `{ a: customers(first: 1) { totalCount } b: customers(first: 2) { totalCount } }` });
    expect((await entriesOf(sub)).map((e) => e.subject)).toEqual(['Query.customers']);
  });

  it('answers a refusal only once its entry is written, even when another alias of the field fails first', async () => {
    // Hold audit_log so the entry cannot be written yet: the FORBIDDEN answer must wait for it.
    const sub = `ingest-${randomUUID()}`;
    const blocker = await app.pool.connect();
    let answered = false;
    let locked = false;
    try {
      await blocker.query('BEGIN');
      locked = true;
      await blocker.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
      const pending = request(app.server)
        .post('/graphql')
        .set('authorization', `Bearer ${tokenFor(['ingest'], sub)}`)
        .send({ query: `{ a: customers(first: 1) { totalCount } b: customers(first: 2) { totalCount } }` })
        .then((res) => {
          answered = true;
          return res;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      await blocker.query('COMMIT');
      locked = false;
      const res = await pending;
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect((await entriesOf(sub)).map((e) => e.subject)).toEqual(['Query.customers']);
    } finally {
      if (locked) await blocker.query('ROLLBACK');
      blocker.release();
    }
  });

  it('lets admin read the log newest first, filtered by action and subject, page by page', async () => {
    const subject = `customer:${randomUUID()}`;
    for (const n of [1, 2, 3]) {
      await recordAudit(app.pool, { actor: { sub: 'ops-test', roles: ['supervisor'] }, action: 'ESCALATED', subject, details: { n } });
    }
    await recordAudit(app.pool, { actor: 'rule:churn', action: 'CUSTOMERS_MERGED', subject });
    const first = await app.gql(AUDIT, { first: 2, action: 'ESCALATED', subject }, ['admin']);
    expect(first.errors).toBeUndefined();
    const page1 = first.data!.auditLog;
    expect(page1.edges.map((e: any) => e.node.details.n)).toEqual([3, 2]);
    expect(page1.edges[0].node).toMatchObject({ actor: 'ops-test', actorRoles: ['supervisor'], action: 'ESCALATED', subject });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await app.gql(AUDIT, { first: 2, action: 'ESCALATED', subject, after: page1.pageInfo.endCursor }, ['admin']);
    expect(second.data!.auditLog.edges.map((e: any) => e.node.details.n)).toEqual([1]);
    const all = await app.gql(AUDIT, { first: 10, subject }, ['admin']);
    expect(all.data!.auditLog.edges.map((e: any) => e.node.action)).toEqual(['CUSTOMERS_MERGED', 'ESCALATED', 'ESCALATED', 'ESCALATED']);
  });

  it.each(['viewer', 'agent', 'supervisor', 'marketing', 'ingest'])('refuses auditLog to %s, and logs that refusal', async (role) => {
    const sub = `peek-${role}-${randomUUID()}`;
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor([role], sub)}`)
      .send({ query: AUDIT, variables: { first: 1 } });
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await entriesOf(sub)).map((e) => e.subject)).toEqual(['Query.auditLog']);
  });

  it('commits or rolls back with the transaction that records it', async () => {
    const subject = `customer:${randomUUID()}`;
    await expect(
      app.dataSource.transaction(async (m) => {
        await recordAudit(m, { actor: 'ops-test', action: 'CUSTOMER_ERASED', subject });
        throw new Error('the erasure failed');
      }),
    ).rejects.toThrow('the erasure failed');
    await app.dataSource.transaction((m) => recordAudit(m, { actor: 'ops-test', action: 'CONSENT_CHANGED', subject }));
    const { rows } = await app.pool.query(`SELECT action FROM audit_log WHERE subject = $1`, [subject]);
    expect(rows.map((r) => r.action)).toEqual(['CONSENT_CHANGED']);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const subject = `customer:${randomUUID()}`;
    await recordAudit(app.pool, { actor: 'ops-test', action: 'CUSTOMER_EXPORTED', subject });
    await expect(app.pool.query(`UPDATE audit_log SET actor = 'someone else' WHERE subject = $1`, [subject])).rejects.toThrow(/append-only/);
    await expect(app.pool.query(`DELETE FROM audit_log WHERE subject = $1`, [subject])).rejects.toThrow(/append-only/);
    // In a transaction that is rolled back either way, so a bug here cannot empty the shared table.
    const client = await app.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect((await app.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE subject = $1`, [subject])).rows[0].n).toBe(1);
  });

  it('refuses an after cursor it did not issue with BAD_USER_INPUT', async () => {
    const res = await app.gql(AUDIT, { first: 1, after: Buffer.from(JSON.stringify(['x', 'drop'])).toString('base64url') }, ['admin']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('audit entries written by other features', () => {
  it('records a merge and its undo with the supervisor, the survivor and the request id', async () => {
    const survivor = (await createCustomer(app.pool)).id;
    const merged = (await createCustomer(app.pool)).id;
    const sub = `supervisor-${randomUUID()}`;
    const as = (query: string, variables: Record<string, unknown>) =>
      request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['supervisor'], sub)}`).send({ query, variables });
    const merge = await as(`mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`, { a: survivor, b: merged });
    const mergeId = merge.body.data.mergeCustomers.id;
    const undo = await as(`mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`, { id: mergeId });
    expect(undo.body.errors).toBeUndefined();
    const entries = await entriesOf(sub);
    expect(entries.map((e) => [e.action, e.subject, e.request_id, e.details])).toEqual([
      ['CUSTOMERS_MERGED', survivor, merge.headers['x-request-id'], { mergeId, mergedId: merged }],
      ['MERGE_UNDONE', survivor, undo.headers['x-request-id'], { mergeId, mergedId: merged }],
    ]);
    expect(entries[0].actor_roles).toEqual(['agent', 'supervisor', 'viewer']);
  });
});

describe('audit entries for consent, export and erasure', () => {
  it('records a consent change with the identity, purpose and status', async () => {
    const c = await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `audit${randomUUID().slice(0, 8)}` }] });
    const sub = `agent-${randomUUID()}`;
    const res = await request(app.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokenFor(['agent'], sub)}`)
      .send({
        query: `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
        variables: { input: { socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } },
      });
    expect(res.body.errors).toBeUndefined();
    const [entry] = await entriesOf(sub);
    expect(entry).toMatchObject({
      action: 'CONSENT_CHANGED',
      subject: c.id,
      request_id: res.headers['x-request-id'],
      details: { socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' },
    });
  });

  it('records an export and an erasure, once however often the erasure is repeated, with no personal data', async () => {
    const email = `audit-${randomUUID().slice(0, 8)}@example.com`;
    const c = await createCustomer(app.pool, { emails: [email] });
    const sub = `admin-${randomUUID()}`;
    const as = (query: string) =>
      request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['admin'], sub)}`).send({ query, variables: { id: c.id } });
    expect((await as(`query($id: ID!) { exportCustomer(id: $id) }`)).body.errors).toBeUndefined();
    for (let n = 0; n < 2; n++) expect((await as(`mutation($id: ID!) { eraseCustomer(id: $id) }`)).body.data.eraseCustomer).toBe(true);
    const entries = await entriesOf(sub);
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['CUSTOMER_EXPORTED', c.id],
      ['CUSTOMER_ERASED', c.id],
    ]);
    expect(JSON.stringify(entries)).not.toContain(email);
  });
});

describe('audit entries for escalations', () => {
  it('records a manual escalation and its resolution with the agent, the customer and the team, without the free-text reason', async () => {
    const c = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER' }] });
    const sub = `escalating-${randomUUID()}`;
    const as = (query: string, variables: Record<string, unknown>) =>
      request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['supervisor'], sub)}`).send({ query, variables });
    const escalated = await as(`mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`, {
      input: { interactionId: c.interactionIds[0], team: 'LEGAL', reason: 'private words about the customer' },
    });
    const escalationId = escalated.body.data.escalateInteraction.id;
    const resolved = await as(`mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { id } }`, { input: { escalationId, resolution: 'done' } });
    expect(resolved.body.errors).toBeUndefined();
    const entries = await entriesOf(sub);
    expect(entries.map((e) => [e.action, e.subject, e.request_id, e.details])).toEqual([
      ['ESCALATED', c.id, escalated.headers['x-request-id'], { escalationId, interactionId: c.interactionIds[0], team: 'LEGAL', automatic: false }],
      ['ESCALATION_RESOLVED', c.id, resolved.headers['x-request-id'], { escalationId, interactionId: c.interactionIds[0], team: 'LEGAL' }],
    ]);
    expect(JSON.stringify(entries)).not.toContain('private words');
  });

  it('records an automatic escalation raised by a stored rule, with the rule as the actor', async () => {
    const key = `audit-churn-${randomUUID()}`;
    const res = await app.gql(
      `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id customer { id } } }`,
      { input: { idempotencyKey: key, channel: 'EMAIL', content: 'I am thinking of leaving you for good', email: `${key}@example.com` } },
      ['ingest'],
    );
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(`SELECT * FROM audit_log WHERE action = 'ESCALATED' AND subject = $1`, [res.data!.recordInteraction.customer.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toMatch(/^rule:/);
    expect(rows[0].details).toMatchObject({ interactionId: res.data!.recordInteraction.id, automatic: true });
  });
});
