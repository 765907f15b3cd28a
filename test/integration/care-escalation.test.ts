import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id status } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) {
  id status escalation { team automatic reason } history { event fromStatus toStatus actor } } }`;
const ESCALATE = `mutation($input: EscalateInput!) { escalateInteraction(input: $input) {
  id team reason automatic resolvedAt interaction { id status } conversation { id } } }`;
const RESOLVE = `mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) {
  id resolvedAt resolution interaction { status history { event fromStatus toStatus detail } } } }`;

async function automaticEscalations(interactionIds: string[]) {
  const { rows } = await app.pool.query(
    `SELECT team, interaction_id FROM escalations WHERE automatic AND interaction_id = ANY($1::uuid[])`, [interactionIds]);
  return rows as { team: string; interaction_id: string }[];
}

function posts(tag: string, n: number, from: number, at: (k: number) => Date) {
  return Array.from({ length: n }, (_, k) => ({
    idempotencyKey: `burst-${tag}-${from + k}`, platform: 'TWITTER', handle: `b${tag}_${(from + k) % 7}`, channel: 'TWITTER',
    content: `Seeing smoke from the hood again #smoke${tag}`, occurredAt: at(from + k).toISOString(),
  }));
}

describe('automatic escalation: topic threshold', () => {
  it('escalates a burst of 25 posts on one topic to PR/crisis once, not once per post', async () => {
    const tag = unique().replace(/-/g, '');
    const start = Date.now() - 30 * 60_000;
    const ids: string[] = [];
    for (let call = 0; call < 5; call++) {
      const res = await app.gql(RECORD_MANY, { inputs: posts(tag, 5, call * 5, (k) => new Date(start + k * 60_000)) }, ['ingest']);
      expect(res.errors).toBeUndefined();
      ids.push(...res.data!.recordInteractions.map((i: any) => i.id));
    }
    const fired = await automaticEscalations(ids);
    expect(fired).toEqual([{ team: 'PR_CRISIS', interaction_id: ids[19] }]);
    const { rows } = await app.pool.query(
      `SELECT i.status, h.from_status, h.to_status, h.actor FROM interactions i JOIN interaction_history h ON h.interaction_id = i.id WHERE i.id = $1`, [ids[19]]);
    expect(rows).toEqual([{ status: 'ESCALATED', from_status: 'OPEN', to_status: 'ESCALATED', actor: 'rule:topic-threshold' }]);
  });

  it('escalates again for a new burst after a quiet window once the incident of the first is resolved', async () => {
    const tag = unique().replace(/-/g, '');
    const earliest = Date.now() - 20 * 3600_000;
    const earlier = Date.now() - 10 * 3600_000;
    const now = Date.now() - 30 * 60_000;
    const first = await app.gql(RECORD_MANY, { inputs: posts(tag, 20, 0, (k) => new Date(earliest + k * 60_000)) }, ['ingest']);
    // While the first burst's incident is open, a new burst joins it (docs/incidents-and-agents.md).
    const second = await app.gql(RECORD_MANY, { inputs: posts(tag, 20, 20, (k) => new Date(earlier + (k - 20) * 60_000)) }, ['ingest']);
    const soFar = [...first.data!.recordInteractions, ...second.data!.recordInteractions].map((i: any) => i.id);
    expect((await automaticEscalations(soFar)).map((e) => e.team)).toEqual(['PR_CRISIS']);
    const { rows } = await app.pool.query(`SELECT id FROM care_incidents WHERE topic = $1 AND status = 'OPEN'`, [`smoke${tag}`]);
    const resolved = await app.gql(`mutation($input: ResolveIncidentInput!) { resolveIncident(input: $input) { status } }`,
      { input: { incidentId: rows[0].id, text: 'Fixed: the smoke came from a faulty sensor, now replaced.' } }, ['supervisor']);
    expect(resolved.errors).toBeUndefined();
    const third = await app.gql(RECORD_MANY, { inputs: posts(tag, 20, 40, (k) => new Date(now + (k - 40) * 60_000)) }, ['ingest']);
    const ids = [...soFar, ...third.data!.recordInteractions.map((i: any) => i.id)];
    expect((await automaticEscalations(ids)).map((e) => e.team)).toEqual(['PR_CRISIS', 'PR_CRISIS']);
  });

  it('does not escalate 19 posts in the window', async () => {
    const tag = unique().replace(/-/g, '');
    const res = await app.gql(RECORD_MANY, { inputs: posts(tag, 19, 0, (k) => new Date(Date.now() - 60 * 60_000 + k * 60_000)) }, ['ingest']);
    expect(await automaticEscalations(res.data!.recordInteractions.map((i: any) => i.id))).toEqual([]);
  });
});

