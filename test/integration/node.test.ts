import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';
import type { Role } from '../../src/auth/roles';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Customer { displayName }
  ... on Interaction { content }
  ... on Conversation { originChannel }
  ... on Escalation { team }
  ... on Incident { topic } } }`;

/** One object of each type that implements Node, made through the API where it has a write. */
async function fixtures() {
  const customer = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', content: `node test ${unique()}` }] });
  const interactionId = customer.interactionIds[0];
  const { rows: [{ conversation_id: conversationId }] } = await app.pool.query(`SELECT conversation_id FROM interactions WHERE id = $1`, [interactionId]);
  const escalated = await app.gql(`mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`, { input: { interactionId, team: 'TECHNICAL', reason: 'node test' } }, ['agent']);
  expect(escalated.errors).toBeUndefined();
  const { rows: [{ id: incidentId }] } = await app.pool.query(
    `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, status, opened_at, resolved_at) VALUES ($1, 'node test', 10, 5, 'RESOLVED', now(), now()) RETURNING id`,
    [`node-${unique()}`],
  );
  return { customerId: customer.id, interactionId, conversationId, escalationId: escalated.data!.escalateInteraction.id as string, incidentId: incidentId as string };
}

describe('Query.node', () => {
  it('refetches each type that implements Node by the id it already has', async () => {
    const f = await fixtures();
    const cases: [string, string, Record<string, unknown>][] = [
      [f.customerId, 'Customer', { displayName: expect.any(String) }],
      [f.interactionId, 'Interaction', { content: expect.stringMatching(/^node test/) }],
      [f.conversationId, 'Conversation', { originChannel: 'TWITTER' }],
      [f.escalationId, 'Escalation', { team: 'TECHNICAL' }],
      [f.incidentId, 'Incident', { topic: expect.stringMatching(/^node-/) }],
    ];
    for (const [id, type, fields] of cases) {
      const res = await app.gql(NODE, { id }, ['agent']);
      expect([type, res.errors]).toEqual([type, undefined]);
      expect(res.data!.node).toEqual({ __typename: type, id, ...fields });
    }
  });

  it('follows each type\'s read rules: a viewer refetches customer data but not an incident', async () => {
    const f = await fixtures();
    for (const id of [f.customerId, f.interactionId, f.conversationId, f.escalationId]) {
      expect((await app.gql(NODE, { id }, ['viewer'])).data!.node.id).toBe(id);
    }
    const incident = await app.gql(NODE, { id: f.incidentId }, ['viewer']);
    expect(incident.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(incident.data?.node ?? null).toBeNull();
  });

  it('gives marketing and ingest tokens nothing, whatever the id', async () => {
    const f = await fixtures();
    for (const role of ['marketing', 'ingest'] as Role[]) {
      for (const id of Object.values(f)) {
        const res = await app.gql(NODE, { id }, [role]);
        expect([role, res.errors?.map((e) => e.extensions?.code)]).toEqual([role, ['FORBIDDEN']]);
        expect(res.data?.node ?? null).toBeNull();
      }
    }
  });

  it('answers null for an id no table has and BAD_USER_INPUT for one that is not a UUID', async () => {
    expect((await app.gql(NODE, { id: randomUUID() }, ['viewer'])).data).toEqual({ node: null });
    expect((await app.gql(NODE, { id: 'customer:1' }, ['viewer'])).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('finds the type in one statement and reads the row with the type\'s loader', async () => {
    const f = await fixtures();
    const res = await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: f.interactionId }, ['viewer']);
    expect(res.data!.node.id).toBe(f.interactionId);
    expect(Number(res.headers['x-sql-statements'])).toBeLessThanOrEqual(2);
  });
});
