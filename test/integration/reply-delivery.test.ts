import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';
import { liveClient, settle } from '../helpers/live';
import { waitFor } from '../helpers/receiver';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 12 });
});
afterAll(() => app.close());

const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status delivery { status externalId } } }`;
const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id status } }`;
const CONFIRM = `mutation($input: ReplyDeliveryInput!) { recordReplyDelivery(input: $input) { id direction delivery { status externalId updatedAt } } }`;
const READ = `query($id: ID!) { node(id: $id) { ... on Interaction { id status respondedAt delivery { status externalId error updatedAt } } } }`;
const QUEUE = `query($skillGroup: String) { careQueue(first: 100, skillGroup: $skillGroup) { edges { node { interaction { id } } } } }`;

/** An inbound post in a skill group of its own, answered by an agent: [post id, reply id, skill group]. */
async function answered(extra: Record<string, unknown> = {}): Promise<{ postId: string; replyId: string; skillGroup: string }> {
  const skillGroup = `delivery-${unique()}`;
  const posted = await app.gql(RECORD, {
    input: { idempotencyKey: `delivery-${unique()}`, channel: 'TWITTER', platform: 'TWITTER', handle: `d${unique()}`, skillGroup, content: 'my brakes squeal, help' },
  }, ['agent']);
  expect(posted.errors).toBeUndefined();
  const postId = posted.data!.recordInteraction.id;
  const reply = await app.gql(RESPOND, { input: { interactionId: postId, content: 'Sorry to hear that, DM us', ...extra } }, ['agent']);
  expect(reply.errors).toBeUndefined();
  const { rows } = await app.pool.query(`SELECT id FROM interactions WHERE in_reply_to_id = $1 AND direction = 'OUTBOUND'`, [postId]);
  return { postId, replyId: rows[0].id, skillGroup };
}

