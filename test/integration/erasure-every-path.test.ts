import { randomInt } from 'node:crypto';
import { DATA_INVENTORY } from '../../src/privacy/data-inventory';
import { customerTables } from '../../src/privacy/customer-tables';
import { startTestApp, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';
import { findAnywhere } from '../helpers/find-anywhere';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 10 });
});
afterAll(() => app.close());

/** Sends one GraphQL operation as `role` and answers its data, failing on any error. */
async function call(role: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await app.gql(query, variables, [role as never]);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const EVENT_TYPES = [
  'CUSTOMER_CREATED', 'CUSTOMER_MERGED', 'MERGE_UNDONE', 'CUSTOMER_ERASED', 'CONSENT_CHANGED', 'IDENTITY_LINKED', 'INTERACTION_RECORDED',
  'INTERACTION_RESPONDED', 'ESCALATION_RAISED', 'ESCALATION_RESOLVED', 'TIER_CHANGED', 'INCIDENT_OPENED', 'INCIDENT_RESOLVED',
];
const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id socialIdentities { id } } }`;

/**
 * One customer sent through every write path over GraphQL, each carrying their name, email,
 * phone, handle or the address they gave (which only notes hold: no column is "address").
 */
async function customerThroughEveryPath() {
  const n = unique();
  const tag = n.replace(/[^a-z0-9]/gi, '');
  const v = {
    name: `Zelda Quillfeather ${n}`,
    email: `zelda.q.${n}@example.com`,
    phone: `+1313${randomInt(2, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
    handle: `zq${tag}`,
    address: `${randomInt(100, 999)} Juniper Lane ${tag}`,
  };
  // Registered first so every event about them queues a delivery; the caller deletes it (deliveries go with it).
  const webhook = (await call('admin', `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`, {
    input: { url: `http://127.0.0.1:9/erasure-${tag}`, events: EVENT_TYPES },
  })).registerWebhook.id;
  try {
    const touchpoint = {
      touchpoint: 'IN_STORE', idempotencyKey: `erase-tp-${tag}`, name: v.name, emails: [v.email], phones: [{ number: v.phone }],
      handles: [{ platform: 'TWITTER', handle: v.handle, followerCount: 500 }], city: 'Plymouth', region: 'MI',
      attributes: { loyaltyId: `L-${tag}` },
      consents: ['SERVICE', 'MARKETING', 'PROFILING'].map((purpose) => ({ purpose, status: 'GRANTED', wording: `Agreed at the desk, lives at ${v.address}` })),
    };
    const customer = (await call('agent', TOUCHPOINT, { input: touchpoint })).recordTouchpoint;
    const customerId: string = customer.id;
    const identityId: string = customer.socialIdentities[0].id;

    const post = (await call('ingest', `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id conversation { id } } }`, {
      input: {
        idempotencyKey: `erase-post-${tag}`, channel: 'TWITTER', platform: 'TWITTER', handle: v.handle, externalId: `tw-${tag}`,
        content: `Broke down outside ${v.address}, call ${v.phone} or mail ${v.email}`, topics: ['breakdown'],
      },
    })).recordInteraction;
    await call('agent', `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id } }`, {
      input: { interactionId: post.id, content: `Sorry ${v.name}, help is on its way`, isPublic: false },
    });
    const escalation = (await call('agent', `mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`, {
      input: { interactionId: post.id, team: 'RETENTION', reason: `${v.name} stranded at ${v.address}, phone ${v.phone}` },
    })).escalateInteraction;
    await call('agent', `mutation($input: TakeOfflineInput!) { takeOffline(input: $input) { id } }`, {
      input: { conversationId: post.conversation.id, toChannel: 'PHONE', reason: `Calling ${v.name}`, context: `At ${v.address}, email ${v.email}` },
    });
    await call('supervisor', `mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { id } }`, {
      input: { escalationId: escalation.id, resolution: `Tow truck sent to ${v.address}` },
    });
    await call('supervisor', `mutation($id: ID!) { setTier(customerId: $id, tier: GOLD) { id } }`, { id: customerId });
    await call('ingest', `mutation($input: InfluenceScoreInput!) { recordInfluenceScore(input: $input) { score } }`, {
      input: { customerId, score: 7, source: 'listening', topic: 'cars', measuredAt: new Date().toISOString(), idempotencyKey: `erase-score-${tag}` },
    });
    await call('ingest', `mutation($inputs: [FollowerCountInput!]!, $key: String) { recordFollowerCounts(inputs: $inputs, idempotencyKey: $key) { score } }`, {
      inputs: [{ socialIdentityId: identityId, followerCount: 900 }], key: `erase-followers-${tag}`,
    });
    await call('agent', `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`, {
      input: { socialIdentityId: identityId, purpose: 'MARKETING', status: 'REVOKED', source: 'SOCIAL_MESSAGE', wording: `Stop, says ${v.name} at ${v.email}` },
    });

    // An incident: 20 posts on a topic of this test's own from 10 people, theirs among them (the threshold rule opens it).
    const start = Date.UTC(2021, 6, 1) + randomInt(0, 24 * 900) * 3_600_000;
    const handles = [v.handle, ...Array.from({ length: 9 }, (_, k) => `zqo${tag}${k}`)];
    const posts = Array.from({ length: 20 }, (_, k) => ({
      idempotencyKey: `erase-inc-${tag}-${k}`, channel: 'TWITTER', platform: 'TWITTER', handle: handles[k % 10], topics: [`outage${tag}`],
      content: k % 10 === 0 ? `No power at ${v.address} #outage${tag}` : `The app is down #outage${tag}`,
      occurredAt: new Date(start + k * 30_000).toISOString(),
    }));
    await call('ingest', `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`, { inputs: posts });
    const { rows: [incident] } = await app.pool.query(`SELECT id FROM care_incidents WHERE topic = $1`, [`outage${tag}`]);
    expect(incident).toBeDefined();
    await call('supervisor', `mutation($input: NotifyIncidentInput!) { notifyIncident(input: $input) { id } }`, {
      input: { incidentId: incident.id, text: 'We know the app is down and are fixing it.' },
    });
    return { customerId, values: v, tag, touchpoint, webhook };
  } catch (error) {
    await deleteWebhook(webhook);
    throw error;
  }
}

