import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

// Roles that stand apart (ingest, marketing) reach a Customer only through what a mutation
// returns (or, for marketing, a segment member): they see who it is, never its contact points,
// identities, conversations or history, whatever path they take.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const TOUCH = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id displayName tier SELECTION } }`;
const input = () => ({ touchpoint: 'SERVICE_CALL', name: 'Field Access', emails: [`fa-${randomUUID().slice(0, 8)}@example.com`] });

const GUARDED = [
  'emails { value }',
  'phones { value }',
  'socialIdentities { handle }',
  'interactions { totalCount }',
  'conversations { totalCount }',
  'openEscalations { id }',
  'touchpointHistory { totalCount }',
  'merges { id }',
  'attributes',
];

describe('customer fields behind the reader roles', () => {
  it('lets ingest read who the customer is from recordTouchpoint', async () => {
    const res = await app.gql(TOUCH.replace('SELECTION', ''), { input: input() }, ['ingest']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordTouchpoint.displayName).toBe('Field Access');
  });

  it.each(GUARDED)('refuses ingest %s through the mutation result with FORBIDDEN and no value', async (selection) => {
    const given = input();
    const res = await app.gql(TOUCH.replace('SELECTION', selection), { input: given }, ['ingest']);
    expect(res.errors!.map((e) => e.extensions!.code)).toContain('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toContain(given.emails[0]);
  });

  it.each(GUARDED)('lets an agent read %s through the same path', async (selection) => {
    const res = await app.gql(TOUCH.replace('SELECTION', selection), { input: input() }, ['agent']);
    expect(res.errors).toBeUndefined();
  });
});

describe('marketing through a segment member', () => {
  it('sees consented identities on the member, and FORBIDDEN for the customer\'s own contact fields', async () => {
    const tag = randomUUID().slice(0, 8).toUpperCase(); // countries are compared upper-case
    const email = `seg-${tag}@example.com`;
    const c = await createCustomer(app.pool, { tier: 'PLATINUM', country: `Z${tag}`, emails: [email], handles: [{ platform: 'TWITTER', handle: `seg${tag}`.toLowerCase() }] });
    const granted = await app.gql(
      `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
      { input: { socialIdentityId: c.socialIdentityIds[0], purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } },
      ['agent'],
    );
    expect(granted.errors).toBeUndefined();
    const filter = { tiers: ['PLATINUM'], country: `Z${tag}` };
    const member = await app.gql(`query($f: SegmentFilter!) { segment(filter: $f) { edges { node { customer { id displayName } identities { handle } } } } }`, { f: filter }, ['marketing']);
    expect(member.errors).toBeUndefined();
    expect(member.data!.segment.edges.map((e: any) => e.node.identities.map((i: any) => i.handle))).toEqual([[`seg${tag}`.toLowerCase()]]);
    for (const selection of ['emails { value }', 'socialIdentities { handle }', 'interactions { totalCount }']) {
      const res = await app.gql(`query($f: SegmentFilter!) { segment(filter: $f) { edges { node { customer { id ${selection} } } } } }`, { f: filter }, ['marketing']);
      expect(res.errors!.map((e) => e.extensions!.code)).toContain('FORBIDDEN');
      expect(JSON.stringify(res.data ?? null)).not.toContain(email);
    }
  });
});

describe('the ingest role is write-only', () => {
  const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id SELECTION } }`;
  const record = (selection: string, input: Record<string, unknown>, roles: string[] = ['ingest']) =>
    app.gql(RECORD.replace('SELECTION', selection), { input: { idempotencyKey: `wo-${randomUUID()}`, channel: 'TWITTER', ...input } }, roles as never);

  it('refuses a reply to another customer\'s private message like an id that does not exist, and writes nothing', async () => {
    const victim = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', content: 'DM: my address is 12 Private Lane' }] });
    await app.pool.query(`UPDATE interactions SET is_public = false WHERE id = $1`, [victim.interactionIds[0]]);
    const caller = await createCustomer(app.pool);
    const before = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1`, [caller.id]);
    const res = await record('', { customerId: caller.id, content: 'replying', inReplyToId: victim.interactionIds[0] });
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain(`no interaction with id ${victim.interactionIds[0]}`);
    const after = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1`, [caller.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('threads a reply to another customer\'s public post in a conversation of its own', async () => {
    const other = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', content: 'public post about warranty' }] });
    await app.pool.query(`UPDATE interactions SET is_public = true WHERE id = $1`, [other.interactionIds[0]]);
    const caller = await createCustomer(app.pool);
    const res = await record('', { customerId: caller.id, content: 'me too', inReplyToId: other.interactionIds[0] });
    expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(
      `SELECT i.in_reply_to_id AS "inReplyTo", i.conversation_id <> t.conversation_id AS "ownConversation"
         FROM interactions i JOIN interactions t ON t.id = i.in_reply_to_id WHERE i.customer_id = $1`, [caller.id]);
    expect(rows).toEqual([{ inReplyTo: other.interactionIds[0], ownConversation: true }]);
  });

  it.each(['inReplyTo { content }', 'conversation { interactions { totalCount } }', 'replies { content }', 'history { event }', 'content', 'topics'])(
    'refuses ingest %s on what it wrote, with FORBIDDEN and no value',
    async (selection) => {
      const other = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', content: 'public post about a thread' }] });
      await app.pool.query(`UPDATE interactions SET is_public = true WHERE id = $1`, [other.interactionIds[0]]);
      const caller = await createCustomer(app.pool);
      const res = await record(selection, { customerId: caller.id, content: 'me too #thread', inReplyToId: other.interactionIds[0] });
      expect(res.errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(res.data ?? null)).not.toContain('public post about a thread');
    },
  );

  it('lets an agent read the same thread', async () => {
    const other = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', content: 'public post the agent may read' }] });
    await app.pool.query(`UPDATE interactions SET is_public = true WHERE id = $1`, [other.interactionIds[0]]);
    const caller = await createCustomer(app.pool);
    const res = await record('inReplyTo { content } conversation { interactions { totalCount } }', { customerId: caller.id, content: 'me too', inReplyToId: other.interactionIds[0] }, ['agent']);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordInteraction.inReplyTo.content).toBe('public post the agent may read');
  });
});