async function read(id: string) {
  const res = await app.gql(READ, { id }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.node;
}

async function failedEvents(replyId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await app.pool.query(`SELECT data FROM outbox_events WHERE type = 'REPLY_DELIVERY_FAILED' AND data->>'replyId' = $1`, [replyId]);
  return rows.map((r) => r.data);
}

async function queueIds(skillGroup: string): Promise<string[]> {
  const res = await app.gql(QUEUE, { skillGroup }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.careQueue.edges.map((e: any) => e.node.interaction.id);
}

describe('Interaction.delivery', () => {
  it('is PENDING on a reply an agent records, SENT on one recorded with the platform\'s id, and null on inbound posts', async () => {
    const { postId, replyId } = await answered();
    expect((await read(replyId)).delivery).toEqual(expect.objectContaining({ status: 'PENDING', externalId: null, error: null }));
    expect((await read(postId)).delivery).toBeNull();
    const posted = await answered({ externalId: `tw-${unique()}` });
    expect((await read(posted.replyId)).delivery.status).toBe('SENT');
  });
});

describe('recordReplyDelivery', () => {
  it('sets SENT with the platform\'s id for the connector (ingest), answers the same confirmation again without writing, and refuses another (CONFLICT)', async () => {
    const { replyId } = await answered();
    const externalId = `tw-${unique()}`;
    const sent = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'SENT', externalId } }, ['ingest']);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.recordReplyDelivery).toEqual(expect.objectContaining({ id: replyId, direction: 'OUTBOUND', delivery: expect.objectContaining({ status: 'SENT', externalId }) }));
    const again = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'SENT', externalId } }, ['ingest']);
    expect(again.data!.recordReplyDelivery.delivery).toEqual(sent.data!.recordReplyDelivery.delivery);

    const other = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'SENT', externalId: `${externalId}-2` } }, ['ingest']);
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
    const failed = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'rate limited' } }, ['ingest']);
    expect(failed.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await read(replyId)).delivery).toEqual(expect.objectContaining({ status: 'SENT', externalId, error: null }));
    expect(await failedEvents(replyId)).toEqual([]);
  });

  it('on FAILED keeps the error, emits REPLY_DELIVERY_FAILED once and puts the post back in the queue, unanswered and claimable', async () => {
    const { postId, replyId, skillGroup } = await answered({ resolve: true });
    expect(await queueIds(skillGroup)).toEqual([]);
    const failed = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'user blocks the brand' } }, ['ingest']);
    expect(failed.errors).toBeUndefined();
    expect(failed.data!.recordReplyDelivery.delivery.status).toBe('FAILED');
    const again = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'retried' } }, ['ingest']);
    expect(again.errors).toBeUndefined();

    expect((await read(replyId)).delivery).toEqual(expect.objectContaining({ status: 'FAILED', error: 'user blocks the brand' }));
    expect(await read(postId)).toEqual(expect.objectContaining({ status: 'OPEN', respondedAt: null }));
    expect(await failedEvents(replyId)).toEqual([{ replyId, interactionId: postId, customerId: expect.any(String), status: 'OPEN' }]);
    expect(await queueIds(skillGroup)).toEqual([postId]);
    const { rows } = await app.pool.query(`SELECT event, from_status AS "from", to_status AS "to" FROM interaction_history WHERE interaction_id = $1 AND event = 'REOPENED'`, [postId]);
    expect(rows).toEqual([{ event: 'REOPENED', from: 'RESOLVED', to: 'OPEN' }]);

    const agent = `delivery-agent-${unique()}`;
    const set = await app.gql(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`, {
      input: { id: agent, skillGroups: [skillGroup], tiers: ['PLATINUM', 'GOLD', 'SILVER', 'BRONZE', 'NONE'], capacity: 2 },
    }, ['supervisor']);
    expect(set.errors).toBeUndefined();
    const claim = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], agent)}`)
      .send({ query: `mutation { claimNextInteraction { id } }` });
    expect(claim.body.data.claimNextInteraction).toEqual({ id: postId });
  });

  it('leaves the post answered when another reply to it is still pending', async () => {
    const { postId, replyId } = await answered();
    const second = await app.gql(RESPOND, { input: { interactionId: postId, content: 'Following up' } }, ['agent']);
    expect(second.errors).toBeUndefined();
    const failed = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'timeout' } }, ['ingest']);
    expect(failed.errors).toBeUndefined();
    expect((await read(postId)).status).toBe('RESPONDED');
    expect(await failedEvents(replyId)).toEqual([expect.objectContaining({ replyId, interactionId: postId, status: null })]);
  });

  it('names an ingested reply by its idempotency key', async () => {
    const { postId } = await answered();
    const { rows: [{ customerId }] } = await app.pool.query(`SELECT customer_id AS "customerId" FROM interactions WHERE id = $1`, [postId]);
    const key = `reply-${unique()}`;
    const reply = await app.gql(RECORD, {
      input: { idempotencyKey: key, customerId, channel: 'TWITTER', direction: 'OUTBOUND', inReplyToId: postId, content: 'On it' },
    }, ['ingest']);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.recordInteraction.delivery).toEqual({ status: 'PENDING', externalId: null });
    const externalId = `tw-${unique()}`;
    const sent = await app.gql(CONFIRM, { input: { idempotencyKey: key, status: 'SENT', externalId } }, ['ingest']);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.recordReplyDelivery).toEqual(expect.objectContaining({ id: reply.data!.recordInteraction.id, delivery: expect.objectContaining({ status: 'SENT', externalId }) }));
  });

  it('refuses bad input with its code and writes nothing', async () => {
    const { postId, replyId } = await answered();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ status: 'SENT', externalId: 'x' }, 'BAD_USER_INPUT', 'interactionId'],
      [{ interactionId: replyId, idempotencyKey: 'k', status: 'SENT', externalId: 'x' }, 'BAD_USER_INPUT', 'interactionId'],
      [{ interactionId: 'nope', status: 'SENT', externalId: 'x' }, 'BAD_USER_INPUT', 'interactionId'],
      [{ interactionId: replyId, status: 'SENT' }, 'BAD_USER_INPUT', 'externalId'],
      [{ interactionId: replyId, status: 'SENT', externalId: 'x'.repeat(256) }, 'BAD_USER_INPUT', 'externalId'],
      [{ interactionId: replyId, status: 'SENT', externalId: 'x', error: 'e' }, 'BAD_USER_INPUT', 'error'],
      [{ interactionId: replyId, status: 'FAILED', error: '  ' }, 'BAD_USER_INPUT', 'error'],
      [{ interactionId: replyId, status: 'PENDING' }, 'BAD_USER_INPUT', 'status'],
      [{ interactionId: postId, status: 'SENT', externalId: 'x' }, 'BAD_USER_INPUT', 'interactionId'],
      [{ interactionId: '00000000-0000-4000-8000-000000000000', status: 'SENT', externalId: 'x' }, 'NOT_FOUND', 'interactionId'],
      [{ idempotencyKey: `missing-${unique()}`, status: 'FAILED', error: 'e' }, 'NOT_FOUND', 'idempotencyKey'],
    ];
    for (const [input, code, field] of cases) {
      const res = await app.gql(CONFIRM, { input }, ['ingest']);
      expect({ input, code: res.errors?.[0].extensions?.code, field: res.errors?.[0].extensions?.field }).toEqual({ input, code, field });
    }
    expect((await read(replyId)).delivery.status).toBe('PENDING');
    expect((await read(postId)).status).toBe('RESPONDED');
    expect(await failedEvents(replyId)).toEqual([]);
  });

  it('is for channel connectors (ingest) only', async () => {
    const { replyId } = await answered();
    for (const role of ['agent', 'supervisor', 'viewer', 'marketing'] as const) {
      const res = await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'SENT', externalId: 'x' } }, [role]);
      expect({ role, code: res.errors?.[0].extensions?.code }).toEqual({ role, code: 'FORBIDDEN' });
    }
    expect((await read(replyId)).delivery.status).toBe('PENDING');
  });

  it('lets one of concurrent SENT and FAILED confirmations win: its repeats are answered, the other kind is CONFLICT, one event at most', async () => {
    const { postId, replyId } = await answered();
    const externalId = `tw-${unique()}`;
    const calls = Array.from({ length: 8 }, (_, k) => app.gql(CONFIRM, {
      input: k % 2 === 0 ? { interactionId: replyId, status: 'SENT', externalId } : { interactionId: replyId, status: 'FAILED', error: `boom ${k}` },
    }, ['ingest']));
    const results = await Promise.all(calls);
    const ok = results.filter((r) => !r.errors).map((r) => r.data!.recordReplyDelivery.delivery.status);
    const refused = results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code);
    expect(ok).toHaveLength(4);
    expect(new Set(ok).size).toBe(1);
    expect(refused).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    const winner = ok[0];
    expect((await read(replyId)).delivery.status).toBe(winner);
    expect(await failedEvents(replyId)).toHaveLength(winner === 'FAILED' ? 1 : 0);
    expect((await read(postId)).status).toBe(winner === 'FAILED' ? 'OPEN' : 'RESPONDED');
  });

  it('erases a failed delivery\'s error with the customer (it may quote them)', async () => {
    const { postId, replyId } = await answered();
    expect((await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'blocked by @someone' } }, ['ingest'])).errors).toBeUndefined();
    const { rows: [{ customerId }] } = await app.pool.query(`SELECT customer_id AS "customerId" FROM interactions WHERE id = $1`, [postId]);
    expect((await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: customerId }, ['admin'])).errors).toBeUndefined();
    const { rows: [row] } = await app.pool.query(`SELECT delivery_status AS status, delivery_error AS error FROM interactions WHERE id = $1`, [replyId]);
    expect(row).toEqual({ status: 'FAILED', error: '[erased]' });
  });

  it('tells live desks the post is back: queueChanged ADDED after REMOVED', async () => {
    const desk = liveClient(app.server, tokenFor(['agent'], `live-${unique()}`));
    try {
      const queue = desk.subscribe(`subscription { queueChanged(channel: TWITTER) { kind interactionId item { interaction { id status } } } }`);
      await settle(300);
      // The feed reads the item when it delivers INTERACTION_RECORDED: answered before that, the post
      // is no longer queued and its ADDED is (rightly) not sent. So the post is answered once it was seen.
      const posted = await app.gql(RECORD, {
        input: { idempotencyKey: `delivery-${unique()}`, channel: 'TWITTER', platform: 'TWITTER', handle: `d${unique()}`, skillGroup: `delivery-${unique()}`, content: 'my brakes squeal, help' },
      }, ['agent']);
      const postId: string = posted.data!.recordInteraction.id;
      await waitFor(() => queue.items.some((e) => e.interactionId === postId && e.kind === 'ADDED'), 5000, 'ADDED');
      expect((await app.gql(RESPOND, { input: { interactionId: postId, content: 'Sorry to hear that, DM us' } }, ['agent'])).errors).toBeUndefined();
      const { rows: [{ id: replyId }] } = await app.pool.query(`SELECT id FROM interactions WHERE in_reply_to_id = $1 AND direction = 'OUTBOUND'`, [postId]);
      await waitFor(() => queue.items.some((e) => e.interactionId === postId && e.kind === 'REMOVED'), 5000, 'REMOVED');
      expect((await app.gql(CONFIRM, { input: { interactionId: replyId, status: 'FAILED', error: 'deleted thread' } }, ['ingest'])).errors).toBeUndefined();
      await waitFor(() => queue.items.filter((e) => e.interactionId === postId).length === 3, 5000, 'back');
      expect(queue.items.filter((e) => e.interactionId === postId).map((e) => e.kind)).toEqual(['ADDED', 'REMOVED', 'ADDED']);
      expect(queue.items.filter((e) => e.interactionId === postId)[2].item.interaction).toEqual({ id: postId, status: 'OPEN' });
      expect(queue.errors).toEqual([]);
    } finally {
      await desk.dispose();
    }
  });
});
