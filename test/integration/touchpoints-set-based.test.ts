import { startTestApp, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 6 });
});
afterAll(() => app.close());

const BULK = `mutation($inputs: [TouchpointInput!]!) { recordTouchpoints(inputs: $inputs) { id displayName } }`;
const HISTORY = `query($id: ID!) { customer(id: $id) {
  displayName city attributes
  touchpointHistory(first: 10) { edges { node { touchpoint occurredAt } } }
  emails { value consentHistory { purpose status effectiveAt wordingVersion } }
  socialIdentities { platform handle followerCount }
} }`;

describe('recordTouchpoints creates new customers set-based', () => {
  it('writes 1,000 touchpoints of new customers in a constant number of statements, each as a touchpoint alone would', async () => {
    const tag = unique().replace(/-/g, '').slice(-10);
    const at = '2025-03-01T09:00:00.000Z';
    const inputs = Array.from({ length: 1000 }, (_, n) => ({
      touchpoint: 'ONLINE_PURCHASE', name: n % 2 ? `Set Based ${n}` : null, city: 'Plymouth', emails: [`sb${n}.${tag}@example.com`],
      handles: n % 3 === 0 ? [{ platform: 'INSTAGRAM', handle: `sb${n}_${tag}`, followerCount: n }] : [],
      consents: [{ purpose: 'MARKETING', status: 'GRANTED', wordingVersion: 'v1' }], attributes: { loyaltyPoints: n }, occurredAt: at,
    }));
    const res = await app.gql(BULK, { inputs }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const ids: string[] = res.data!.recordTouchpoints.map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(1000);
    // 15 for any number of new customers; before, about 8 per touchpoint (8,000 for this call).
    // (14, plus the identity rules' version, which brings the blocked identifiers only when it moved.)
    expect(Number(res.headers['x-sql-statements'])).toBe(15);

    const c = await app.gql(HISTORY, { id: ids[3] }, ['admin']);
    expect(c.errors).toBeUndefined();
    expect(c.data!.customer).toEqual({
      displayName: 'Set Based 3', city: 'Plymouth', attributes: { loyaltyPoints: 3 },
      touchpointHistory: { edges: [{ node: { touchpoint: 'ONLINE_PURCHASE', occurredAt: at } }] },
      emails: [{ value: `sb3.${tag}@example.com`, consentHistory: [{ purpose: 'MARKETING', status: 'GRANTED', effectiveAt: at, wordingVersion: 'v1' }] }],
      socialIdentities: [{ platform: 'INSTAGRAM', handle: `sb3_${tag}`, followerCount: 3 }],
    });
    // Without a name: shown by the first identifier given, a handle before an email, as the linker does.
    const standIns = await app.pool.query(`SELECT id, display_name AS name, name_key AS key FROM customers WHERE id = ANY($1::uuid[])`, [[ids[0], ids[2]]]);
    expect(standIns.rows.sort((x, y) => (x.id === ids[0] ? -1 : y.id === ids[0] ? 1 : 0)).map((r) => [r.name, r.key]))
      .toEqual([[`@sb0_${tag}`, ''], [`sb2.${tag}@example.com`, '']]);
    const counts = await app.pool.query(
      `SELECT (SELECT count(*)::int FROM outbox_events WHERE customer_id = ANY($1::uuid[]) AND type = 'CUSTOMER_CREATED') AS created,
              (SELECT count(*)::int FROM outbox_events WHERE customer_id = ANY($1::uuid[]) AND type = 'IDENTITY_LINKED') AS linked,
              (SELECT count(*)::int FROM outbox_events WHERE customer_id = ANY($1::uuid[]) AND type = 'CONSENT_CHANGED') AS consents,
              (SELECT count(*)::int FROM audit_log WHERE subject = ANY($2::text[]) AND action = 'CONSENT_CHANGED') AS audited,
              (SELECT count(*)::int FROM touchpoint_events WHERE customer_id = ANY($1::uuid[]) AND created_customer) AS touchpoints`,
      [ids, ids],
    );
    // Every identifier given gets the consent: 1,000 emails and 334 handles.
    expect(counts.rows[0]).toEqual({ created: 1000, linked: 1000, consents: 1334, audited: 1334, touchpoints: 1000 });
  });

  it('still links an item to an existing customer, or to an earlier item of the call, one by one', async () => {
    const tag = unique();
    const shared = `shared.${tag}@example.com`;
    const res = await app.gql(BULK, { inputs: [
      { touchpoint: 'IN_STORE', emails: [shared] },
      { touchpoint: 'IN_STORE', emails: [`other.${tag}@example.com`] },
      { touchpoint: 'ONLINE_PURCHASE', emails: [shared.toUpperCase()], phones: [{ number: '+1 313 555 0199' }] },
    ] }, ['ingest']);
    expect(res.errors).toBeUndefined();
    const [a, b, c] = res.data!.recordTouchpoints.map((x: { id: string }) => x.id);
    expect(c).toBe(a);
    expect(b).not.toBe(a);
    const again = await app.gql(BULK, { inputs: [{ touchpoint: 'CHAT', emails: [`other.${tag}@example.com`] }] }, ['ingest']);
    expect(again.data!.recordTouchpoints[0].id).toBe(b);
  });
});
