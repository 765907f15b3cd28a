import request from 'supertest';
import type { Role } from '../../src/auth/roles';
import { sweepSlaBreaches } from '../../src/care/desk/sla-breach.sweep';
import { EscalationWorklists1796100000000 } from '../../migrations/1796100000000-EscalationWorklists';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { createScratchDatabase } from '../helpers/databases';
import { createCustomer, unique } from '../helpers/factory';
import { liveClient, settle } from '../helpers/live';
import { waitFor } from '../helpers/receiver';

// A database of its own: worklist order, the breach sweep and acknowledgements are about every
// escalation of a team, so no other test file's rows may be in the way (nor this sweep in theirs).
let app: TestApp;
let scratch: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  scratch = await createScratchDatabase();
  app = await startTestApp({ url: scratch.url });
}, 120_000);
afterAll(async () => {
  await app.close();
  await scratch.drop();
});

const FIELDS = 'id team status owner acknowledgedAt dueAt breached createdAt resolvedAt';
const ESCALATE = `mutation($input: EscalateInput!) { escalateInteraction(input: $input) { ${FIELDS} } }`;
const ACK = `mutation($id: ID!) { acknowledgeEscalation(id: $id) { ${FIELDS} } }`;
const SET_TARGET = `mutation($input: EscalationTargetInput!) { setEscalationTarget(input: $input) { team responseMinutes businessHours updatedBy } }`;
const LIST = `query($team: EscalationTeam, $status: EscalationStatus, $breached: Boolean, $first: Int, $after: String) {
  escalations(team: $team, status: $status, breached: $breached, first: $first, after: $after) {
    edges { cursor node { id status breached } } pageInfo { hasNextPage endCursor } totalCount } }`;

/** A call as a named token subject (an agent is its subject). */
async function as(sub: string, roles: Role[], query: string, variables: Record<string, unknown> = {}) {
  const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(roles, sub)}`).send({ query, variables });
  return { data: res.body?.data, errors: res.body?.errors as { message: string; extensions: { code: string } }[] | undefined };
}

async function agentServing(skillGroups: string[]): Promise<string> {
  const id = `agent-${unique()}`;
  const res = await app.gql(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`, { input: { id, skillGroups, tiers: ['NONE'] } }, ['supervisor']);
  expect(res.errors).toBeUndefined();
  return id;
}

async function escalation(team: string): Promise<{ id: string; interactionId: string; dueAt: string; status: string; createdAt: string }> {
  const c = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER' }] });
  const res = await app.gql(ESCALATE, { input: { interactionId: c.interactionIds[0], team, reason: 'needs the team' } }, ['agent']);
  expect(res.errors).toBeUndefined();
  return { ...res.data!.escalateInteraction, interactionId: c.interactionIds[0] };
}

const events = async (type: string, key: string, id: string) =>
  (await app.pool.query(`SELECT data FROM outbox_events WHERE type = $1 AND data->>$2 = $3`, [type, key, id])).rows.map((r) => r.data);

