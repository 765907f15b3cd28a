import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 6 });
});
afterAll(() => app.close());

const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status customer { id } } }`;

/** One recordInteraction as `sub` (an agent: classification results are readable). */
async function record(input: Record<string, unknown>, sub: string) {
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`).send({ query: RECORD, variables: { input } });
  return { data: res.body?.data, errors: res.body?.errors as { message: string; extensions: Record<string, any> }[] | undefined, headers: res.headers as Record<string, string> };
}

describe('recordInteraction: concurrent single calls written together', () => {
  it('writes a lone single call in a pinned number of SQL statements', async () => {
    const c = await createCustomer(app.pool);
    // A topic of its own: a post on a topic with an open incident (another test's, on the shared
    // database) is grouped into it by two more statements, which is not what a lone call costs.
    const topics = [`count-${unique()}`];
    // Warm: the first call after start reads the care rules; later calls only their version.
    await record({ idempotencyKey: `warm-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'Hello, a question about my bill', topics }, 'counter');
    // The fewest of three calls: on the shared database another file may change the care rules
    // between two calls (their new version is read once more, one statement), never three times.
    const counts: number[] = [];
    for (let n = 0; n < 3; n++) {
      const res = await record({ idempotencyKey: `count-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'Hello again, my bill is wrong', topics }, 'counter');
      expect(res.errors).toBeUndefined();
      counts.push(Number(res.headers['x-sql-statements']));
    }
    // The caller's rate-limit counter, then BEGIN, stored keys with the rules' versions and the
    // customer named, the INSERT with its conversation and the topics' locks, one statement for
    // the outbox, the topic counters, the burst check of every threshold rule and the open
    // incidents, COMMIT, and the answer's customer. 13 when the rules were read on every call, 12
    // when the customer named was its own statement, 11 when the conversation, the outbox and
    // each rule's burst check had statements of their own; concurrent calls share one batch of these.
    expect(Math.min(...counts)).toBe(7);
  });

  it('200 concurrent calls with 5 bad items among them write exactly the 195 good ones, once each; each bad caller gets its own code', async () => {
    const c = await createCustomer(app.pool);
    const run = unique();
    const taken = `taken-${run}`;
    const first = await record({ idempotencyKey: taken, customerId: c.id, channel: 'EMAIL', content: 'the first content' }, 'writer-0');
    expect(first.errors).toBeUndefined();
    const bad: Record<number, { input: Record<string, unknown>; code: string; field: string }> = {
      7: { input: { customerId: '00000000-0000-4000-8000-000000000000' }, code: 'BAD_USER_INPUT', field: 'customerId' },
      41: { input: { content: '   ' }, code: 'BAD_USER_INPUT', field: 'content' },
      90: { input: { idempotencyKey: taken, content: 'other content under a stored key' }, code: 'CONFLICT', field: 'idempotencyKey' },
      133: { input: { inReplyToId: '00000000-0000-4000-8000-000000000001' }, code: 'BAD_USER_INPUT', field: 'inReplyToId' },
      188: { input: { sentiment: 3 }, code: 'BAD_USER_INPUT', field: 'sentiment' },
    };
    const calls = Array.from({ length: 200 }, (_, n) => ({
      idempotencyKey: `burst-${run}-${n}`, customerId: c.id, channel: 'EMAIL', content: `message ${n} about my order`, ...bad[n]?.input,
    }));
    const answers = await Promise.all(calls.map((input, n) => record(input, `writer-${n % 16}`)));

    for (const [n, answer] of answers.entries()) {
      if (bad[n]) {
        expect({ n, code: answer.errors?.[0].extensions.code, field: answer.errors?.[0].extensions.field }).toEqual({ n, code: bad[n].code, field: bad[n].field });
        expect(answer.errors).toHaveLength(1);
      } else {
        expect({ n, errors: answer.errors }).toEqual({ n, errors: undefined });
      }
    }
    const { rows } = await app.pool.query<{ key: string; n: number; by: string }>(
      `SELECT idempotency_key AS key, count(*)::int AS n, min(created_by) AS by FROM interactions WHERE idempotency_key LIKE $1 GROUP BY 1`,
      [`burst-${run}-%`],
    );
    const good = calls.map((input, n) => ({ key: input.idempotencyKey, n: 1, by: `writer-${n % 16}` })).filter((_, n) => !bad[n]);
    expect(rows.sort((a, b) => a.key.localeCompare(b.key))).toEqual(good.sort((a, b) => a.key.localeCompare(b.key)));
    // Each good caller got its own row back.
    const ids = answers.filter((_, n) => !bad[n]).map((a) => a.data.recordInteraction.id);
    expect(new Set(ids).size).toBe(195);
    // The stored key kept its first row.
    const kept = await app.pool.query(`SELECT content FROM interactions WHERE idempotency_key = $1`, [taken]);
    expect(kept.rows).toEqual([{ content: 'the first content' }]);
  });

  it('two concurrent calls with one key write once and both get the same answer; one INTERACTION_RECORDED event', async () => {
    const c = await createCustomer(app.pool);
    const input = { idempotencyKey: `twice-${unique()}`, customerId: c.id, channel: 'TWITTER', content: 'where is my parcel?' };
    const others = Array.from({ length: 10 }, (_, n) => ({ ...input, idempotencyKey: `${input.idempotencyKey}-other-${n}` }));
    const [a, b] = await Promise.all([record(input, 'alice'), record(input, 'bob'), ...others.map((o) => record(o, 'carol'))]);
    expect(a.errors).toBeUndefined();
    expect(b.data).toEqual(a.data);
    const stored = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE idempotency_key = $1`, [input.idempotencyKey]);
    expect(stored.rows[0].n).toBe(1);
    const events = await app.pool.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE type = 'INTERACTION_RECORDED' AND data->>'interactionId' = $1`, [a.data.recordInteraction.id]);
    expect(events.rows[0].n).toBe(1);
  });

  it('names each caller in what its item raised: the escalation audit entry carries its own request id', async () => {
    const run = unique();
    const answers = await Promise.all(Array.from({ length: 8 }, async (_, n) => {
      const requestId = `req-${run}-${n}`.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 60);
      const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], `churner-${n}`)}`).set('x-request-id', requestId)
        .send({ query: RECORD, variables: { input: { idempotencyKey: `churn-${run}-${n}`, channel: 'EMAIL', email: `churn-${n}-${run}@example.com`, content: 'I am thinking of leaving you for good' } } });
      return { requestId: res.headers['x-request-id'], data: res.body.data, errors: res.body.errors };
    }));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const { rows } = await app.pool.query(
      `SELECT request_id AS "requestId", details->>'interactionId' AS id FROM audit_log WHERE action = 'ESCALATED' AND details->>'interactionId' = ANY($1::text[])`,
      [answers.map((a) => a.data.recordInteraction.id)],
    );
    expect(rows.sort((x, y) => x.requestId.localeCompare(y.requestId)))
      .toEqual(answers.map((a) => ({ requestId: a.requestId, id: a.data.recordInteraction.id })).sort((x, y) => x.requestId.localeCompare(y.requestId)));
    const authors = await app.pool.query(`SELECT created_by AS by FROM interactions WHERE idempotency_key LIKE $1 ORDER BY created_by`, [`churn-${run}-%`]);
    expect(authors.rows.map((r) => r.by)).toEqual(Array.from({ length: 8 }, (_, n) => `churner-${n}`).sort());
  });

  it('routes by a care rule changed after the rules were cached', async () => {
    const c = await createCustomer(app.pool);
    const word = `zq${unique().replace(/[^a-z0-9]/gi, '').slice(-8).toLowerCase()}`;
    await record({ idempotencyKey: `before-${unique()}`, customerId: c.id, channel: 'EMAIL', content: `about ${word}` }, 'rules');
    const group = `Group ${word}`;
    await app.pool.query(`INSERT INTO care_skill_groups (name, position, keywords, hashtags, updated_by) VALUES ($1, -1000, $2, '{}', 'test')`, [group, [word]]);
    try {
      const after = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], 'rules')}`).send({
        query: `mutation($input: InteractionInput!) { recordInteraction(input: $input) { skillGroup } }`,
        variables: { input: { idempotencyKey: `after-${unique()}`, customerId: c.id, channel: 'EMAIL', content: `about ${word} again` } },
      });
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data.recordInteraction.skillGroup).toBe(group);
    } finally {
      await app.pool.query(`DELETE FROM care_skill_groups WHERE name = $1`, [group]);
    }
  });

  it('recordTouchpoint: 60 concurrent calls with 3 bad ones write the 57 good ones once each, by their own callers; each bad caller gets its own code', async () => {
    const run = unique();
    const a = await createCustomer(app.pool, { emails: [`owner-a-${run}@example.com`] });
    const b = await createCustomer(app.pool, { emails: [`owner-b-${run}@example.com`] });
    const TOUCH = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
    const touch = async (input: Record<string, unknown>, sub: string) => {
      const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`).send({ query: TOUCH, variables: { input } });
      return { data: res.body?.data, errors: res.body?.errors as { extensions: Record<string, any> }[] | undefined };
    };
    const taken = `tp-taken-${run}`;
    expect((await touch({ touchpoint: 'IN_STORE', emails: [`first-${run}@example.com`], idempotencyKey: taken }, 'toucher-0')).errors).toBeUndefined();
    const bad: Record<number, { input: Record<string, unknown>; code: string }> = {
      5: { input: { emails: [`other-${run}@example.com`], idempotencyKey: taken }, code: 'CONFLICT' },
      23: { input: { emails: [`owner-a-${run}@example.com`, `owner-b-${run}@example.com`] }, code: 'CONFLICT' },
      41: { input: { emails: [] }, code: 'BAD_USER_INPUT' },
    };
    const inputs = Array.from({ length: 60 }, (_, n) => ({
      touchpoint: 'ONLINE_PURCHASE', emails: [`tp-${n}-${run}@example.com`], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }], ...bad[n]?.input,
    }));
    const answers = await Promise.all(inputs.map((input, n) => touch(input, `toucher-${n % 16}`)));
    for (const [n, answer] of answers.entries()) {
      expect({ n, code: answer.errors?.[0].extensions.code }).toEqual({ n, code: bad[n]?.code });
    }
    const { rows } = await app.pool.query<{ value: string; by: string; customers: number }>(
      `SELECT p.value, p.captured_by AS by, count(DISTINCT p.customer_id)::int AS customers FROM contact_points p
        WHERE p.value LIKE $1 GROUP BY 1, 2 ORDER BY 1`,
      [`tp-%-${run}@example.com`],
    );
    const good = inputs.map((_, n) => n).filter((n) => !bad[n]);
    expect(rows).toEqual(good.map((n) => ({ value: `tp-${n}-${run}@example.com`, by: `toucher-${n % 16}`, customers: 1 }))
      .sort((x, y) => x.value.localeCompare(y.value)));
    const consents = await app.pool.query(
      `SELECT count(*)::int AS n FROM consent_events e JOIN contact_points p ON p.id = e.contact_point_id WHERE p.value LIKE $1`, [`tp-%-${run}@example.com`]);
    expect(consents.rows[0].n).toBe(57);
    expect((await app.pool.query(`SELECT count(*)::int AS n FROM contact_points WHERE value = ANY($1)`, [[`other-${run}@example.com`]])).rows[0].n).toBe(0);
  });
});

/** One escalateInteraction as `sub` (an agent), with its own request id. */
async function escalate(input: Record<string, unknown>, sub: string, requestId?: string, selection = '{ id team interaction { id status } }') {
  const req = request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`);
  if (requestId) req.set('x-request-id', requestId);
  const res = await req.send({ query: `mutation($input: EscalateInput!) { escalateInteraction(input: $input) ${selection} }`, variables: { input } });
  return { data: res.body?.data, errors: res.body?.errors as { extensions: Record<string, any> }[] | undefined, headers: res.headers as Record<string, string> };
}

/** `n` open inbound interactions of one new customer, by the bulk path. */
async function openItems(n: number): Promise<string[]> {
  const c = await createCustomer(app.pool);
  const run = unique();
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['ingest'], 'items')}`).send({
    query: `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`,
    variables: { inputs: Array.from({ length: n }, (_, k) => ({ idempotencyKey: `esc-${run}-${k}`, customerId: c.id, channel: 'EMAIL', content: `question ${k} about my invoice` })) },
  });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.recordInteractions.map((i: { id: string }) => i.id);
}

describe('escalateInteraction: concurrent single calls written together', () => {
  it('writes a lone escalation in a pinned number of SQL statements', async () => {
    const [item] = await openItems(1);
    const res = await escalate({ interactionId: item, team: 'RETENTION', reason: 'double charge' }, 'esc-counter', undefined, '{ id team }');
    expect(res.errors).toBeUndefined();
    // The caller's rate-limit counter, then BEGIN, lock, open escalations with the teams' targets
    // (due times), INSERT (which returns the answer), audit, outbox, status UPDATE, history, COMMIT:
    // 12 when the answer was read back and the targets had a statement of their own. Concurrent
    // calls share one batch of these 9 (each keeps its own rate-limit statement).
    expect(Number(res.headers['x-sql-statements'])).toBe(10);
  });

  it('60 concurrent calls with 4 bad ones write exactly the 56 good ones once each, by their callers; each bad caller gets its own code', async () => {
    const items = await openItems(60);
    const resolved = items[11];
    await app.pool.query(`UPDATE interactions SET status = 'RESOLVED', resolved_at = now() WHERE id = $1`, [resolved]);
    const already = await escalate({ interactionId: items[29], team: 'LEGAL', reason: 'first' }, 'esc-first');
    expect(already.errors).toBeUndefined();
    const bad: Record<number, { input: Record<string, unknown>; code: string }> = {
      3: { input: { interactionId: '00000000-0000-4000-8000-000000000000' }, code: 'NOT_FOUND' },
      11: { input: {}, code: 'CONFLICT' },
      29: { input: { team: 'LEGAL' }, code: 'CONFLICT' },
      47: { input: { reason: '   ' }, code: 'BAD_USER_INPUT' },
    };
    const run = unique();
    const inputs = items.map((interactionId, n) => ({ interactionId, team: 'TECHNICAL', reason: `needs a look ${n}`, ...bad[n]?.input }));
    const answers = await Promise.all(inputs.map((input, n) => escalate(input, `esc-${n % 16}`, `esc-${run}-${n}`.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 60))));
    for (const [n, answer] of answers.entries()) {
      expect({ n, code: answer.errors?.[0].extensions.code }).toEqual({ n, code: bad[n]?.code });
    }
    expect(answers[29].errors![0].extensions.escalationId).toBe(already.data.escalateInteraction.id);
    const good = items.map((id, n) => ({ id, n })).filter(({ n }) => !bad[n]);
    for (const { id, n } of good) {
      expect({ n, interactionId: answers[n].data.escalateInteraction.interaction.id, status: answers[n].data.escalateInteraction.interaction.status })
        .toEqual({ n, interactionId: id, status: 'ESCALATED' });
    }
    const { rows } = await app.pool.query<{ interactionId: string; n: number; by: string }>(
      `SELECT interaction_id AS "interactionId", count(*)::int AS n, min(created_by) AS by FROM escalations
        WHERE interaction_id = ANY($1::uuid[]) AND team = 'TECHNICAL' GROUP BY 1`, [items]);
    expect(rows.sort((a, b) => a.interactionId.localeCompare(b.interactionId)))
      .toEqual(good.map(({ id, n }) => ({ interactionId: id, n: 1, by: `esc-${n % 16}` })).sort((a, b) => a.interactionId.localeCompare(b.interactionId)));
    // Each caller's audit entry and event name its own request and escalation, as a lone call's would.
    const audits = await app.pool.query(
      `SELECT request_id AS "requestId", details->>'escalationId' AS id FROM audit_log WHERE action = 'ESCALATED' AND details->>'interactionId' = ANY($1::text[]) AND details->>'team' = 'TECHNICAL'`,
      [items]);
    expect(audits.rows.sort((x, y) => x.id.localeCompare(y.id))).toEqual(good.map(({ n }) => ({ requestId: answers[n].headers['x-request-id'], id: answers[n].data.escalateInteraction.id }))
      .sort((x, y) => x.id.localeCompare(y.id)));
    const events = await app.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT data->>'escalationId')::int AS distinct FROM outbox_events WHERE type = 'ESCALATION_RAISED' AND data->>'interactionId' = ANY($1::text[]) AND data->>'team' = 'TECHNICAL'`, [items]);
    expect(events.rows[0]).toEqual({ n: 56, distinct: 56 });
  });

  it('two concurrent escalations of one interaction to one team: one is written, the other is CONFLICT naming it', async () => {
    const [item, ...others] = await openItems(9);
    const calls = [item, item, ...others].map((interactionId, n) => escalate({ interactionId, team: 'PR_CRISIS', reason: `urgent ${n}` }, `twice-${n}`));
    const [a, b, ...rest] = await Promise.all(calls);
    for (const r of rest) expect(r.errors).toBeUndefined();
    const answers = [a, b];
    const won = answers.filter((x) => !x.errors);
    const lost = answers.filter((x) => x.errors);
    expect(won).toHaveLength(1);
    expect(lost.map((x) => ({ code: x.errors![0].extensions.code, escalationId: x.errors![0].extensions.escalationId })))
      .toEqual([{ code: 'CONFLICT', escalationId: won[0].data.escalateInteraction.id }]);
    const stored = await app.pool.query(`SELECT count(*)::int AS n FROM escalations WHERE interaction_id = $1 AND team = 'PR_CRISIS'`, [item]);
    expect(stored.rows[0].n).toBe(1);
  });
});

