import request from 'supertest';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
// Rules are shared by every test file running at once: each test names its own handles and
// words, and every rule made here is switched off again.
const made: { id: string; name: string; handles: string[]; keywords: string[]; reason: string }[] = [];
afterAll(async () => {
  for (const r of made) await app.gql(SET, { input: { ...r, active: false } }, ['supervisor']);
  await app.close();
});

const SET = `mutation($input: DoNotEngageRuleInput!) { setDoNotEngageRule(input: $input) { id name handles keywords reason active filtered updatedBy } }`;
const LIST = `{ doNotEngageRules { id name handles keywords reason active filtered } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status actionable doNotEngageRuleId escalation { team } } }`;
const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id status doNotEngageRuleId } }`;
const QUEUE = `query($skillGroup: String) { careQueue(first: 100, skillGroup: $skillGroup) { totalCount edges { node { interaction { id } } } } }`;

async function setRule(input: Record<string, unknown>) {
  const res = await app.gql(SET, { input }, ['supervisor']);
  expect(res.errors).toBeUndefined();
  const rule = res.data!.setDoNotEngageRule;
  made.push({ id: rule.id, name: rule.name, handles: rule.handles, keywords: rule.keywords, reason: rule.reason });
  return rule;
}

/** A fresh rule with a handle and a keyword of its own. */
async function freshRule() {
  const handle = `dne${unique()}`;
  const keyword = `kw${unique()}`;
  const rule = await setRule({ name: `trolls-${unique()}`, handles: [`@${handle.toUpperCase()}`], keywords: [keyword.toUpperCase()], reason: 'troll' });
  return { rule, handle, keyword };
}

const post = (skillGroup: string, extra: Record<string, unknown>) => ({
  idempotencyKey: `dne-${unique()}`, channel: 'TWITTER', platform: 'TWITTER', handle: `p${unique()}`, skillGroup,
  content: 'my brakes squeal, please help', ...extra,
});

async function queueIds(skillGroup: string): Promise<string[]> {
  const res = await app.gql(QUEUE, { skillGroup }, ['agent']);
  expect(res.errors).toBeUndefined();
  return res.data!.careQueue.edges.map((e: any) => e.node.interaction.id);
}

describe('setDoNotEngageRule and doNotEngageRules', () => {
  it('stores handles normalised and keywords folded, lists them to agents, and audits every change', async () => {
    const handle = `dne${unique()}`;
    const rule = await setRule({ name: ` legal-${unique()} `, handles: [`https://twitter.com/${handle}`, `@${handle}`], keywords: ['Lawsuit', ' lawsuit', 'Class  Action*'], reason: 'legal hold' });
    expect(rule).toEqual(expect.objectContaining({ handles: [handle], keywords: ['lawsuit', 'class action*'], reason: 'legal hold', active: true, filtered: 0, updatedBy: 'test-user' }));
    expect(rule.name).not.toMatch(/^ | $/);
    const listed = await app.gql(LIST, {}, ['agent']);
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.doNotEngageRules).toContainEqual(expect.objectContaining({ id: rule.id, handles: [handle] }));

    const changed = await setRule({ id: rule.id, name: rule.name, handles: [], keywords: ['lawsuit'], reason: 'legal hold', active: false });
    expect(changed).toEqual(expect.objectContaining({ id: rule.id, handles: [], keywords: ['lawsuit'], active: false }));
    const { rows } = await app.pool.query(
      `SELECT details FROM audit_log WHERE action = 'DO_NOT_ENGAGE_RULE_SET' AND details->>'ruleId' = $1 ORDER BY id`, [rule.id]);
    expect(rows.map((r) => r.details)).toEqual([
      { ruleId: rule.id, created: true, active: true, handles: 1, keywords: 2 },
      { ruleId: rule.id, created: false, active: false, handles: 0, keywords: 1 },
    ]);
  });

  it('answers a retried creation with the same rule, once, and refuses the name for other content (CONFLICT)', async () => {
    const input = { name: `spam-${unique()}`, handles: [`dne${unique()}`], keywords: [], reason: 'spam' };
    const first = await setRule(input);
    const again = await setRule(input);
    expect(again.id).toBe(first.id);
    const other = await app.gql(SET, { input: { ...input, reason: 'something else' } }, ['supervisor']);
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'DO_NOT_ENGAGE_RULE_SET' AND details->>'ruleId' = $1`, [first.id]);
    expect(rows[0].n).toBe(1);
  });

  it('lets one of concurrent creations under one name win: its repeats answer the rule, other content is CONFLICT, one audit entry', async () => {
    const name = `race-${unique()}`;
    const contents = [`dne${unique()}`, `dne${unique()}`].map((h) => ({ name, handles: [h], keywords: [], reason: 'race' }));
    const results = await Promise.all(Array.from({ length: 8 }, (_, k) => app.gql(SET, { input: contents[k % 2] }, ['supervisor'])));
    const ok = results.filter((r) => !r.errors).map((r) => r.data!.setDoNotEngageRule);
    for (const r of ok) made.push({ id: r.id, name: r.name, handles: r.handles, keywords: r.keywords, reason: r.reason });
    expect(ok).toHaveLength(4);
    expect(new Set(ok.map((r) => r.id)).size).toBe(1);
    expect(new Set(ok.map((r) => r.handles[0])).size).toBe(1);
    expect(results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'DO_NOT_ENGAGE_RULE_SET' AND details->>'ruleId' = $1`, [ok[0].id]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses bad input with its code and writes nothing', async () => {
    const name = `bad-${unique()}`;
    const ok = { name, handles: [`dne${unique()}`], keywords: ['spam'], reason: 'spam' };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...ok, name: '  ' }, 'BAD_USER_INPUT', 'name'],
      [{ ...ok, reason: 'x'.repeat(501) }, 'BAD_USER_INPUT', 'reason'],
      [{ ...ok, handles: Array.from({ length: 201 }, (_, k) => `h${k}`) }, 'BAD_USER_INPUT', 'handles'],
      [{ ...ok, handles: ['not a handle!'] }, 'BAD_USER_INPUT', 'handles[0]'],
      [{ ...ok, keywords: ['ok', '*'] }, 'BAD_USER_INPUT', 'keywords[1]'],
      [{ ...ok, keywords: ['k'.repeat(101)] }, 'BAD_USER_INPUT', 'keywords[0]'],
      [{ ...ok, handles: [], keywords: [] }, 'BAD_USER_INPUT', 'handles'],
      [{ ...ok, id: 'nope' }, 'BAD_USER_INPUT', 'id'],
      [{ ...ok, id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', 'id'],
    ];
    for (const [input, code, field] of cases) {
      const res = await app.gql(SET, { input }, ['supervisor']);
      expect({ field, code: res.errors?.[0].extensions?.code, errorField: res.errors?.[0].extensions?.field }).toEqual({ field, code, errorField: field });
    }
    const { rows } = await app.pool.query(`SELECT count(*)::int AS n FROM care_do_not_engage_rules WHERE name = $1`, [name]);
    expect(rows[0].n).toBe(0);
  });

  it('is for supervisors to change and agents to read', async () => {
    const input = { name: `roles-${unique()}`, handles: [`dne${unique()}`], keywords: [], reason: 'spam' };
    expect((await app.gql(SET, { input }, ['agent'])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await app.gql(SET, { input }, ['agent'])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await app.gql(LIST, {}, ['viewer'])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await app.gql(LIST, {}, ['marketing'])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('ingestion under do-not-engage rules', () => {
  it('records posts by a rule\'s handle or with its keyword (single and bulk) but keeps them out of the queue and the claim', async () => {
    const { rule, handle, keyword } = await freshRule();
    const sg = `dne-${unique()}`;
    const byHandle = await app.gql(RECORD, { input: post(sg, { handle }) }, ['agent']);
    const byWord = await app.gql(RECORD, { input: post(sg, { content: `this is ${keyword}, buy now` }) }, ['agent']);
    const notAWord = await app.gql(RECORD, { input: post(sg, { content: `${keyword}ish brakes squeal` }) }, ['agent']);
    const bulk = await app.gql(RECORD_MANY, { inputs: [post(sg, { content: `${keyword.toUpperCase()}!` }), post(sg, {})] }, ['agent']);
    for (const r of [byHandle, byWord, notAWord, bulk]) expect(r.errors).toBeUndefined();
    const filtered = [byHandle.data!.recordInteraction, byWord.data!.recordInteraction, bulk.data!.recordInteractions[0]];
    for (const i of filtered) expect(i).toEqual(expect.objectContaining({ status: 'OPEN' }));
    const ids = filtered.map((i: any) => i.id);
    const { rows } = await app.pool.query(`SELECT id, do_not_engage_rule_id AS rule FROM interactions WHERE id = ANY($1::uuid[])`, [ids]);
    expect(rows.map((r) => r.rule)).toEqual([rule.id, rule.id, rule.id]);
    const read = await app.gql(`query($id: ID!) { node(id: $id) { ... on Interaction { doNotEngageRuleId } } }`, { id: ids[0] }, ['agent']);
    expect(read.data!.node.doNotEngageRuleId).toBe(rule.id);

    const kept = [notAWord.data!.recordInteraction.id, bulk.data!.recordInteractions[1].id];
    expect((await queueIds(sg)).sort()).toEqual([...kept].sort());

    const agent = `dne-agent-${unique()}`;
    const set = await app.gql(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`, {
      input: { id: agent, skillGroups: [sg], tiers: ['PLATINUM', 'GOLD', 'SILVER', 'BRONZE', 'NONE'], capacity: 10 },
    }, ['supervisor']);
    expect(set.errors).toBeUndefined();
    const claimed: string[] = [];
    for (let k = 0; k < 4; k++) {
      const res = await request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['agent'], agent)}`)
        .send({ query: `mutation { claimNextInteraction { id } }` });
      expect(res.body.errors).toBeUndefined();
      if (res.body.data.claimNextInteraction) claimed.push(res.body.data.claimNextInteraction.id);
    }
    expect(claimed.sort()).toEqual([...kept].sort());
  });

  it('raises no automatic escalation and joins no incident (whose notices are automatic replies) for a matching post', async () => {
    const { handle } = await freshRule();
    const topic = `dnetopic${unique()}`;
    const { rows: [incident] } = await app.pool.query(
      `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at) VALUES ($1, 'test', 60, 20, now()) RETURNING id`, [topic]);
    try {
      const sg = `dne-${unique()}`;
      const churn = await app.gql(RECORD, { input: post(sg, { handle, content: 'I will cancel my account today' }) }, ['agent']);
      expect(churn.errors).toBeUndefined();
      expect(churn.data!.recordInteraction).toEqual(expect.objectContaining({ status: 'OPEN', escalation: null }));
      const control = await app.gql(RECORD, { input: post(sg, { content: 'I will cancel my account today' }) }, ['agent']);
      expect(control.data!.recordInteraction.status).toBe('ESCALATED');

      const troll = await app.gql(RECORD, { input: post(sg, { handle, content: `brakes #${topic}` }) }, ['agent']);
      const other = await app.gql(RECORD, { input: post(sg, { content: `brakes #${topic}` }) }, ['agent']);
      const { rows } = await app.pool.query(`SELECT interaction_id AS id FROM care_incident_posts WHERE incident_id = $1`, [incident.id]);
      expect(rows.map((r) => r.id)).toEqual([other.data!.recordInteraction.id]);
      expect(troll.data!.recordInteraction.id).toBeDefined();
    } finally {
      await app.pool.query(`UPDATE care_incidents SET status = 'RESOLVED', resolved_at = now() WHERE id = $1`, [incident.id]);
    }
  });

  it('stops matching once the rule is switched off; what it filtered stays counted by the rule and in serviceMetrics', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const { rule, handle } = await freshRule();
    const sg = `dne-${unique()}`;
    for (let k = 0; k < 3; k++) expect((await app.gql(RECORD, { input: post(sg, { handle }) }, ['agent'])).errors).toBeUndefined();
    await setRule({ id: rule.id, name: rule.name, handles: rule.handles, keywords: rule.keywords, reason: rule.reason, active: false });
    const after = await app.gql(RECORD, { input: post(sg, { handle }) }, ['agent']);
    expect(after.data!.recordInteraction.doNotEngageRuleId).toBeNull();
    expect(await queueIds(sg)).toEqual([after.data!.recordInteraction.id]);

    const listed = (await app.gql(LIST, {}, ['agent'])).data!.doNotEngageRules.find((r: any) => r.id === rule.id);
    expect(listed).toEqual(expect.objectContaining({ active: false, filtered: 3 }));
    const to = new Date(Date.now() + 60_000).toISOString();
    const metrics = await app.gql(`query($from: DateTime!, $to: DateTime!) { serviceMetrics(from: $from, to: $to) { doNotEngageFiltered { ruleId name count } } }`,
      { from, to }, ['supervisor']);
    expect(metrics.errors).toBeUndefined();
    expect(metrics.data!.serviceMetrics.doNotEngageFiltered).toContainEqual({ ruleId: rule.id, name: rule.name, count: 3 });
  });

  it('reads a rule change on the next call of a running app (the care rules version), without a restart', async () => {
    const handle = `dne${unique()}`;
    const sg = `dne-${unique()}`;
    const before = await app.gql(RECORD, { input: post(sg, { handle }) }, ['agent']);
    expect(before.data!.recordInteraction.doNotEngageRuleId).toBeNull();
    const rule = await setRule({ name: `late-${unique()}`, handles: [handle], keywords: [], reason: 'troll' });
    const after = await app.gql(RECORD, { input: post(sg, { handle }) }, ['agent']);
    expect(after.data!.recordInteraction.doNotEngageRuleId).toBe(rule.id);
  });

  it('exports the customer\'s filtered posts with their rule, and erasure cuts the customer\'s handle out of every rule', async () => {
    const handle = `dne${unique()}`;
    const other = `dne${unique()}`;
    const rule = await setRule({ name: `erase-${unique()}`, handles: [handle, other], keywords: [], reason: `troll ${handle}` });
    const recorded = await app.gql(RECORD, { input: post(`dne-${unique()}`, { handle }) }, ['agent']);
    expect(recorded.data!.recordInteraction.doNotEngageRuleId).toBe(rule.id);
    const { rows: [{ customerId }] } = await app.pool.query(`SELECT customer_id AS "customerId" FROM interactions WHERE id = $1`, [recorded.data!.recordInteraction.id]);

    const exported = await app.gql(`query($id: ID!) { exportCustomer(id: $id) }`, { id: customerId }, ['admin']);
    expect(exported.errors).toBeUndefined();
    expect(exported.data!.exportCustomer.tables.interactions).toEqual([expect.objectContaining({ do_not_engage_rule_id: rule.id })]);

    const erased = await app.gql(`mutation($id: ID!) { eraseCustomer(id: $id) }`, { id: customerId }, ['admin']);
    expect(erased.errors).toBeUndefined();
    const { rows: [stored] } = await app.pool.query(`SELECT handles, reason FROM care_do_not_engage_rules WHERE id = $1`, [rule.id]);
    expect(JSON.stringify(stored)).not.toContain(handle);
    expect(stored.handles).toContain(other);
  });
});
