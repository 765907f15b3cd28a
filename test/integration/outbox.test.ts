import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';
import { appendEvent } from '../../src/events/outbox';
import { EventType } from '../../src/events/event-types';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface Row { type: string; customer_id: string | null; data: Record<string, any>; tx: string }

async function eventsOf(customerIds: string[]): Promise<Row[]> {
  const { rows } = await app.pool.query(
    `SELECT type, customer_id, data, tx::text AS tx FROM outbox_events WHERE customer_id = ANY($1::uuid[]) ORDER BY seq`, [customerIds]);
  return rows;
}
const types = (rows: Row[]) => rows.map((r) => r.type);

const TOUCHPOINT = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status escalation { id } } }`;
const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`;
const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id status } }`;
const RESOLVE = `mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { id } }`;

describe('transactional outbox', () => {
  it('a touchpoint that creates a customer writes CUSTOMER_CREATED, IDENTITY_LINKED and CONSENT_CHANGED in its transaction', async () => {
    const email = `out-${unique()}@example.com`;
    const res = await app.gql(TOUCHPOINT, {
      input: { touchpoint: 'ONLINE_PURCHASE', name: 'Outbox Person', emails: [email], consents: [{ purpose: 'MARKETING', status: 'GRANTED' }] },
    }, ['agent']);
    expect(res.errors).toBeUndefined();
    const id = res.data!.recordTouchpoint.id;
    const rows = await eventsOf([id]);
    expect(types(rows)).toEqual(['CUSTOMER_CREATED', 'IDENTITY_LINKED', 'CONSENT_CHANGED']);
    expect(new Set(rows.map((r) => r.tx)).size).toBe(1);
    expect(rows[1].data).toMatchObject({ customerId: id, identifiers: [{ kind: 'EMAIL', value: email }] });
    expect(rows[2].data).toMatchObject({ customerId: id, purpose: 'MARKETING', status: 'GRANTED', source: 'ONLINE_PURCHASE' });
    // The same touchpoint again links nothing new: only the consent decision is an event.
    await app.gql(TOUCHPOINT, { input: { touchpoint: 'ONLINE_PURCHASE', emails: [email], consents: [{ purpose: 'MARKETING', status: 'REVOKED' }] } }, ['agent']);
    expect(types(await eventsOf([id]))).toEqual(['CUSTOMER_CREATED', 'IDENTITY_LINKED', 'CONSENT_CHANGED', 'CONSENT_CHANGED']);
  });

  it('interactions: recorded, escalated by rule, answered, escalation resolved', async () => {
    const c = await createCustomer(app.pool);
    const rec = await app.gql(RECORD, {
      input: { idempotencyKey: `ob-${unique()}`, customerId: c.id, channel: 'FACEBOOK', content: 'Third breakdown this month. I am thinking of leaving for another brand.' },
    }, ['ingest']);
    expect(rec.errors).toBeUndefined();
    const interactionId = rec.data!.recordInteraction.id;
    const escalationId = rec.data!.recordInteraction.escalation.id;
    let rows = await eventsOf([c.id]);
    expect(types(rows)).toEqual(['INTERACTION_RECORDED', 'ESCALATION_RAISED']);
    expect(rows[0].data).toMatchObject({ interactionId, customerId: c.id, channel: 'FACEBOOK', direction: 'INBOUND', status: 'ESCALATED' });
    expect(rows[1].data).toMatchObject({ escalationId, interactionId, team: 'RETENTION', automatic: true });
    expect(rows[0].tx).toBe(rows[1].tx);

    const answered = await app.gql(RESPOND, { input: { interactionId, content: 'We are sorry, a technician calls you today' } }, ['agent']);
    expect(answered.errors).toBeUndefined();
    const resolved = await app.gql(RESOLVE, { input: { escalationId, resolution: 'kept', resolveInteraction: true } }, ['supervisor']);
    expect(resolved.errors).toBeUndefined();
    rows = await eventsOf([c.id]);
    expect(types(rows)).toEqual(['INTERACTION_RECORDED', 'ESCALATION_RAISED', 'INTERACTION_RECORDED', 'INTERACTION_RESPONDED', 'ESCALATION_RESOLVED']);
    expect(rows[2].data).toMatchObject({ direction: 'OUTBOUND', customerId: c.id });
    expect(rows[3].data).toMatchObject({ interactionId, replyId: rows[2].data.interactionId, status: 'ESCALATED' });
    expect(rows[4].data).toMatchObject({ escalationId, interactionId });
  });

  it('a bulk call writes its events in input order, in one transaction', async () => {
    const tag = unique();
    const inputs = Array.from({ length: 60 }, (_, k) => ({
      idempotencyKey: `obb-${tag}-${k}`, platform: 'TWITTER', handle: `ob${tag}_${k}`, channel: 'TWITTER', content: `post ${k} about the app`,
    }));
    const res = await app.gql(RECORD_MANY, { inputs }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const ids: string[] = res.data!.recordInteractions.map((i: any) => i.id);
    const { rows } = await app.pool.query(
      `SELECT type, data->>'interactionId' AS id, tx::text AS tx FROM outbox_events
        WHERE tx = (SELECT tx FROM outbox_events WHERE data->>'interactionId' = $1) ORDER BY seq`, [ids[0]]);
    expect(rows.filter((r: any) => r.type === 'INTERACTION_RECORDED').map((r: any) => r.id)).toEqual(ids);
    // Each new handle made a customer owning it.
    expect(rows.filter((r: any) => r.type === 'CUSTOMER_CREATED')).toHaveLength(60);
    expect(rows.filter((r: any) => r.type === 'IDENTITY_LINKED')).toHaveLength(60);
    // A retried call (same keys, same content) writes nothing new and publishes nothing.
    const before = (await app.pool.query(`SELECT count(*)::int AS n FROM outbox_events`)).rows[0].n;
    await app.gql(RECORD_MANY, { inputs: inputs.slice(0, 5) }, ['ingest']);
    const after = (await app.pool.query(`SELECT count(*)::int AS n FROM outbox_events WHERE data->>'interactionId' = ANY($1)`, [ids.slice(0, 5)])).rows[0].n;
    expect(after).toBe(5);
    expect(before).toBeGreaterThan(0);
  });

  it('tier changes, merges and their undo, and erasure (ids only, earlier identifiers scrubbed)', async () => {
    const email = `erase-${unique()}@example.com`;
    const made = await app.gql(TOUCHPOINT, { input: { touchpoint: 'ONLINE_PURCHASE', name: 'Gone Soon', emails: [email] } }, ['agent']);
    const a = made.data!.recordTouchpoint.id;
    const b = (await createCustomer(app.pool)).id;
    expect((await app.gql(`mutation($id: ID!) { setTier(customerId: $id, tier: GOLD) { id } }`, { id: a }, ['supervisor'])).errors).toBeUndefined();
    await app.gql(`mutation($id: ID!) { setTier(customerId: $id, tier: GOLD) { id } }`, { id: a }, ['supervisor']);
    const merge = await app.gql(`mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }`, { s: a, m: b }, ['supervisor']);
    expect(merge.errors).toBeUndefined();
    const mergeId = merge.data!.mergeCustomers.id;
    expect((await app.gql(`mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`, { id: mergeId }, ['supervisor'])).errors).toBeUndefined();
    expect((await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: a }, ['admin'])).errors).toBeUndefined();
    const rows = await eventsOf([a]);
    expect(types(rows)).toEqual(['CUSTOMER_CREATED', 'IDENTITY_LINKED', 'TIER_CHANGED', 'CUSTOMER_MERGED', 'MERGE_UNDONE', 'CUSTOMER_ERASED']);
    expect(rows[2].data).toEqual({ customerId: a, tier: 'GOLD', previousTier: 'NONE' });
    expect(rows[3].data).toEqual({ mergeId, survivorId: a, mergedId: b });
    expect(rows[5].data).toEqual({ customerId: a, customerIds: [a] });
    expect(JSON.stringify(rows)).not.toContain(email);
    expect(JSON.stringify(rows)).not.toContain('Gone Soon');
  });

  it('a rolled-back transaction leaves no event', async () => {
    const id = (await createCustomer(app.pool)).id;
    await expect(app.dataSource.transaction(async (m) => {
      await appendEvent(m, EventType.TIER_CHANGED, id, { customerId: id, tier: 'GOLD', previousTier: 'NONE' });
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await eventsOf([id])).toEqual([]);
  });
});
