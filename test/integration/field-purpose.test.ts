import { isObjectType, type GraphQLSchema } from 'graphql';
import { readsUnderConsent, ruleOf } from '../../src/auth/field-guard';
import { effectiveRoles, type Role } from '../../src/auth/roles';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

// The declared consent purpose of a field (@Access({ purpose })), applied by the field guard for
// every field that declares one (docs/security-and-operations.md, "Purposes"): a viewer admitted
// to the field only through marketing reads it while the customer holds the purpose now; any other
// role the field admits reads it in its own right, marketing held or not.
let app: TestApp;
let schema: GraphQLSchema;
beforeAll(async () => {
  [app, schema] = await Promise.all([startTestApp(), buildAppSchema()]);
});
afterAll(() => app.close());

const held = (...roles: Role[]) => effectiveRoles(roles);

describe('who reads a field under consent (from the declarations of the live schema)', () => {
  const underConsent = (field: string, roles: Role[]) => {
    const customer = schema.getType('Customer');
    if (!isObjectType(customer)) throw new Error('no Customer type');
    const rule = ruleOf(customer, customer.getFields()[field]);
    if (!rule) throw new Error(`Customer.${field} has no rule`);
    return readsUnderConsent(rule, held(...roles));
  };

  it('every Customer field that declares a purpose admits marketing (where it admits it at all) only under it, and admin never', () => {
    const customer = schema.getType('Customer');
    if (!isObjectType(customer)) throw new Error('no Customer type');
    const withPurpose = Object.values(customer.getFields()).filter((f) => ruleOf(customer, f)?.purpose);
    expect(withPurpose.map((f) => f.name).sort()).toEqual(['followerHistory', 'influence', 'influenceByTopic', 'lifetimeValue', 'networkTrend', 'priority', 'purchases']);
    for (const field of withPurpose) {
      const rule = ruleOf(customer, field)!;
      expect([field.name, readsUnderConsent(rule, held('admin'))]).toEqual([field.name, false]);
      if (rule.roles.includes('marketing')) expect([field.name, readsUnderConsent(rule, held('marketing'))]).toEqual([field.name, true]);
    }
  });

  it.each([
    // field, roles, read under consent
    ['influence', ['viewer'], false],
    ['influence', ['marketing'], true],
    ['influence', ['viewer', 'marketing'], false],
    ['priority', ['marketing'], true],
    ['priority', ['agent', 'marketing'], false],
    ['purchases', ['agent'], false],
    ['purchases', ['supervisor'], false],
    ['purchases', ['marketing'], true],
    ['purchases', ['viewer', 'marketing'], true],
    ['purchases', ['agent', 'marketing'], false],
    ['lifetimeValue', ['viewer', 'marketing'], true],
  ] as [string, Role[], boolean][])('%s as %j: under consent %s', (field, roles, expected) => {
    expect(underConsent(field, roles)).toBe(expected);
  });
});

describe('the guard applies the purpose at the read', () => {
  const MEMBER = `query($f: SegmentFilter!) { segment(filter: $f, purpose: MARKETING) { edges { node { customer {
    id influence { score } influenceByTopic { topic score } priority { score } lifetimeValue purchases(first: 5) { totalCount edges { node { product } } } } } } } }`;
  const CUSTOMER = `query($id: ID!) { customer(id: $id) { id influence { score } influenceByTopic { topic score } lifetimeValue purchases(first: 5) { totalCount edges { node { product } } } } }`;

  async function grant(customerId: string, purpose: 'MARKETING' | 'PROFILING') {
    await app.pool.query(
      `INSERT INTO consent_events (customer_id, contact_point_id, purpose, status, source, recorded_by)
       SELECT $1, id, $2, 'GRANTED', 'IMPORT', 'test' FROM contact_points WHERE customer_id = $1 AND kind = 'EMAIL' LIMIT 1`,
      [customerId, purpose],
    );
  }

  /** A customer with an overall score (measured with consent), a topic score ingested without it, and one purchase. */
  async function scoredBuyer() {
    const tag = unique().toUpperCase();
    const c = await createCustomer(app.pool, { tier: 'GOLD', country: `P${tag}`, emails: [`purpose-${tag}@example.com`] });
    await app.pool.query(
      `INSERT INTO influence_scores (customer_id, score, topic, source, flagged, measured_at)
       VALUES ($1, 7, NULL, 'test', false, now()), ($1, 5, 'shoes', 'test', true, now())`,
      [c.id],
    );
    const bought = await app.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`,
      { inputs: [{ idempotencyKey: `purpose-${tag}`, customerId: c.id, product: 'Boots', amount: 12, currency: 'EUR' }] }, ['ingest']);
    expect(bought.errors).toBeUndefined();
    return { id: c.id, filter: { tiers: ['GOLD'], country: `P${tag}` } };
  }

  it('marketing alone reads the profiling fields of a member only while the member holds PROFILING, and never the unconsented scores', async () => {
    const c = await scoredBuyer();
    await grant(c.id, 'MARKETING');
    const member = async () => {
      const res = await app.gql(MEMBER, { f: c.filter }, ['marketing']);
      expect(res.errors).toBeUndefined();
      expect(res.data!.segment.edges).toHaveLength(1);
      return res.data!.segment.edges[0].node.customer;
    };
    const before = await member();
    expect(before).toMatchObject({ influence: null, influenceByTopic: [], lifetimeValue: 12 });
    expect(before.purchases.edges.map((e: any) => e.node.product)).toEqual(['Boots']);
    await grant(c.id, 'PROFILING');
    const after = await member();
    expect(after.influence).toEqual({ score: 7 });
    expect(after.influenceByTopic).toEqual([]); // the topic score was ingested without consent (flagged)
    // priority is consent-safe by itself: it ranks only with scores usable for profiling.
    expect(after.priority.score).toBeGreaterThan(before.priority.score);
  });

  it('a marketing+viewer token reads influence as a viewer and purchases under MARKETING; an agent reads both', async () => {
    const c = await scoredBuyer();
    const read = async (roles: Role[]) => {
      const res = await app.gql(CUSTOMER, { id: c.id }, roles);
      expect(res.errors).toBeUndefined();
      return res.data!.customer;
    };
    const both = await read(['viewer', 'marketing']);
    expect(both.influence).toEqual({ score: 7 });
    expect(both.influenceByTopic).toEqual([{ topic: 'shoes', score: 5 }]);
    expect(both).toMatchObject({ lifetimeValue: null, purchases: { totalCount: 0, edges: [] } });
    const agent = await read(['agent']);
    expect(agent).toMatchObject({ lifetimeValue: 12, purchases: { totalCount: 1 } });
    await grant(c.id, 'MARKETING');
    expect(await read(['viewer', 'marketing'])).toMatchObject({ lifetimeValue: 12, purchases: { totalCount: 1 } });
  });
});