describe('respondToInteraction: concurrent single calls written together', () => {
  const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id status } }`;
  async function respond(input: Record<string, unknown>, sub: string) {
    const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`).send({ query: RESPOND, variables: { input } });
    return { data: res.body?.data, errors: res.body?.errors as { extensions: Record<string, any> }[] | undefined };
  }

  it('40 concurrent answers with 3 bad ones write exactly the 37 good replies once each, by their callers; each bad caller gets its own code', async () => {
    const items = await openItems(40);
    await app.pool.query(`UPDATE interactions SET status = 'RESOLVED', resolved_at = now() WHERE id = $1`, [items[9]]);
    const bad: Record<number, { input: Record<string, unknown>; code: string }> = {
      2: { input: { interactionId: '00000000-0000-4000-8000-000000000002' }, code: 'NOT_FOUND' },
      9: { input: {}, code: 'CONFLICT' },
      31: { input: { content: 'x'.repeat(10_001) }, code: 'BAD_USER_INPUT' },
    };
    const inputs = items.map((interactionId, n) => ({ interactionId, content: `Thanks, looking into it (${n})`, resolve: n % 2 === 0, ...bad[n]?.input }));
    const answers = await Promise.all(inputs.map((input, n) => respond(input, `replier-${n % 16}`)));
    for (const [n, answer] of answers.entries()) {
      expect({ n, code: answer.errors?.[0].extensions.code }).toEqual({ n, code: bad[n]?.code });
    }
    const good = items.map((id, n) => ({ id, n })).filter(({ n }) => !bad[n]);
    for (const { id, n } of good) {
      expect({ n, answer: answers[n].data.respondToInteraction }).toEqual({ n, answer: { id, status: n % 2 === 0 ? 'RESOLVED' : 'RESPONDED' } });
    }
    const { rows } = await app.pool.query<{ id: string; n: number; by: string }>(
      `SELECT in_reply_to_id AS id, count(*)::int AS n, min(created_by) AS by FROM interactions WHERE in_reply_to_id = ANY($1::uuid[]) GROUP BY 1`, [items]);
    expect(rows.sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(good.map(({ id, n }) => ({ id, n: 1, by: `replier-${n % 16}` })).sort((a, b) => a.id.localeCompare(b.id)));
    const events = await app.pool.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE type = 'INTERACTION_RESPONDED' AND data->>'interactionId' = ANY($1::text[])`, [items]);
    expect(events.rows[0].n).toBe(37);
  });

  it('two concurrent answers that resolve one interaction: one is written, the other is CONFLICT', async () => {
    const [item, ...others] = await openItems(8);
    const answers = await Promise.all([item, item, ...others].map((interactionId, n) => respond({ interactionId, content: `Done (${n})`, resolve: true }, `closer-${n}`)));
    for (const a of answers.slice(2)) expect(a.errors).toBeUndefined();
    expect(answers.slice(0, 2).map((a) => a.errors?.[0].extensions.code ?? 'written').sort()).toEqual(['CONFLICT', 'written']);
    const replies = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE in_reply_to_id = $1`, [item]);
    expect(replies.rows[0].n).toBe(1);
  });
});

