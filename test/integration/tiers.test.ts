import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const HISTORY = `query C($id: ID!) { customer(id: $id) { tier tierHistory { tier previousTier reason changedBy } } }`;

describe('tiers', () => {
  it('sets a tier by hand and keeps every change in the history, newest first', async () => {
    const c = await createCustomer(app.pool, { tier: 'BRONZE' });
    const set = (tier: string) => app.gql(`mutation { setTier(customerId: "${c.id}", tier: ${tier}) { id tier } }`, {}, ['supervisor']);
    expect((await set('GOLD')).data!.setTier).toEqual({ id: c.id, tier: 'GOLD' });
    await set('GOLD');
    await set('PLATINUM');
    const read = await app.gql(HISTORY, { id: c.id }, ['viewer']);
    expect(read.data!.customer).toEqual({
      tier: 'PLATINUM',
      tierHistory: [
        { tier: 'PLATINUM', previousTier: 'GOLD', reason: 'set by test-user', changedBy: 'test-user' },
        { tier: 'GOLD', previousTier: 'BRONZE', reason: 'set by test-user', changedBy: 'test-user' },
      ],
    });
  });

  it('lets only supervisors set a tier, and answers NOT_FOUND for an unknown customer', async () => {
    const c = await createCustomer(app.pool);
    const agent = await app.gql(`mutation { setTier(customerId: "${c.id}", tier: GOLD) { tier } }`, {}, ['agent']);
    expect(agent.errors![0].extensions!.code).toBe('FORBIDDEN');
    const missing = await app.gql(`mutation { setTier(customerId: "00000000-0000-4000-8000-000000000001", tier: GOLD) { tier } }`, {}, ['supervisor']);
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('applies stored rules over customer attributes: highest tier met wins, customers without the attribute are left alone', async () => {
    // A per-run attribute name keeps the rules away from every other test's customers.
    const attribute = `ltv${unique().replace(/-/g, '')}`;
    const rules = await app.gql(
      `mutation($rules: [TierRuleInput!]!) { setTierRules(rules: $rules) { tier attribute minValue createdBy } }`,
      { rules: [{ tier: 'PLATINUM', attribute, minValue: 10000 }, { tier: 'GOLD', attribute, minValue: 5000 }, { tier: 'SILVER', attribute, minValue: 1000 }] },
      ['supervisor'],
    );
    expect(rules.errors).toBeUndefined();
    const rich = await createCustomer(app.pool, { tier: 'NONE' });
    const middle = await createCustomer(app.pool, { tier: 'PLATINUM' });
    const poor = await createCustomer(app.pool, { tier: 'BRONZE' });
    const untouched = await createCustomer(app.pool, { tier: 'GOLD' });
    for (const [c, value] of [[rich, 12000], [middle, 6000], [poor, 10]] as const) {
      await app.pool.query(`UPDATE customers SET attributes = jsonb_build_object($2::text, $3::numeric) WHERE id = $1`, [c.id, attribute, value]);
    }
    const applied = await app.gql(`mutation { applyTierRules { examined changed } }`, {}, ['supervisor']);
    expect(applied.data!.applyTierRules).toEqual({ examined: 3, changed: 3 });
    const tierOf = async (id: string) => (await app.gql(HISTORY, { id }, ['viewer'])).data!.customer;
    expect((await tierOf(rich.id)).tier).toBe('PLATINUM');
    expect((await tierOf(middle.id)).tierHistory[0]).toMatchObject({ tier: 'GOLD', previousTier: 'PLATINUM', reason: `rule: ${attribute} >= 5000` });
    expect((await tierOf(poor.id)).tierHistory[0]).toMatchObject({ tier: 'NONE', reason: 'no tier rule met' });
    expect(await tierOf(untouched.id)).toEqual({ tier: 'GOLD', tierHistory: [] });
    expect((await app.gql(`mutation { applyTierRules { changed } }`, {}, ['supervisor'])).data!.applyTierRules.changed).toBe(0);
    const listed = await app.gql(`{ tierRules { tier minValue } }`, {}, ['viewer']);
    expect(listed.data!.tierRules.map((r: any) => r.tier)).toEqual(['PLATINUM', 'GOLD', 'SILVER']);
  });

  it('applies rules that require owning a product or category, with the numeric rules (highest tier met wins), keeping history', async () => {
    const product = `Espresso Machine ${unique()}`;
    const category = `coffee-${unique()}`;
    const attribute = `visits${unique().replace(/-/g, '')}`;
    const before = (await app.gql(`{ tierRules { tier attribute minValue product category } }`, {}, ['viewer'])).data!.tierRules;
    const set = await app.gql(
      `mutation($rules: [TierRuleInput!]!) { setTierRules(rules: $rules) { tier attribute minValue product category } }`,
      { rules: [
        { tier: 'PLATINUM', attribute, minValue: 10, product },
        { tier: 'GOLD', product: ` ${product.toUpperCase()} ` },
        { tier: 'SILVER', category },
        { tier: 'BRONZE', attribute, minValue: 1 },
      ] },
      ['supervisor'],
    );
    expect(set.errors).toBeUndefined();
    expect(set.data!.setTierRules[1]).toEqual({ tier: 'GOLD', attribute: null, minValue: null, product: product.toUpperCase(), category: null });
    const owner = await createCustomer(app.pool, { tier: 'NONE' });
    const loyalOwner = await createCustomer(app.pool, { tier: 'NONE' });
    const categoryBuyer = await createCustomer(app.pool, { tier: 'NONE' });
    const otherBuyer = await createCustomer(app.pool, { tier: 'GOLD' });
    const handSet = await createCustomer(app.pool, { tier: 'SILVER' });
    await app.pool.query(`UPDATE customers SET attributes = jsonb_build_object($2::text, 12) WHERE id = $1`, [loyalOwner.id, attribute]);
    const k = unique();
    const bought = await app.gql(`mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`, { inputs: [
      { idempotencyKey: `${k}-1`, customerId: owner.id, product },
      { idempotencyKey: `${k}-2`, customerId: loyalOwner.id, product: product.toLowerCase() },
      { idempotencyKey: `${k}-3`, customerId: categoryBuyer.id, product: 'Grinder', category: category.toUpperCase() },
      { idempotencyKey: `${k}-4`, customerId: otherBuyer.id, product: 'Unrelated' },
    ] }, ['ingest']);
    expect(bought.errors).toBeUndefined();
    const applied = await app.gql(`mutation { applyTierRules { examined changed } }`, {}, ['supervisor']);
    expect(applied.errors).toBeUndefined();
    const tierOf = async (id: string) => (await app.gql(HISTORY, { id }, ['viewer'])).data!.customer;
    expect((await tierOf(owner.id)).tierHistory[0]).toMatchObject({ tier: 'GOLD', previousTier: 'NONE', reason: `rule: owns ${product.toLowerCase()}` });
    expect((await tierOf(loyalOwner.id)).tierHistory[0]).toMatchObject({ tier: 'PLATINUM', reason: `rule: ${attribute} >= 10 and owns ${product.toLowerCase()}` });
    expect((await tierOf(categoryBuyer.id)).tierHistory[0]).toMatchObject({ tier: 'SILVER', reason: `rule: owns a product of ${category}` });
    // A purchase is data the rules read: a buyer who meets none falls to NONE, with history; a customer with nothing to read keeps a tier set by hand.
    expect((await tierOf(otherBuyer.id)).tierHistory[0]).toMatchObject({ tier: 'NONE', previousTier: 'GOLD', reason: 'no tier rule met' });
    expect(await tierOf(handSet.id)).toEqual({ tier: 'SILVER', tierHistory: [] });
    // Restore the rules the other tests of the run work with.
    const restored = await app.gql(`mutation($rules: [TierRuleInput!]!) { setTierRules(rules: $rules) { tier } }`, { rules: before }, ['supervisor']);
    expect(restored.errors).toBeUndefined();
  });

  it('refuses a rule with no condition, or an attribute without minValue, naming the field and index', async () => {
    const none = await app.gql(`mutation { setTierRules(rules: [{ tier: GOLD, attribute: "x", minValue: 1 }, { tier: GOLD }]) { tier } }`, {}, ['supervisor']);
    expect(none.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attribute', index: 1 });
    const half = await app.gql(`mutation { setTierRules(rules: [{ tier: GOLD, attribute: "x", product: "p" }]) { tier } }`, {}, ['supervisor']);
    expect(half.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minValue', index: 0 });
  });

  it('rejects a rule for the NONE tier naming the field and index', async () => {
    const res = await app.gql(`mutation { setTierRules(rules: [{ tier: NONE, attribute: "x", minValue: 1 }]) { tier } }`, {}, ['supervisor']);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tier', index: 0 });
  });
});
