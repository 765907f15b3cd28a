import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) {
  id status respondedAt slaDueAt slaBreached conversation { id channels } customer { id } } }`;
const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) {
  id status respondedAt slaBreached replies { channel direction isPublic closedLoop content }
  history { event fromStatus toStatus detail actor } } }`;
const OFFLINE = `mutation($input: TakeOfflineInput!) { takeOffline(input: $input) {
  id channels originChannel currentChannel loopClosedAt handoffs { fromChannel toChannel context reason carriedInteractionIds handedOffBy } } }`;
const CONVERSATION = `query($id: ID!) { customer(id: $id) { conversations { edges { node {
  id channels originChannel currentChannel loopClosedAt
  interactions { edges { node { channel direction content closedLoop status history { event } } } } } } } } }`;

describe('one conversation across channels', () => {
  it('starts on Twitter, goes to the phone and closes the loop back on Twitter', async () => {
    const tag = unique();
    const handle = `chad_${tag}`;
    const tweet = await app.gql(RECORD, {
      input: { idempotencyKey: `tw-${tag}`, platform: 'TWITTER', handle, channel: 'TWITTER', externalId: `t-${tag}`,
        content: '@AcmeCars my warranty claim was refused, terrible service', occurredAt: new Date(Date.now() - 20 * 60_000).toISOString() },
    }, ['agent']);
    expect(tweet.errors).toBeUndefined();
    const first = tweet.data!.recordInteraction;
    const conversationId = first.conversation.id;

    // The customer follows up in the same thread on Twitter: same conversation.
    const followUp = await app.gql(RECORD, {
      input: { idempotencyKey: `tw2-${tag}`, platform: 'TWITTER', handle, channel: 'TWITTER', inReplyToExternalId: `t-${tag}`,
        content: 'still waiting for an answer', occurredAt: new Date(Date.now() - 10 * 60_000).toISOString() },
    }, ['agent']);
    expect(followUp.data!.recordInteraction.conversation.id).toBe(conversationId);

    const offline = await app.gql(OFFLINE, {
      input: { conversationId, toChannel: 'PHONE', reason: 'needs the VIN', context: 'warranty claim refused at dealer; customer is upset' },
    }, ['agent']);
    expect(offline.errors).toBeUndefined();
    expect(offline.data!.takeOffline).toMatchObject({ channels: ['TWITTER', 'PHONE'], originChannel: 'TWITTER', currentChannel: 'PHONE', loopClosedAt: null });
    expect(offline.data!.takeOffline.handoffs).toEqual([{
      fromChannel: 'TWITTER', toChannel: 'PHONE', reason: 'needs the VIN', context: 'warranty claim refused at dealer; customer is upset',
      carriedInteractionIds: [first.id, followUp.data!.recordInteraction.id], handedOffBy: 'test-user',
    }]);

    // The phone call is recorded in the same conversation.
    const call = await app.gql(RECORD, {
      input: { idempotencyKey: `call-${tag}`, customerId: first.customer.id, conversationId, channel: 'PHONE', content: 'called about the warranty claim' },
    }, ['agent']);
    expect(call.data!.recordInteraction.conversation.channels).toEqual(['TWITTER', 'PHONE']);

    // The agent answers on the phone (private), then closes the loop on Twitter in public.
    const onPhone = await app.gql(RESPOND, { input: { interactionId: call.data!.recordInteraction.id, content: 'claim approved, see you Monday' } }, ['agent']);
    expect(onPhone.data!.respondToInteraction.replies[0]).toMatchObject({ channel: 'PHONE', isPublic: false, closedLoop: false });
    const closing = await app.gql(RESPOND, {
      input: { interactionId: first.id, channel: 'TWITTER', content: 'Glad we could sort out your claim, thanks for your patience!', resolve: true },
    }, ['agent']);
    expect(closing.errors).toBeUndefined();
    const answered = closing.data!.respondToInteraction;
    expect(answered).toMatchObject({ status: 'RESOLVED', slaBreached: false });
    expect(answered.respondedAt).not.toBeNull();
    expect(answered.replies.filter((r: any) => r.direction === 'OUTBOUND')).toEqual([
      expect.objectContaining({ channel: 'TWITTER', isPublic: true, closedLoop: true }),
    ]);
    expect(answered.history.map((h: any) => [h.event, h.fromStatus, h.toStatus])).toEqual([
      ['TAKEN_OFFLINE', 'OPEN', 'OPEN'], ['RESPONDED', 'OPEN', 'RESPONDED'], ['RESOLVED', 'RESPONDED', 'RESOLVED'],
    ]);

    const read = await app.gql(CONVERSATION, { id: first.customer.id }, ['viewer']);
    const conversations = read.data!.customer.conversations.edges.map((e: any) => e.node);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ id: conversationId, channels: ['TWITTER', 'PHONE'], originChannel: 'TWITTER', currentChannel: 'TWITTER' });
    expect(conversations[0].loopClosedAt).not.toBeNull();
    expect(conversations[0].interactions.edges.map((e: any) => [e.node.channel, e.node.direction])).toEqual([
      ['TWITTER', 'INBOUND'], ['TWITTER', 'INBOUND'], ['PHONE', 'INBOUND'], ['PHONE', 'OUTBOUND'], ['TWITTER', 'OUTBOUND'],
    ]);
  });

  it('starts a new conversation when nothing ties the post to a thread', async () => {
    const c = await createCustomer(app.pool);
    const a = await app.gql(RECORD, { input: { idempotencyKey: `a-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'first' } }, ['agent']);
    const b = await app.gql(RECORD, { input: { idempotencyKey: `b-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'second' } }, ['agent']);
    expect(a.data!.recordInteraction.conversation.id).not.toBe(b.data!.recordInteraction.conversation.id);
  });

  it('continues the conversation of the interaction replied to by id, across channels', async () => {
    const c = await createCustomer(app.pool);
    const a = await app.gql(RECORD, { input: { idempotencyKey: `r1-${unique()}`, customerId: c.id, channel: 'FACEBOOK', content: 'my bill is wrong' } }, ['agent']);
    const b = await app.gql(RECORD, {
      input: { idempotencyKey: `r2-${unique()}`, customerId: c.id, channel: 'EMAIL', content: 'sending the invoice', inReplyToId: a.data!.recordInteraction.id },
    }, ['agent']);
    expect(b.data!.recordInteraction.conversation).toEqual({ id: a.data!.recordInteraction.conversation.id, channels: ['FACEBOOK', 'EMAIL'] });
  });

  it('refuses a conversation of another customer', async () => {
    const [c1, c2] = [await createCustomer(app.pool), await createCustomer(app.pool)];
    const a = await app.gql(RECORD, { input: { idempotencyKey: `o1-${unique()}`, customerId: c1.id, channel: 'EMAIL', content: 'mine' } }, ['agent']);
    const b = await app.gql(RECORD, {
      input: { idempotencyKey: `o2-${unique()}`, customerId: c2.id, channel: 'EMAIL', content: 'not mine', conversationId: a.data!.recordInteraction.conversation.id },
    }, ['agent']);
    expect(b.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'conversationId' });
  });

  it('stops the SLA clock on a response: a late post answered is not breached', async () => {
    const c = await createCustomer(app.pool);
    const late = await app.gql(RECORD, {
      input: { idempotencyKey: `late-${unique()}`, customerId: c.id, channel: 'TWITTER', content: 'where is my refund?', occurredAt: new Date(Date.now() - 2 * 3600_000).toISOString() },
    }, ['agent']);
    expect(late.data!.recordInteraction.slaBreached).toBe(true);
    const res = await app.gql(RESPOND, { input: { interactionId: late.data!.recordInteraction.id, content: 'Sorry! DM us your order number' } }, ['agent']);
    expect(res.data!.respondToInteraction).toMatchObject({ status: 'RESPONDED', slaBreached: false });
  });

  it('stops the SLA clock when an ingested outbound reply answers the post', async () => {
    const c = await createCustomer(app.pool);
    const post = await app.gql(RECORD, {
      input: { idempotencyKey: `in-${unique()}`, customerId: c.id, channel: 'INSTAGRAM', content: 'my delivery is late', occurredAt: new Date(Date.now() - 30 * 60_000).toISOString() },
    }, ['agent']);
    const inbound = post.data!.recordInteraction;
    const reply = await app.gql(RECORD, {
      input: { idempotencyKey: `out-${unique()}`, customerId: c.id, channel: 'INSTAGRAM', direction: 'OUTBOUND', content: 'Sorry! Checking now', inReplyToId: inbound.id },
    }, ['agent']);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.recordInteraction).toMatchObject({ slaDueAt: null, conversation: { id: inbound.conversation.id } });
    const read = await app.gql(`query($id: ID!) { customer(id: $id) { interactions(first: 5) { edges { node { id status respondedAt } } } } }`, { id: c.id }, ['viewer']);
    const answered = read.data!.customer.interactions.edges.map((e: any) => e.node).find((n: any) => n.id === inbound.id);
    expect(answered.status).toBe('RESPONDED');
    expect(answered.respondedAt).not.toBeNull();
  });

  it('refuses to take a conversation to the channel it is on, and answers NOT_FOUND for an unknown one', async () => {
    const c = await createCustomer(app.pool);
    const a = await app.gql(RECORD, { input: { idempotencyKey: `same-${unique()}`, customerId: c.id, channel: 'CHAT', content: 'hello?' } }, ['agent']);
    const same = await app.gql(OFFLINE, { input: { conversationId: a.data!.recordInteraction.conversation.id, toChannel: 'CHAT', context: 'x' } }, ['agent']);
    expect(same.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toChannel' });
    const none = await app.gql(OFFLINE, { input: { conversationId: '00000000-0000-4000-8000-000000000000', toChannel: 'PHONE', context: 'x' } }, ['agent']);
    expect(none.errors![0].extensions!.code).toBe('NOT_FOUND');
  });
});
