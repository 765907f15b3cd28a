import { startTestApp, type TestApp } from '../helpers/app';
import { insertConsentEvents } from '../helpers/consent';
import { createCustomer, unique, uniqueLocalDigits } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 10 });
});
afterAll(() => app.close());

const OPEN = `mutation($input: OpenIncidentInput!) { openIncident(input: $input) {
  id topic status ruleName windowMinutes openedBy affectedCount reached messages { kind reached notConsented } } }`;
const BROADCAST = `mutation($input: BroadcastIncidentInput!) { broadcastIncident(input: $input) {
  id broadcasts { brandChannelId channel handle text postedBy } } }`;
const RESOLVE = `mutation($input: ResolveIncidentInput!) { resolveIncident(input: $input) { id status } }`;
const QUEUE = `query($skillGroup: String) { careQueue(first: 100, skillGroup: $skillGroup) {
  edges { node { interaction { id } incidentId groupedCount priority { reasons { factor detail } } } } } }`;
const SEGMENT = `query($filter: SegmentFilter!) { segment(filter: $filter, purpose: SERVICE, first: 100) { edges { node { customer { id } } } } }`;

const tagOf = () => unique().replace(/-/g, '');

/** A customer in `city`/`region` with one email and one handle, SERVICE consent on the given identity (or none). */
async function person(place: { city: string; region: string }, service: 'EMAIL' | 'HANDLE' | 'MARKETING_ONLY' | 'REVOKED' | 'NONE') {
  const tag = tagOf();
  const c = await createCustomer(app.pool, { ...place, emails: [`p${tag}@example.com`], handles: [{ platform: 'TWITTER', handle: `p${tag}` }] });
  const { rows } = await app.pool.query(`SELECT id FROM contact_points WHERE customer_id = $1`, [c.id]);
  const email = rows[0].id as string;
  const handle = c.socialIdentityIds[0];
  if (service === 'EMAIL') await insertConsentEvents(app.pool, [{ identityId: email, kind: 'CONTACT', purpose: 'SERVICE', status: 'GRANTED' }]);
  if (service === 'HANDLE') await insertConsentEvents(app.pool, [{ identityId: handle, purpose: 'SERVICE', status: 'GRANTED' }]);
  if (service === 'MARKETING_ONLY') await insertConsentEvents(app.pool, [{ identityId: email, kind: 'CONTACT', purpose: 'MARKETING', status: 'GRANTED' }]);
  if (service === 'REVOKED') {
    await insertConsentEvents(app.pool, [
      { identityId: email, kind: 'CONTACT', purpose: 'SERVICE', status: 'GRANTED', recordedAt: new Date(Date.now() - 60_000) },
      { identityId: email, kind: 'CONTACT', purpose: 'SERVICE', status: 'REVOKED' },
    ]);
  }
  return { id: c.id, email, handle };
}

/** The replies an incident's messages wrote, per customer: channel, conversation started for it, content. */
async function repliesOf(incidentId: string) {
  const { rows } = await app.pool.query(
    `SELECT n.customer_id AS "customerId", n.kind, r.channel, r.direction, r.in_reply_to_id AS "inReplyTo", r.content,
            (SELECT count(*)::int FROM interactions x WHERE x.conversation_id = r.conversation_id) AS "inConversation"
       FROM care_incident_notices n JOIN interactions r ON r.id = n.reply_id WHERE n.incident_id = $1 ORDER BY n.customer_id, n.kind`,
    [incidentId]);
  return rows;
}

async function incidentsOn(topic: string) {
  const { rows } = await app.pool.query(`SELECT id FROM care_incidents WHERE topic = $1`, [topic]);
  return rows.map((r) => r.id as string);
}