describe('setConsent: concurrent single calls written together', () => {
  async function consent(input: Record<string, unknown>, sub: string, requestId: string) {
    const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], sub)}`).set('x-request-id', requestId)
      .send({ query: `mutation($input: SetConsentInput!) { setConsent(input: $input) { status recordedAt } }`, variables: { input } });
    return { data: res.body?.data, errors: res.body?.errors as { extensions: Record<string, any> }[] | undefined, headers: res.headers as Record<string, string> };
  }

  it('40 concurrent decisions with 3 bad ones write exactly the 37 good ones once each, by their callers; each bad caller gets its own code', async () => {
    const run = unique().replace(/-/g, '');
    const customers = await Promise.all(Array.from({ length: 40 }, (_, n) => createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `cons_${run}_${n}` }] })));
    const identities = customers.map((c) => c.socialIdentityIds[0]);
    const erased = 22;
    await app.pool.query(`UPDATE customers SET erased_at = now() WHERE id = $1`, [customers[erased].id]);
    const bad: Record<number, { input: Record<string, unknown>; code: string }> = {
      4: { input: { socialIdentityId: '00000000-0000-4000-8000-000000000000' }, code: 'NOT_FOUND' },
      [erased]: { input: {}, code: 'CONFLICT' },
      35: { input: { status: 'UNKNOWN' }, code: 'BAD_USER_INPUT' },
    };
    const answers = await Promise.all(identities.map((socialIdentityId, n) => consent(
      { socialIdentityId, purpose: 'MARKETING', status: 'GRANTED', source: 'IN_STORE', ...bad[n]?.input }, `cons-${n % 16}`, `cons-${run}-${n}`)));
    for (const [n, answer] of answers.entries()) expect({ n, code: answer.errors?.[0].extensions.code }).toEqual({ n, code: bad[n]?.code });
    const good = identities.map((id, n) => ({ id, n })).filter(({ n }) => !bad[n]);
    // Calls that waited were written together: one transaction, one time of record.
    expect(new Set(good.map(({ n }) => answers[n].data.setConsent.recordedAt)).size).toBeLessThan(good.length);
    const ledger = await app.pool.query<{ id: string; n: number; by: string }>(
      `SELECT social_identity_id AS id, count(*)::int AS n, min(recorded_by) AS by FROM consent_events WHERE social_identity_id = ANY($1::uuid[]) GROUP BY 1`, [identities]);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(ledger.rows.sort(byId)).toEqual(good.map(({ id, n }) => ({ id, n: 1, by: `cons-${n % 16}` })).sort(byId));
    const current = await app.pool.query(`SELECT count(*)::int AS n FROM consent_current WHERE identity_id = ANY($1::uuid[]) AND status = 'GRANTED'`, [identities]);
    expect(current.rows[0].n).toBe(37);
    // Each caller's audit entry names its own request, as a lone call's would; one event each.
    const audits = await app.pool.query(
      `SELECT request_id AS "requestId", details->>'socialIdentityId' AS id FROM audit_log WHERE action = 'CONSENT_CHANGED' AND details->>'socialIdentityId' = ANY($1::text[])`,
      [identities]);
    expect(audits.rows.sort(byId)).toEqual(good.map(({ id, n }) => ({ requestId: `cons-${run}-${n}`, id })).sort(byId));
    const events = await app.pool.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE type = 'CONSENT_CHANGED' AND data->>'socialIdentityId' = ANY($1::text[])`, [identities]);
    expect(events.rows[0].n).toBe(37);
  });
});
