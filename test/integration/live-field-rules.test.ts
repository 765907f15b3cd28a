import { Authorized, FieldResolver, Resolver, Root } from 'type-graphql';
import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { liveClient, settle, type LiveClient } from '../helpers/live';
import { waitFor } from '../helpers/receiver';
import { buildAppSchemaWith } from '../../src/schema';
import { CAN, type Role } from '../../src/auth/roles';
import { Interaction } from '../../src/interactions/interaction.types';

/**
 * Every field a subscriber may open is open to every role that may subscribe (viewer and up
 * read all of Interaction), so the rule is tested on a probe field only supervisors may read,
 * added to the real schema for this file.
 */
@Resolver(() => Interaction)
class SupervisorNoteProbe {
  @Authorized(CAN.supervise)
  @FieldResolver(() => String, { nullable: true, description: 'Test probe: supervisors only.' })
  supervisorNote(@Root() interaction: Interaction): string {
    return `note on ${interaction.id}`;
  }
}

let app: TestApp;
const clients: LiveClient[] = [];
beforeAll(async () => {
  app = await startTestApp({ schema: await buildAppSchemaWith([SupervisorNoteProbe]) });
});
afterAll(async () => {
  for (const c of clients) await c.dispose().catch(() => undefined);
  await app.close();
});

function connect(roles: Role[], sub: string): LiveClient {
  const c = liveClient(app.server, tokenFor(roles, sub));
  clients.push(c);
  return c;
}

const ACTIVITY = `subscription($id: ID!) { customerActivity(customerId: $id) { id content supervisorNote } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`;

describe('live desk: field-level rules in payloads', () => {
  it('a field the subscriber\'s role may not read is FORBIDDEN in each payload, like a query; other roles on the same document get it', async () => {
    const customerId = (await createCustomer(app.pool)).id;
    const [viewerA, viewerB, supervisor] = [`fr-viewer-${unique()}`, `fr-viewer-${unique()}`, `fr-super-${unique()}`];
    const a = connect(['viewer'], viewerA).subscribe(ACTIVITY, { id: customerId });
    const b = connect(['viewer'], viewerB).subscribe(ACTIVITY, { id: customerId });
    const s = connect(['supervisor'], supervisor).subscribe(ACTIVITY, { id: customerId });
    await settle(300);
    const before = { ...app.app.live.stats };

    const ids: string[] = [];
    for (const k of [1, 2]) {
      const res = await app.gql(RECORD, { input: { idempotencyKey: `fr-${unique()}`, customerId, channel: 'EMAIL', content: `field rules ${k}` } }, ['ingest']);
      expect(res.errors).toBeUndefined();
      ids.push(res.data!.recordInteraction.id);
    }
    await waitFor(() => [a, b, s].every((x) => x.items.length === 2), 10_000, 'two payloads each');

    // The viewers: the data they may read, the refused field null with FORBIDDEN at its path, in every payload.
    for (const viewer of [a, b]) {
      expect(viewer.items).toEqual(ids.map((id, k) => ({ id, content: `field rules ${k + 1}`, supervisorNote: null })));
      expect(viewer.errors.map((e) => [e.extensions?.code, e.path])).toEqual([
        ['FORBIDDEN', ['customerActivity', 'supervisorNote']],
        ['FORBIDDEN', ['customerActivity', 'supervisorNote']],
      ]);
    }
    // The supervisor on the same document and variables is not served the viewers' answer.
    expect(s.items).toEqual(ids.map((id, k) => ({ id, content: `field rules ${k + 1}`, supervisorNote: `note on ${id}` })));
    expect(s.errors).toEqual([]);

    // One execution per event and role set (viewers share theirs), not one per subscriber.
    expect(app.app.live.stats.executions - before.executions).toBe(4);
    expect(app.app.live.stats.payloads - before.payloads).toBe(6);

    // Each refused subscriber is audited as itself, once per subscription, like a refused query.
    const { rows } = await app.pool.query(
      `SELECT actor, subject FROM audit_log WHERE action = 'ACCESS_DENIED' AND actor = ANY($1) ORDER BY actor`,
      [[viewerA, viewerB, supervisor]],
    );
    expect(rows).toEqual([viewerA, viewerB].sort().map((actor) => ({ actor, subject: 'Interaction.supervisorNote' })));
  });
});