describe('SegmentFilter region and city', () => {
  it('match case-insensitively, alone and together', async () => {
    const tag = tagOf();
    const inTown = await person({ city: `Plymouth${tag}`, region: `MI${tag}` }, 'EMAIL');
    const elsewhereInState = await person({ city: `Detroit${tag}`, region: `MI${tag}` }, 'EMAIL');
    await person({ city: `Plymouth${tag}`, region: `MA${tag}` }, 'EMAIL');
    const members = async (filter: Record<string, unknown>) => {
      const res = await app.gql(SEGMENT, { filter }, ['supervisor']);
      expect(res.errors).toBeUndefined();
      return res.data!.segment.edges.map((e: any) => e.node.customer.id).sort();
    };
    expect(await members({ region: ` mi${tag.toUpperCase()} ` })).toEqual([inTown.id, elsewhereInState.id].sort());
    expect(await members({ city: `PLYMOUTH${tag}`, region: `Mi${tag}` })).toEqual([inTown.id]);
  });

  it('refuses an empty place with BAD_USER_INPUT naming the field', async () => {
    const res = await app.gql(SEGMENT, { filter: { city: '  ' } }, ['supervisor']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.city' });
  });
});

describe('openIncident', () => {
  it('reaches affected customers who never posted, only with SERVICE consent, once each across concurrent calls and retries', async () => {
    const tag = tagOf();
    const place = { city: `Springfield${tag}`, region: `IL${tag}` };
    const byEmail = await person(place, 'EMAIL');
    const byHandle = await person(place, 'HANDLE');
    const marketingOnly = await person(place, 'MARKETING_ONLY');
    const revoked = await person(place, 'REVOKED');
    const elsewhere = await person({ city: `Shelbyville${tag}`, region: `IL${tag}` }, 'EMAIL');
    const topic = `outage${tag}`;
    const input = { topic: `#Outage${tag}`, affected: { city: `springfield${tag}` }, message: 'We know the app is down in Springfield; a fix is on its way.' };

    const calls = await Promise.all([1, 2, 3].map(() => app.gql(OPEN, { input }, ['supervisor'])));
    for (const res of calls) expect(res.errors).toBeUndefined();
    const ids = await incidentsOn(topic);
    expect(ids).toHaveLength(1);
    expect(new Set(calls.map((c) => c.data!.openIncident.id))).toEqual(new Set(ids));
    expect(calls[0].data!.openIncident).toMatchObject({ topic, status: 'OPEN', ruleName: 'manual', windowMinutes: 0, openedBy: 'test-user', affectedCount: 4 });

    const replies = await repliesOf(ids[0]);
    expect(replies).toEqual([
      { customerId: byEmail.id, kind: 'NOTIFY', channel: 'EMAIL', direction: 'OUTBOUND', inReplyTo: null, content: input.message, inConversation: 1 },
      { customerId: byHandle.id, kind: 'NOTIFY', channel: 'TWITTER', direction: 'OUTBOUND', inReplyTo: null, content: input.message, inConversation: 1 },
    ].sort((a, b) => a.customerId.localeCompare(b.customerId)));
    const { rows: audits } = await app.pool.query(
      `SELECT subject, count(*)::int AS n FROM audit_log WHERE action = 'INCIDENT_NOTICE_SENT' AND details->>'incidentId' = $1 GROUP BY subject ORDER BY subject`, [ids[0]]);
    expect(audits).toEqual([{ subject: byEmail.id, n: 1 }, { subject: byHandle.id, n: 1 }].sort((a, b) => a.subject.localeCompare(b.subject)));
    const { rows: opened } = await app.pool.query(
      `SELECT actor, details->>'affected' AS affected FROM audit_log WHERE action = 'INCIDENT_OPENED' AND details->>'incidentId' = $1`, [ids[0]]);
    expect(opened).toEqual([{ actor: 'test-user', affected: '4' }]);
    const { rows: nobody } = await app.pool.query(
      `SELECT count(*)::int AS n FROM interactions WHERE customer_id = ANY($1::uuid[])`, [[marketingOnly.id, revoked.id, elsewhere.id]]);
    expect(nobody[0].n).toBe(0);

    // A retry after the marketing-only customer granted SERVICE reaches that customer alone.
    await insertConsentEvents(app.pool, [{ identityId: marketingOnly.email, kind: 'CONTACT', purpose: 'SERVICE', status: 'GRANTED' }]);
    const retry = await app.gql(OPEN, { input }, ['supervisor']);
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.openIncident.reached).toBe(3);
    expect((await repliesOf(ids[0])).map((r) => r.customerId).sort()).toEqual([byEmail.id, byHandle.id, marketingOnly.id].sort());
    expect(retry.data!.openIncident.messages.map((m: any) => m.reached).reduce((a: number, b: number) => a + b, 0)).toBe(3);
  });

  it('refuses another filter on a topic with an open incident (CONFLICT), and bad input (BAD_USER_INPUT), writing nothing', async () => {
    const tag = tagOf();
    const topic = `fire${tag}`;
    const first = await app.gql(OPEN, { input: { topic, affected: { city: `a${tag}` } } }, ['supervisor']);
    expect(first.errors).toBeUndefined();
    const other = await app.gql(OPEN, { input: { topic, affected: { city: `b${tag}` } } }, ['supervisor']);
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'topic' });
    expect(await incidentsOn(topic)).toHaveLength(1);

    // Longer than SMS takes, for a customer reachable only by phone: refused before anything is written.
    const smsOnly = await createCustomer(app.pool, { city: `sms${tag}`, phones: [`+1313${uniqueLocalDigits()}`] });
    const { rows } = await app.pool.query(`SELECT id FROM contact_points WHERE customer_id = $1`, [smsOnly.id]);
    await insertConsentEvents(app.pool, [{ identityId: rows[0].id, kind: 'CONTACT', purpose: 'SERVICE', status: 'GRANTED' }]);
    const cases: [Record<string, unknown>, string][] = [
      [{ topic: '  #  ', affected: { city: `x${tag}` } }, 'topic'],
      [{ topic: `bad${tag}`, affected: { city: '' } }, 'filter.city'],
      [{ topic: `bad${tag}`, affected: { tiers: [] } }, 'filter.tiers'],
      [{ topic: `bad${tag}`, affected: { city: `x${tag}` }, message: '   ' }, 'message'],
      [{ topic: `bad${tag}`, affected: { city: `sms${tag}` }, message: 'x'.repeat(200) }, 'message'],
    ];
    for (const [input, field] of cases) {
      const res = await app.gql(OPEN, { input }, ['supervisor']);
      expect({ input, ext: res.errors?.[0].extensions }).toEqual({ input, ext: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) });
    }
    expect(await incidentsOn(`bad${tag}`)).toEqual([]);
    const { rows: written } = await app.pool.query(`SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1`, [smsOnly.id]);
    expect(written[0].n).toBe(0);
  });

  it('is for supervisors and admins: an agent is FORBIDDEN and opens nothing', async () => {
    const topic = `denied${tagOf()}`;
    const res = await app.gql(OPEN, { input: { topic, affected: { city: 'nowhere' } } }, ['agent']);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await incidentsOn(topic)).toEqual([]);
  });
});