describe('automatic escalation: churn', () => {
  it('escalates a churn phrase to retention, in the history', async () => {
    const c = await createCustomer(app.pool);
    const res = await app.gql(RECORD, {
      input: { idempotencyKey: `churn-${unique()}`, customerId: c.id, channel: 'FACEBOOK', content: 'Third breakdown this month. I am thinking of leaving for another brand.' },
    }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordInteraction).toMatchObject({
      status: 'ESCALATED',
      escalation: { team: 'RETENTION', automatic: true, reason: expect.stringContaining('thinking of leaving') },
      history: [{ event: 'ESCALATED', fromStatus: 'OPEN', toStatus: 'ESCALATED', actor: 'rule:churn' }],
    });
  });
});

describe('manual escalation', () => {
  it('lets an agent escalate with a reason and a supervisor resolve it, resolving the interaction', async () => {
    const c = await createCustomer(app.pool);
    const rec = await app.gql(RECORD, { input: { idempotencyKey: `esc-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'my lawyer will be in touch' } }, ['agent']);
    const interactionId = rec.data!.recordInteraction.id;
    const esc = await app.gql(ESCALATE, { input: { interactionId, team: 'LEGAL', reason: 'legal threat' } }, ['agent']);
    expect(esc.errors).toBeUndefined();
    expect(esc.data!.escalateInteraction).toMatchObject({ team: 'LEGAL', automatic: false, resolvedAt: null, interaction: { id: interactionId, status: 'ESCALATED' } });
    expect(esc.data!.escalateInteraction.conversation.id).toBeDefined();

    const twice = await app.gql(ESCALATE, { input: { interactionId, team: 'LEGAL', reason: 'again' } }, ['agent']);
    expect(twice.errors![0].extensions!.code).toBe('CONFLICT');

    const byAgent = await app.gql(RESOLVE, { input: { escalationId: esc.data!.escalateInteraction.id, resolution: 'done' } }, ['agent']);
    expect(byAgent.errors![0].extensions!.code).toBe('FORBIDDEN');
    const res = await app.gql(RESOLVE, { input: { escalationId: esc.data!.escalateInteraction.id, resolution: 'legal replied by letter' } }, ['supervisor']);
    expect(res.errors).toBeUndefined();
    const resolved = res.data!.resolveEscalation;
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.interaction.status).toBe('RESOLVED');
    expect(resolved.interaction.history.map((h: any) => [h.event, h.fromStatus, h.toStatus])).toEqual([
      ['ESCALATED', 'OPEN', 'ESCALATED'], ['ESCALATION_RESOLVED', 'ESCALATED', 'RESOLVED'],
    ]);
  });

  it('answers NOT_FOUND for an unknown interaction and BAD_USER_INPUT for an empty reason', async () => {
    const none = await app.gql(ESCALATE, { input: { interactionId: '00000000-0000-4000-8000-000000000000', team: 'SUPERVISOR', reason: 'x' } }, ['agent']);
    expect(none.errors![0].extensions!.code).toBe('NOT_FOUND');
    const empty = await app.gql(ESCALATE, { input: { interactionId: '00000000-0000-4000-8000-000000000000', team: 'SUPERVISOR', reason: ' ' } }, ['agent']);
    expect(empty.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
  });
});
