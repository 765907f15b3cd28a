import { startTestApp, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 6 });
});
afterAll(() => app.close());

const BULK = `mutation($inputs: [TouchpointInput!]!) { recordTouchpoints(inputs: $inputs) { id displayName } }`;
const ONE = `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`;
const HISTORY = `query($id: ID!) { customer(id: $id) {
  touchpointHistory(first: 10) { edges { node { touchpoint occurredAt recordedAt } } }
  emails { value consentHistory { purpose status recordedAt effectiveAt wording wordingVersion } }
} }`;
const email = () => `b.${unique()}@example.com`;
const known = async (emails: string[]) =>
  (await app.pool.query(`SELECT count(*)::int AS n FROM contact_points WHERE kind = 'EMAIL' AND value = ANY($1)`, [emails])).rows[0].n as number;

describe('recordTouchpoints', () => {
  it('links a batch in input order, one customer per input; occurredAt dates the touchpoint and its consents', async () => {
    const [a, b] = [email(), email()];
    const lastYear = '2025-06-01T10:00:00.000Z';
    const res = await app.gql(BULK, {
      inputs: [
        { touchpoint: 'IN_STORE', name: 'Bea Bulk', emails: [a], occurredAt: lastYear,
          consents: [{ purpose: 'MARKETING', status: 'GRANTED', wording: 'Mail me', wordingVersion: 'store-2025' }] },
        { touchpoint: 'LOYALTY_SIGNUP', emails: [b] },
        { touchpoint: 'ONLINE_PURCHASE', emails: [a.toUpperCase()], attributes: { loyaltyPoints: 10 } },
      ],
    }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const [first, second, third] = res.data!.recordTouchpoints;
    expect(third.id).toBe(first.id);
    expect(second.id).not.toBe(first.id);
    expect(first.displayName).toBe('Bea Bulk');
    const history = await app.gql(HISTORY, { id: first.id }, ['viewer']);
    const nodes = history.data!.customer.touchpointHistory.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.touchpoint).sort()).toEqual(['IN_STORE', 'ONLINE_PURCHASE']);
    expect(nodes.find((n: any) => n.touchpoint === 'IN_STORE').occurredAt).toBe(lastYear);
    // The customer gave it last year (effectiveAt); this service recorded it now (recordedAt).
    const [event] = history.data!.customer.emails[0].consentHistory;
    expect(event).toEqual({
      purpose: 'MARKETING', status: 'GRANTED', recordedAt: expect.any(String), effectiveAt: lastYear, wording: 'Mail me', wordingVersion: 'store-2025',
    });
    expect(Date.parse(event.recordedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('reports every bad item (index, field, message) and writes nothing', async () => {
    const [good, alsoGood] = [email(), email()];
    const res = await app.gql(BULK, {
      inputs: [
        { touchpoint: 'IN_STORE', emails: [good] },
        { touchpoint: 'IN_STORE', emails: ['not-an-email'] },
        { touchpoint: 'IN_STORE', emails: [alsoGood], consents: [{ purpose: 'MARKETING', status: 'UNKNOWN' }] },
        { touchpoint: 'IN_STORE', emails: [email()], occurredAt: new Date(Date.now() + 3_600_000).toISOString() },
        { touchpoint: 'IN_STORE' },
      ],
    }, ['ingest']);
    const error = res.errors![0];
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].emails[0]', index: 1 });
    expect(error.extensions!.errors.map((e: any) => [e.index, e.field])).toEqual([
      [1, 'inputs[1].emails[0]'], [2, 'inputs[2].consents[0].status'], [3, 'inputs[3].occurredAt'], [4, 'inputs[4]'],
    ]);
    expect(error.message).toMatch(/^4 of the touchpoints are not valid; nothing was written/);
    expect(await known([good, alsoGood])).toBe(0);
  });

  it('refuses the whole call when one item links identifiers of two customers (CONFLICT naming the item), nothing written', async () => {
    const [x, y, fresh] = [email(), email(), email()];
    for (const e of [x, y]) expect((await app.gql(ONE, { input: { touchpoint: 'IN_STORE', emails: [e] } }, ['agent'])).errors).toBeUndefined();
    const res = await app.gql(BULK, {
      inputs: [{ touchpoint: 'CHAT', emails: [fresh] }, { touchpoint: 'CHAT', emails: [x, y] }],
    }, ['ingest']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'inputs[1]', index: 1 });
    expect(res.errors![0].extensions!.errors).toHaveLength(1);
    expect(await known([fresh])).toBe(0);
  });

  it('retried with idempotency keys (concurrently, and item by item through recordTouchpoint) writes each touchpoint once', async () => {
    const inputs = [email(), email(), email()].map((e, i) => ({ touchpoint: 'IMPORT', emails: [e], idempotencyKey: `bulk-${unique()}-${i}` }));
    const answers = await Promise.all([1, 2, 3].map(() => app.gql(BULK, { inputs }, ['ingest'])));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const ids = answers[0].data!.recordTouchpoints.map((c: any) => c.id);
    for (const a of answers) expect(a.data!.recordTouchpoints.map((c: any) => c.id)).toEqual(ids);
    const single = await app.gql(ONE, { input: inputs[1] }, ['ingest']);
    expect(single.data!.recordTouchpoint.id).toBe(ids[1]);
    const events = await app.pool.query(`SELECT count(*)::int AS n FROM touchpoint_events WHERE customer_id = ANY($1::uuid[])`, [ids]);
    expect(events.rows[0].n).toBe(3);
    const reuse = await app.gql(BULK, { inputs: [{ ...inputs[0], name: 'Other' }, { touchpoint: 'IMPORT', emails: [email()] }] }, ['ingest']);
    expect(reuse.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'inputs[0].idempotencyKey' });
    const twice = await app.gql(BULK, { inputs: [inputs[2], { ...inputs[2], emails: [email()] }] }, ['ingest']);
    expect(twice.errors![0].extensions).toMatchObject({ code: 'CONFLICT', field: 'inputs[1].idempotencyKey' });
  });

  it('takes at most 1,000 touchpoints per call', async () => {
    const inputs = Array.from({ length: 1001 }, () => ({ touchpoint: 'IMPORT', emails: ['x@example.com'] }));
    const res = await app.gql(BULK, { inputs }, ['ingest']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
  });
});