describe('the escalation lifecycle', () => {
  it('is OPEN with a due time, ACKNOWLEDGED with its owner, RESOLVED when its interaction is resolved with the reply', async () => {
    const agent = await agentServing(['retention']);
    const e = await escalation('RETENTION');
    expect(e).toMatchObject({ status: 'OPEN', owner: null, acknowledgedAt: null, breached: false });
    expect(new Date(e.dueAt).getTime()).toBeGreaterThan(new Date(e.createdAt).getTime());

    const acked = await as(agent, ['agent'], ACK, { id: e.id });
    expect(acked.errors).toBeUndefined();
    expect(acked.data.acknowledgeEscalation).toMatchObject({ status: 'ACKNOWLEDGED', owner: agent, breached: false });
    expect(await events('ESCALATION_ACKNOWLEDGED', 'escalationId', e.id)).toEqual([
      { escalationId: e.id, interactionId: e.interactionId, customerId: expect.any(String), team: 'RETENTION', owner: agent },
    ]);
    const { rows: audit } = await app.pool.query(`SELECT actor FROM audit_log WHERE action = 'ESCALATION_ACKNOWLEDGED' AND details->>'escalationId' = $1`, [e.id]);
    expect(audit).toEqual([{ actor: agent }]);

    const answered = await as(agent, ['agent'], `mutation($input: RespondInput!) { respondToInteraction(input: $input) { status escalation { id status resolution } } }`,
      { input: { interactionId: e.interactionId, content: 'We have fixed it, sorry for the trouble.', resolve: true } });
    expect(answered.errors).toBeUndefined();
    expect(answered.data.respondToInteraction).toEqual({ status: 'RESOLVED', escalation: { id: e.id, status: 'RESOLVED', resolution: 'resolved with the interaction' } });
    expect(await events('ESCALATION_RESOLVED', 'escalationId', e.id)).toHaveLength(1);
  });

  it('counts the due time in the business hours of the team\'s target (a calendar open one hour a week)', async () => {
    // LEGAL's target for this test only: 30 minutes in a calendar open 10:00-11:00 UTC on the weekday two days from now.
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    const weekday = inTwoDays.getUTCDay() || 7;
    const calendar = `one-hour-${unique()}`;
    const hours = await app.gql(`mutation($input: BusinessHoursInput!) { setBusinessHours(input: $input) { name } }`,
      { input: { name: calendar, timeZone: 'UTC', weekly: [{ day: weekday, opens: '10:00', closes: '11:00' }] } }, ['supervisor']);
    expect(hours.errors).toBeUndefined();
    const target = await app.gql(SET_TARGET, { input: { team: 'LEGAL', responseMinutes: 30, businessHours: calendar } }, ['supervisor']);
    expect(target.data!.setEscalationTarget).toMatchObject({ team: 'LEGAL', responseMinutes: 30, businessHours: calendar });
    const e = await escalation('LEGAL');
    const expected = new Date(Date.UTC(inTwoDays.getUTCFullYear(), inTwoDays.getUTCMonth(), inTwoDays.getUTCDate(), 10, 30));
    expect(e.dueAt).toBe(expected.toISOString());
  });

  it('the migration gives existing escalations their due time in business hours and marks old breaches as told', async () => {
    // Run on this file's own database: down, an escalation as it was before, up again.
    const migration = new EscalationWorklists1796100000000();
    const runner = app.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      const c = await createCustomer(app.pool, { interactions: [{ channel: 'PHONE' }] });
      // Friday 16:30 in New York; RETENTION: 60 minutes in the office calendar (Monday-Friday 9-5 New York).
      const [inserted]: { id: string }[] = await runner.query(
        `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_by, created_at)
         VALUES ($1, $2, 'RETENTION', 'old', 'test', '2026-01-09T21:30:00Z') RETURNING id`, [c.id, c.interactionIds[0]]);
      await migration.up(runner);
      const [after] = await runner.query(
        `SELECT due_at, breach_notified_at IS NOT NULL AS told, owner, acknowledged_at FROM escalations WHERE id = $1`, [inserted.id]);
      // 30 minutes on Friday, 30 more from Monday 9:00 New York (14:00 UTC).
      expect(after).toEqual({ due_at: new Date('2026-01-12T14:30:00Z'), told: true, owner: null, acknowledged_at: null });
    } finally {
      await runner.release();
    }
  });
});

describe('escalation targets', () => {
  it('start at RETENTION 60, PR_CRISIS 30 and 240 for the others, in office hours', async () => {
    const res = await app.gql(`{ escalationTargets { team responseMinutes businessHours } }`, undefined, ['agent']);
    expect(Object.fromEntries(res.data!.escalationTargets.filter((t: any) => t.team !== 'LEGAL').map((t: any) => [t.team, [t.responseMinutes, t.businessHours]])))
      .toEqual({ PR_CRISIS: [30, 'office'], RETENTION: [60, 'office'], SUPERVISOR: [240, 'office'], TECHNICAL: [240, 'office'] });
  });

  it('refuses a bad number of minutes and an unknown calendar with BAD_USER_INPUT, and an agent with FORBIDDEN, writing nothing', async () => {
    const before = (await app.pool.query(`SELECT * FROM care_escalation_targets WHERE team = 'TECHNICAL'`)).rows;
    const bad = async (input: Record<string, unknown>, roles: Role[] = ['supervisor']) =>
      (await app.gql(SET_TARGET, { input: { team: 'TECHNICAL', responseMinutes: 60, ...input } }, roles)).errors![0].extensions!;
    expect(await bad({ responseMinutes: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'responseMinutes' });
    expect(await bad({ businessHours: `nowhere-${unique()}` })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'businessHours' });
    expect((await bad({}, ['agent'])).code).toBe('FORBIDDEN');
    expect((await app.pool.query(`SELECT * FROM care_escalation_targets WHERE team = 'TECHNICAL'`)).rows).toEqual(before);
  });
});

