import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { liveClient, settle, type LiveClient, type Subscription } from '../helpers/live';
import { waitFor } from '../helpers/receiver';
import { buildAppSchemaWith } from '../../src/schema';
import type { Role } from '../../src/auth/roles';
import { DomainError } from '../../src/graphql/errors';

/**
 * Stands in for the global field guard (a rule on every field of every type): it wraps the
 * resolver of each field of the built schema, which is what a payload must go through to be
 * guarded. Subscription payloads are executed on that same schema (live-execute.ts), so each
 * nested field of a payload, including those of `simpleResolvers` types (QueueItem,
 * Interaction) that type-graphql middlewares skip, meets the rule.
 */
function guardEveryField(schema: GraphQLSchema, allowed: (coordinate: string, roles: ReadonlySet<string>) => boolean): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      field.resolve = (source, args, ctx: { viewer: { roles: ReadonlySet<string> } }, info) => {
        if (!allowed(coordinate, ctx.viewer.roles)) throw new DomainError('FORBIDDEN', `${coordinate} is not for this role`);
        return resolve(source, args, ctx, info);
      };
    }
  }
  return schema;
}

let app: TestApp;
const clients: LiveClient[] = [];
beforeAll(async () => {
  // The probe rule: the text of a message is for supervisors only.
  const schema = guardEveryField(await buildAppSchemaWith([]), (coordinate, roles) => coordinate !== 'Interaction.content' || roles.has('supervisor'));
  app = await startTestApp({ schema });
});
afterAll(async () => {
  for (const c of clients) await c.dispose().catch(() => undefined);
  await app.close();
});

function subscribe(roles: Role[], query: string, variables?: Record<string, unknown>): Subscription {
  const c = liveClient(app.server, tokenFor(roles, `lpr-${unique()}`));
  clients.push(c);
  return c.subscribe(query, variables);
}

const QUEUE = `subscription { queueChanged { kind interactionId item { interaction { id content customer { id } } } } }`;
const ESCALATIONS = `subscription { escalationChanged { id interaction { id content } } }`;
const ACTIVITY = `subscription($id: ID!) { customerActivity(customerId: $id) { id content } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`;

describe('live payloads go through the schema\'s field rules', () => {
  it('a field refused to a role is refused inside every subscription payload, nested types included; an ingest subscriber gets nothing', async () => {
    const customerId = (await createCustomer(app.pool)).id;
    const viewer = subscribe(['viewer'], ACTIVITY, { id: customerId });
    const supervisor = subscribe(['supervisor'], ACTIVITY, { id: customerId });
    const agentQueue = subscribe(['agent'], QUEUE);
    const ingest = [subscribe(['ingest'], QUEUE), subscribe(['ingest'], ESCALATIONS), subscribe(['ingest'], ACTIVITY, { id: customerId })];
    // Six sockets to open and subscribe before the event: generous, for a loaded machine (the full suite runs two files at once).
    await settle(1500);

    const secret = `My order never arrived, where is it? Private ref ${unique()}`;
    const res = await app.gql(RECORD, { input: { idempotencyKey: `lpr-${unique()}`, customerId, channel: 'FACEBOOK', content: secret } }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const id = res.data!.recordInteraction.id;
    await waitFor(() => viewer.errors.length >= 1 && supervisor.items.length >= 1 && agentQueue.items.some((i) => i.interactionId === id), 20_000, 'the payloads');
    await settle(200);
    const seen = (s: Subscription) => JSON.stringify([s.items, s.errors]);

    // The role that may read it gets it: the rule, not the event, decides.
    expect(supervisor.items).toEqual([{ id, content: secret }]);
    // The viewer's payload, and the agent's two types down (QueueItem, Interaction): FORBIDDEN at
    // the field, whose null (content is non-null) empties what holds it, as in a query.
    expect(viewer.items).toEqual([]);
    expect(viewer.errors.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['customerActivity', 'content']]]);
    expect(agentQueue.items.filter((i) => i.interactionId === id)).toEqual([{ kind: 'ADDED', interactionId: id, item: null }]);
    // The queue is shared with the other test files: their items arrive too, each refused the same way.
    expect([...new Set(agentQueue.errors.map((e) => `${e.extensions?.code} ${e.path.join('.')}`))]).toEqual(['FORBIDDEN queueChanged.item.interaction.content']);
    for (const s of [viewer, agentQueue]) expect(seen(s)).not.toContain(secret);
    // Ingest writes and never reads back: every subscription refused, nothing of the message received.
    for (const s of ingest) {
      expect(s.items).toEqual([]);
      expect(s.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(seen(s)).not.toContain(secret);
    }
  });
});