/** Webhooks live in the shared database: each test removes its own, so no other file's events queue deliveries for long. */
const deleteWebhook = (id: string) => call('admin', `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id });

/** Per table, the JSON text of each personal column's values in the customer's rows, read the way the inventory names them. */
async function personalValuesByTable(customerId: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of customerTables()) {
    const personal = Object.entries(DATA_INVENTORY[table.name].columns).filter(([, c]) => c.class !== 'OPERATIONAL').map(([c]) => c);
    const { rows } = await app.pool.query(`SELECT to_jsonb(t) AS row FROM "${table.name}" t WHERE ${table.rows}`, [[customerId]]);
    out[table.name] = rows.flatMap((r) => personal.map((c) => JSON.stringify(r.row[c]))).sort();
  }
  return out;
}

const cleanups: (() => Promise<unknown>)[] = [];
const onCleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

describe('erasure of a customer who went through every write path', () => {
  it('export first holds every value the inventory lists; erasure then leaves none of theirs in any text or JSON column of any table', async () => {
    const { customerId, values, tag, webhook } = await customerThroughEveryPath();
    onCleanup(() => deleteWebhook(webhook));
    const distinctive = Object.values(values);
    // Before: every value is stored somewhere, in notes too (the address has no column of its own).
    for (const value of distinctive) expect([value, (await findAnywhere(app.pool, value)).length > 0]).toEqual([value, true]);
    expect(await findAnywhere(app.pool, values.address)).toEqual(expect.arrayContaining([
      'conversation_handoffs.context', 'escalations.reason', 'escalations.resolution', 'interaction_history.detail', 'interactions.content',
    ]));

    const expected = await personalValuesByTable(customerId);
    const exported = (await call('admin', `query($id: ID!) { exportCustomer(id: $id) }`, { id: customerId })).exportCustomer;
    for (const table of ['audit_log', 'webhook_deliveries', 'care_incidents', 'care_incident_messages', 'conversation_handoffs', 'interaction_history', 'idempotency_keys']) {
      expect([table, exported.tables[table].length > 0]).toEqual([table, true]);
    }
    for (const table of customerTables()) {
      if (table.name === 'customers') continue;
      const personal = Object.entries(DATA_INVENTORY[table.name].columns).filter(([, c]) => c.class !== 'OPERATIONAL').map(([c]) => c);
      const got = (exported.tables[table.name] as Record<string, unknown>[]).flatMap((row) => personal.map((c) => JSON.stringify(row[c]))).sort();
      expect([table.name, got]).toEqual([table.name, expected[table.name]]);
    }
    const text = JSON.stringify(exported);
    for (const value of distinctive) expect([value, text.includes(value)]).toEqual([value, true]);

    const { rows: [other] } = await app.pool.query(`SELECT content FROM interactions WHERE idempotency_key = $1`, [`erase-inc-${tag}-1`]);
    expect((await call('admin', `mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: customerId })).eraseCustomer).toBe(true);

    for (const value of distinctive) expect([value, await findAnywhere(app.pool, value)]).toEqual([value, []]);
    // Other people's words on the same incident stay as they were.
    const { rows: [after] } = await app.pool.query(`SELECT content FROM interactions WHERE idempotency_key = $1`, [`erase-inc-${tag}-1`]);
    expect(after.content).toBe(other.content);
  });

  it('a retried touchpoint of an erased customer is refused with CONFLICT instead of bringing them back', async () => {
    const { customerId, values, touchpoint, webhook } = await customerThroughEveryPath();
    onCleanup(() => deleteWebhook(webhook));
    // Before erasure the same call answers the same customer and writes nothing.
    expect((await call('agent', TOUCHPOINT, { input: touchpoint })).recordTouchpoint.id).toBe(customerId);
    await call('admin', `mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: customerId });
    const retry = await app.gql(TOUCHPOINT, { input: touchpoint }, ['agent']);
    expect(retry.errors![0].extensions!.code).toBe('CONFLICT');
    expect(await findAnywhere(app.pool, values.email)).toEqual([]);
  });
});