describe('a team\'s worklist', () => {
  it('lists breached escalations first, by due time, then the others by due time, in keyset pages', async () => {
    const [late1, late2, ackedLate, ackedInTime, future] = [
      await escalation('TECHNICAL'), await escalation('TECHNICAL'), await escalation('TECHNICAL'), await escalation('TECHNICAL'), await escalation('TECHNICAL'),
    ];
    const set = (id: string, due: string, ack: string | null) =>
      app.pool.query(`UPDATE escalations SET due_at = $2, acknowledged_at = $3, owner = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'someone' END WHERE id = $1`, [id, due, ack]);
    await set(late2.id, '2026-01-02T10:00:00Z', null);
    await set(late1.id, '2026-01-01T10:00:00Z', null);
    await set(ackedLate.id, '2026-01-03T10:00:00Z', '2026-01-05T10:00:00Z');
    await set(ackedInTime.id, '2026-01-04T10:00:00Z', '2026-01-04T09:00:00Z');

    const page1 = (await app.gql(LIST, { team: 'TECHNICAL', first: 2 }, ['agent'])).data!.escalations;
    expect(page1.edges.map((e: any) => e.node.id)).toEqual([late1.id, late2.id]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.totalCount).toBe(5);
    const page2 = (await app.gql(LIST, { team: 'TECHNICAL', first: 10, after: page1.pageInfo.endCursor }, ['agent'])).data!.escalations;
    expect(page2.edges.map((e: any) => e.node)).toEqual([
      { id: ackedLate.id, status: 'ACKNOWLEDGED', breached: true },
      { id: ackedInTime.id, status: 'ACKNOWLEDGED', breached: false },
      { id: future.id, status: 'OPEN', breached: false },
    ]);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const open = (await app.gql(LIST, { team: 'TECHNICAL', status: 'OPEN', breached: true }, ['agent'])).data!.escalations;
    expect(open.edges.map((e: any) => e.node.id)).toEqual([late1.id, late2.id]);
    const notBreached = (await app.gql(LIST, { team: 'TECHNICAL', breached: false }, ['agent'])).data!.escalations;
    expect(notBreached.edges.map((e: any) => e.node.id)).toEqual([ackedInTime.id, future.id]);
  });

  it('refuses a bad cursor and a page over 100 with BAD_USER_INPUT, and a viewer with FORBIDDEN', async () => {
    expect((await app.gql(LIST, { after: 'nope' }, ['agent'])).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(LIST, { first: 101 }, ['agent'])).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(LIST, {}, ['viewer'])).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('acknowledgeEscalation', () => {
  it('refuses an agent who serves another team, and one who is no agent, with FORBIDDEN; a supervisor serves every team', async () => {
    const other = await agentServing(['RETENTION']);
    const e = await escalation('PR_CRISIS');
    const refused = await as(other, ['agent'], ACK, { id: e.id });
    expect(refused.errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await as(`nobody-${unique()}`, ['agent'], ACK, { id: e.id })).errors![0].extensions.code).toBe('FORBIDDEN');
    const { rows } = await app.pool.query(`SELECT owner, acknowledged_at FROM escalations WHERE id = $1`, [e.id]);
    expect(rows).toEqual([{ owner: null, acknowledged_at: null }]);
    const boss = `boss-${unique()}`;
    expect((await as(boss, ['supervisor'], ACK, { id: e.id })).data.acknowledgeEscalation.owner).toBe(boss);
  });

  it('answers an unknown id NOT_FOUND, a malformed one BAD_USER_INPUT, and a resolved escalation CONFLICT', async () => {
    expect((await app.gql(ACK, { id: '00000000-0000-4000-8000-000000000000' }, ['supervisor'])).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await app.gql(ACK, { id: 'x' }, ['supervisor'])).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const e = await escalation('SUPERVISOR');
    await app.gql(`mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { id } }`, { input: { escalationId: e.id, resolution: 'done' } }, ['supervisor']);
    expect((await app.gql(ACK, { id: e.id }, ['supervisor'])).errors![0].extensions!.code).toBe('CONFLICT');
  });

  it('lets exactly one of two agents acknowledging at once win; the other gets CONFLICT; the winner retrying writes nothing', async () => {
    const [a, b] = [await agentServing(['TECHNICAL']), await agentServing(['TECHNICAL'])];
    const e = await escalation('TECHNICAL');
    const results = await Promise.all([as(a, ['agent'], ACK, { id: e.id }), as(b, ['agent'], ACK, { id: e.id })]);
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers.map((r) => r.errors![0].extensions.code)).toEqual(['CONFLICT']);
    const owner = winners[0].data.acknowledgeEscalation.owner;
    expect([a, b]).toContain(owner);
    const retry = await as(owner, ['agent'], ACK, { id: e.id });
    expect(retry.data.acknowledgeEscalation).toEqual(winners[0].data.acknowledgeEscalation);
    expect(await events('ESCALATION_ACKNOWLEDGED', 'escalationId', e.id)).toHaveLength(1);
  });
});

describe('SLA_BREACHED', () => {
  it('is emitted once per escalation and per inbound interaction past due unanswered, however often and however many sweeps run', async () => {
    const e = await escalation('SUPERVISOR');
    const acked = await escalation('SUPERVISOR');
    const c = await createCustomer(app.pool, { interactions: [{ channel: 'EMAIL' }, { channel: 'EMAIL' }, { channel: 'EMAIL' }] });
    const [late, answered, filtered] = c.interactionIds;
    // Kept out of the queue by a filter rule: nobody's to answer.
    await app.pool.query(`UPDATE interactions SET actionable = false, sla_due_at = now() - interval '1 minute' WHERE id = $1`, [filtered]);
    await app.pool.query(`UPDATE escalations SET due_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`, [[e.id, acked.id]]);
    await app.pool.query(`UPDATE escalations SET acknowledged_at = now() - interval '2 minutes', owner = 'someone' WHERE id = $1`, [acked.id]);
    // e's interaction is ESCALATED: its escalation breaches, not the interaction.
    await app.pool.query(`UPDATE interactions SET sla_due_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`, [[late, answered, e.interactionId]]);
    await app.pool.query(`UPDATE interactions SET responded_at = now() - interval '2 minutes' WHERE id = $1`, [answered]);

    await Promise.all([sweepSlaBreaches(app.pool), sweepSlaBreaches(app.pool), sweepSlaBreaches(app.pool)]);
    await sweepSlaBreaches(app.pool);

    expect(await events('SLA_BREACHED', 'escalationId', e.id)).toEqual([
      { kind: 'ESCALATION', escalationId: e.id, interactionId: e.interactionId, customerId: expect.any(String), team: 'SUPERVISOR', dueAt: expect.any(String) },
    ]);
    expect(await events('SLA_BREACHED', 'escalationId', acked.id)).toEqual([]);
    expect(await events('SLA_BREACHED', 'interactionId', late)).toEqual([
      { kind: 'INTERACTION', interactionId: late, customerId: c.id, dueAt: expect.any(String) },
    ]);
    expect(await events('SLA_BREACHED', 'interactionId', answered)).toEqual([]);
    expect(await events('SLA_BREACHED', 'interactionId', filtered)).toEqual([]);
    expect((await events('SLA_BREACHED', 'interactionId', e.interactionId)).map((d) => d.kind)).toEqual(['ESCALATION']);
    const listed = (await app.gql(`query($id: ID!) { node(id: $id) { ... on Escalation { breached status } } }`, { id: e.id }, ['agent'])).data!.node;
    expect(listed).toEqual({ breached: true, status: 'OPEN' });
  });
});

describe('live', () => {
  it('escalationChanged tells the team of the acknowledgement and the breach; queueChanged of an item past due', async () => {
    const client = liveClient(app.server, tokenFor(['agent'], `live-${unique()}`));
    try {
      const team = client.subscribe(`subscription { escalationChanged(team: PR_CRISIS) { id status owner breached } }`);
      const queue = client.subscribe(`subscription { queueChanged { kind interactionId } }`);
      await settle(300);
      const e = await escalation('PR_CRISIS');
      const c = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER' }] });
      await app.pool.query(`UPDATE escalations SET due_at = now() - interval '1 minute' WHERE id = $1`, [e.id]);
      await app.pool.query(`UPDATE interactions SET sla_due_at = now() - interval '1 minute' WHERE id = $1`, [c.interactionIds[0]]);
      await sweepSlaBreaches(app.pool);
      const boss = `boss-${unique()}`;
      await as(boss, ['supervisor'], ACK, { id: e.id });
      await waitFor(() => team.items.filter((x) => x.id === e.id).length === 3, 5000, 'raised, breached, acknowledged');
      // Each payload is read when it is delivered: the breach shows the escalation breached, the acknowledgement its owner.
      expect(team.items.filter((x) => x.id === e.id).at(-1)).toEqual({ id: e.id, status: 'ACKNOWLEDGED', owner: boss, breached: true });
      await waitFor(() => queue.items.some((x) => x.interactionId === c.interactionIds[0]), 5000, 'queue update');
      expect(queue.items.filter((x) => x.interactionId === c.interactionIds[0]).map((x) => x.kind)).toEqual(['UPDATED']);
    } finally {
      await client.dispose();
    }
  });
});