describe('broadcastIncident', () => {
  it('records one public post per monitored brand channel, once each across retries and concurrent calls', async () => {
    const tag = tagOf();
    const channel = async (ch: string, monitored: boolean) => {
      const res = await app.gql(`mutation($input: BrandChannelInput!) { setBrandChannel(input: $input) { id } }`,
        { input: { channel: ch, handle: ch === 'FORUM' ? `https://forum.example.com/b${tag}` : `brand${tag}`, name: `Brand ${tag}`, monitored } }, ['admin']);
      expect(res.errors).toBeUndefined();
      return res.data!.setBrandChannel.id as string;
    };
    const twitter = await channel('TWITTER', true);
    const facebook = await channel('FACEBOOK', true);
    const quiet = await channel('INSTAGRAM', false);
    const opened = await app.gql(OPEN, { input: { topic: `storm${tag}`, affected: { city: `none${tag}` } } }, ['supervisor']);
    const incidentId = opened.data!.openIncident.id;
    const text = 'Storm damage: service is down in the north; updates here every hour.';

    const tooLong = await app.gql(BROADCAST, { input: { incidentId, text: 'x'.repeat(281) } }, ['supervisor']);
    expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    const unknown = await app.gql(BROADCAST, { input: { incidentId: '00000000-0000-4000-8000-000000000000', text } }, ['supervisor']);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const badId = await app.gql(BROADCAST, { input: { incidentId: 'nope', text } }, ['supervisor']);
    expect(badId.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const agent = await app.gql(BROADCAST, { input: { incidentId, text } }, ['agent']);
    expect(agent.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const { rows: none } = await app.pool.query(`SELECT count(*)::int AS n FROM care_incident_broadcasts WHERE incident_id = $1`, [incidentId]);
    expect(none[0].n).toBe(0);

    const calls = await Promise.all([1, 2, 3].map(() => app.gql(BROADCAST, { input: { incidentId, text } }, ['supervisor'])));
    for (const res of calls) expect(res.errors).toBeUndefined();
    const again = await app.gql(BROADCAST, { input: { incidentId, text } }, ['supervisor']);
    const posts = again.data!.broadcastIncident.broadcasts as { brandChannelId: string; text: string; postedBy: string }[];
    const perChannel = new Map<string, number>();
    for (const p of posts) perChannel.set(p.brandChannelId, (perChannel.get(p.brandChannelId) ?? 0) + 1);
    expect([...perChannel.values()].every((n) => n === 1)).toBe(true);
    expect(perChannel.has(twitter) && perChannel.has(facebook)).toBe(true);
    expect(perChannel.has(quiet)).toBe(false);
    expect(posts.every((p) => p.text === text && p.postedBy === 'test-user')).toBe(true);
    const { rows: audited } = await app.pool.query(
      `SELECT details->>'brandChannelId' AS id, count(*)::int AS n FROM audit_log WHERE action = 'INCIDENT_BROADCAST' AND details->>'incidentId' = $1
        GROUP BY 1`, [incidentId]);
    expect(audited.every((a) => a.n === 1) && audited.length === posts.length).toBe(true);
  });
});

describe('grouping an open incident\'s posts in the care queue', () => {
  it('shows one item per incident with the count and the reason, claims only that one, and brings the others back when resolved', async () => {
    const tag = tagOf();
    const topic = `blackout${tag}`;
    const skillGroup = `grp${tag}`;
    const posters = [];
    for (let k = 0; k < 5; k++) {
      posters.push(await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER', topics: [topic], content: `no power here ${k}`, category: 'COMPLAINT' }] }));
    }
    const postIds = posters.map((p) => p.interactionIds[0]);
    await app.pool.query(`UPDATE interactions SET skill_group = $2 WHERE id = ANY($1::uuid[])`, [postIds, skillGroup]);
    const queue = async () => {
      const res = await app.gql(QUEUE, { skillGroup }, ['agent']);
      expect(res.errors).toBeUndefined();
      return res.data!.careQueue.edges.map((e: any) => e.node);
    };
    expect(await queue()).toHaveLength(5);

    const opened = await app.gql(OPEN, { input: { topic, affected: { city: `none${tag}` } } }, ['supervisor']);
    expect(opened.errors).toBeUndefined();
    const incidentId = opened.data!.openIncident.id;
    const grouped = await queue();
    expect(grouped).toHaveLength(1);
    expect(grouped[0]).toMatchObject({ incidentId, groupedCount: 5, interaction: { id: postIds[0] } });
    const reason = grouped[0].priority.reasons.find((r: any) => r.factor === 'incident');
    expect(reason.detail).toContain(`stands for 5 open posts on the open incident "${topic}"`);

    // A later post on the topic joins and is grouped behind the same item.
    const later = await app.gql(`mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, {
      inputs: [{ idempotencyKey: `grp-${tag}`, platform: 'TWITTER', handle: `late${tag}`, channel: 'TWITTER', content: `still dark #${topic}`, topics: [topic], occurredAt: new Date().toISOString() }],
    }, ['ingest']);
    expect(later.errors).toBeUndefined();
    const { rows: [late] } = await app.pool.query(`SELECT grouped_incident_id AS "groupedIn" FROM interactions WHERE id = $1`, [later.data!.recordInteractions[0].id]);
    expect(late.groupedIn).toBe(incidentId);
    await app.pool.query(`UPDATE interactions SET skill_group = $2 WHERE id = $1`, [later.data!.recordInteractions[0].id, skillGroup]);
    expect((await queue()).map((n: any) => [n.interaction.id, n.groupedCount])).toEqual([[postIds[0], 6]]);

    // The claim takes the item that stands for the incident, and nothing grouped behind it.
    const agentId = `grp-agent-${tag}`;
    const set = await app.gql(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`,
      { input: { id: agentId, skillGroups: [skillGroup], tiers: ['NONE', 'BRONZE', 'SILVER', 'GOLD', 'PLATINUM'], capacity: 10 } }, ['supervisor']);
    expect(set.errors).toBeUndefined();
    const claim = () => app.gql(`mutation($a: ID!) { claimNextInteraction(agentId: $a) { id } }`, { a: agentId }, ['supervisor']);
    expect((await claim()).data!.claimNextInteraction).toEqual({ id: postIds[0] });
    expect((await claim()).data!.claimNextInteraction).toBeNull();

    const resolved = await app.gql(RESOLVE, { input: { incidentId, text: 'Power is back.' } }, ['supervisor']);
    expect(resolved.errors).toBeUndefined();
    const back = await queue();
    expect(back.map((n: any) => n.interaction.id).sort()).toEqual([...postIds, later.data!.recordInteractions[0].id].sort());
    expect(back.every((n: any) => n.groupedCount === null && n.incidentId === null)).toBe(true);
  });

  it('keeps one item per incident when concurrent ingestion calls bring its first posts', async () => {
    const tag = tagOf();
    const topic = `flood${tag}`;
    const opened = await app.gql(OPEN, { input: { topic, affected: { city: `none${tag}` } } }, ['supervisor']);
    const incidentId = opened.data!.openIncident.id;
    const calls = await Promise.all([0, 1, 2, 3].map((c) => app.gql(`mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, {
      inputs: [0, 1, 2].map((k) => ({
        idempotencyKey: `flood-${tag}-${c}-${k}`, platform: 'TWITTER', handle: `f${tag}_${c}_${k}`, channel: 'TWITTER',
        content: `water everywhere #${topic}`, topics: [topic], occurredAt: new Date(Date.now() - (c * 3 + k) * 1000).toISOString(),
      })),
    }, ['ingest'])));
    for (const res of calls) expect(res.errors).toBeUndefined();
    const { rows } = await app.pool.query(
      `SELECT count(*) FILTER (WHERE i.grouped_incident_id IS NULL)::int AS visible, count(*)::int AS posts,
              count(*) FILTER (WHERE i.id = ci.stand_in_id AND i.grouped_incident_id IS NULL)::int AS standing
         FROM care_incident_posts p JOIN interactions i ON i.id = p.interaction_id JOIN care_incidents ci ON ci.id = p.incident_id
        WHERE p.incident_id = $1 AND i.status = 'OPEN'`, [incidentId]);
    expect(rows[0]).toEqual({ visible: 1, posts: 12, standing: 1 });
  });
});
