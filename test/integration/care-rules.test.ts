import { createCustomer, unique } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) {
  id slaDueAt skillGroup lane status actionable escalation { team automatic } } }`;
const RULES = `{ careRules {
  slaTargets { channel tier responseMinutes businessHours }
  businessHours { name timeZone weekly { day opens closes } }
  lanes { name lane keywords } skillGroups { name keywords hashtags } escalations { name kind team threshold windowMinutes phrases enabled }
  filters { name categories enabled } } }`;

// Rules are shared by every test file running at the same time: these tests only add rows
// with unique names and words, and remove them again.

describe('stored care rules', () => {
  it('ships the domain defaults: 1 h social, 6 h forums, 24 h email, the 20-in-2-h threshold and churn phrases', async () => {
    const res = await app.gql(RULES, {}, ['agent']);
    expect(res.errors).toBeUndefined();
    const rules = res.data!.careRules;
    const minutes = (channel: string) => rules.slaTargets.find((t: any) => t.channel === channel && t.tier === null).responseMinutes;
    expect([minutes('TWITTER'), minutes('FACEBOOK'), minutes('INSTAGRAM'), minutes('FORUM'), minutes('EMAIL')]).toEqual([60, 60, 60, 360, 1440]);
    expect(rules.escalations).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'topic-threshold', kind: 'TOPIC_THRESHOLD', team: 'PR_CRISIS', threshold: 20, windowMinutes: 120 }),
      expect.objectContaining({ name: 'churn', kind: 'CHURN', team: 'RETENTION', phrases: expect.arrayContaining(['cancel my account', 'switching to', 'thinking of leaving']) }),
    ]));
  });

  it('applies a per-tier SLA target in a business-hours calendar a supervisor set, and keeps it across a restart', async () => {
    const name = `desk-${unique()}`;
    const hours = await app.gql(`mutation($input: BusinessHoursInput!) { setBusinessHours(input: $input) { name timeZone weekly { day } } }`, {
      input: { name, timeZone: 'UTC', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })) },
    }, ['supervisor']);
    expect(hours.errors).toBeUndefined();
    const target = await app.gql(`mutation($input: SlaTargetInput!) { setSlaTarget(input: $input) { channel tier responseMinutes businessHours } }`, {
      input: { channel: 'LETTER', tier: 'PLATINUM', responseMinutes: 120, businessHours: name },
    }, ['supervisor']);
    expect(target.data!.setSlaTarget).toEqual({ channel: 'LETTER', tier: 'PLATINUM', responseMinutes: 120, businessHours: name });
    try {
      const vip = await createCustomer(app.pool, { tier: 'PLATINUM' });
      // Friday 16:00 UTC + 2 business hours = Monday 10:00 UTC
      const res = await app.gql(RECORD, {
        input: { idempotencyKey: `letter-${unique()}`, customerId: vip.id, channel: 'LETTER', content: 'please call me', occurredAt: '2026-01-09T16:00:00.000Z' },
      }, ['agent']);
      expect(res.data!.recordInteraction.slaDueAt).toBe('2026-01-12T10:00:00.000Z');

      const restarted = await startTestApp();
      try {
        const rules = (await restarted.gql(RULES, {}, ['agent'])).data!.careRules;
        expect(rules.slaTargets).toContainEqual({ channel: 'LETTER', tier: 'PLATINUM', responseMinutes: 120, businessHours: name });
        expect(rules.businessHours.find((h: any) => h.name === name).weekly).toHaveLength(5);
      } finally {
        await restarted.close();
      }
    } finally {
      const del = await app.gql(`mutation { deleteSlaTarget(channel: LETTER, tier: PLATINUM) }`, {}, ['supervisor']);
      expect(del.data!.deleteSlaTarget).toBe(true);
    }
  });

  it('routes to a skill group a supervisor creates, updates and deletes', async () => {
    const tag = unique().replace(/-/g, '');
    const word = `zorbo${tag}`;
    const c = await createCustomer(app.pool);
    const create = await app.gql(`mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { name keywords hashtags } }`, {
      input: { name: `team-${tag}`, position: 1, keywords: [word], hashtags: [] },
    }, ['supervisor']);
    expect(create.errors).toBeUndefined();
    const dup = await app.gql(`mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { name } }`, {
      input: { name: `team-${tag}`, position: 1, keywords: ['x'] },
    }, ['supervisor']);
    expect(dup.errors![0].extensions!.code).toBe('CONFLICT');
    try {
      const hit = await app.gql(RECORD, { input: { idempotencyKey: `sg-${tag}-1`, customerId: c.id, channel: 'CHAT', content: `my ${word} is broken` } }, ['agent']);
      expect(hit.data!.recordInteraction.skillGroup).toBe(`team-${tag}`);
      const update = await app.gql(`mutation($name: String!, $input: SkillGroupInput!) { updateSkillGroup(name: $name, input: $input) { name hashtags } }`, {
        name: `team-${tag}`, input: { name: `team-${tag}`, position: 1, keywords: [], hashtags: [`#Tag${tag}`] },
      }, ['supervisor']);
      expect(update.data!.updateSkillGroup).toEqual({ name: `team-${tag}`, hashtags: [`tag${tag}`] });
      const byTag = await app.gql(RECORD, { input: { idempotencyKey: `sg-${tag}-2`, customerId: c.id, channel: 'CHAT', content: `help #tag${tag}` } }, ['agent']);
      expect(byTag.data!.recordInteraction.skillGroup).toBe(`team-${tag}`);
    } finally {
      const del = await app.gql(`mutation($name: String!) { deleteSkillGroup(name: $name) }`, { name: `team-${tag}` }, ['supervisor']);
      expect(del.data!.deleteSkillGroup).toBe(true);
    }
    const after = await app.gql(RECORD, { input: { idempotencyKey: `sg-${tag}-3`, customerId: c.id, channel: 'CHAT', content: `my ${word} again` } }, ['agent']);
    expect(after.data!.recordInteraction.skillGroup).toBeNull();
  });

  it('applies a lane rule and a churn rule a supervisor adds', async () => {
    const tag = unique().replace(/-/g, '');
    const c = await createCustomer(app.pool);
    await app.gql(`mutation($input: LaneRuleInput!) { setLaneRule(input: $input) { name } }`, {
      input: { name: `lane-${tag}`, position: 1, lane: 'MARKETING_PR', keywords: [`gala${tag}`] },
    }, ['supervisor']);
    await app.gql(`mutation($input: EscalationRuleInput!) { setEscalationRule(input: $input) { name } }`, {
      input: { name: `churn-${tag}`, kind: 'CHURN', team: 'SUPERVISOR', phrases: [`bye${tag}`] },
    }, ['supervisor']);
    try {
      const res = await app.gql(RECORD, { input: { idempotencyKey: `lr-${tag}`, customerId: c.id, channel: 'EMAIL', content: `about the gala${tag}: bye${tag}` } }, ['agent']);
      expect(res.data!.recordInteraction).toMatchObject({ lane: 'MARKETING_PR', status: 'ESCALATED', escalation: { team: 'SUPERVISOR', automatic: true } });
    } finally {
      await app.gql(`mutation($n: String!) { deleteLaneRule(name: $n) }`, { n: `lane-${tag}` }, ['supervisor']);
      await app.gql(`mutation($n: String!) { deleteEscalationRule(name: $n) }`, { n: `churn-${tag}` }, ['supervisor']);
    }
  });

  it('refuses bad rule values naming the field', async () => {
    const tz = await app.gql(`mutation { setBusinessHours(input: { name: "x", timeZone: "Mars/Olympus" }) { name } }`, {}, ['supervisor']);
    expect(tz.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    const sla = await app.gql(`mutation { setSlaTarget(input: { channel: EMAIL, tier: GOLD, responseMinutes: 0 }) { channel } }`, {}, ['supervisor']);
    expect(sla.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'responseMinutes' });
    const cal = await app.gql(`mutation { setSlaTarget(input: { channel: EMAIL, tier: GOLD, responseMinutes: 5, businessHours: "nope-${unique()}" }) { channel } }`, {}, ['supervisor']);
    expect(cal.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'businessHours' });
    const thr = await app.gql(`mutation { setEscalationRule(input: { name: "t-${unique()}", kind: "TOPIC_THRESHOLD", team: PR_CRISIS, threshold: 1, windowMinutes: 60 }) { name } }`, {}, ['supervisor']);
    expect(thr.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'threshold' });
  });
});

describe('roles', () => {
  const id = '00000000-0000-4000-8000-000000000000';
  const record = { idempotencyKey: 'k', customerId: id, channel: 'EMAIL', content: 'x' };
  const cases: [string, string, Record<string, unknown>, string[]][] = [
    ['recordInteraction', `mutation($i: InteractionInput!) { recordInteraction(input: $i) { id } }`, { i: record }, ['viewer', 'marketing']],
    ['recordInteractions', `mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }`, { i: [record] }, ['viewer', 'marketing']],
    ['respondToInteraction', `mutation { respondToInteraction(input: { interactionId: "${id}", content: "x" }) { id } }`, {}, ['viewer', 'marketing', 'ingest']],
    ['escalateInteraction', `mutation { escalateInteraction(input: { interactionId: "${id}", team: LEGAL, reason: "x" }) { id } }`, {}, ['viewer', 'marketing', 'ingest']],
    ['takeOffline', `mutation { takeOffline(input: { conversationId: "${id}", toChannel: PHONE, context: "x" }) { id } }`, {}, ['viewer', 'marketing', 'ingest']],
    ['resolveEscalation', `mutation { resolveEscalation(input: { escalationId: "${id}", resolution: "x" }) { id } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['setSlaTarget', `mutation { setSlaTarget(input: { channel: EMAIL, responseMinutes: 1 }) { channel } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['deleteSlaTarget', `mutation { deleteSlaTarget(channel: EMAIL, tier: GOLD) }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['setBusinessHours', `mutation { setBusinessHours(input: { name: "always", timeZone: "UTC" }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['setLaneRule', `mutation { setLaneRule(input: { name: "x", position: 1, lane: CUSTOMER_SERVICE }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['deleteLaneRule', `mutation { deleteLaneRule(name: "x") }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['createSkillGroup', `mutation { createSkillGroup(input: { name: "x", position: 1, keywords: ["x"] }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['updateSkillGroup', `mutation { updateSkillGroup(name: "x", input: { name: "x", position: 1, keywords: ["x"] }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['deleteSkillGroup', `mutation { deleteSkillGroup(name: "x") }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['setEscalationRule', `mutation { setEscalationRule(input: { name: "churn", kind: "CHURN", team: RETENTION, phrases: ["x"] }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['deleteEscalationRule', `mutation { deleteEscalationRule(name: "churn") }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
    ['setFilterRule', `mutation { setFilterRule(input: { name: "non-actionable", categories: [] }) { name } }`, {}, ['viewer', 'marketing', 'ingest', 'agent']],
  ];

  it.each(cases)('refuses %s to the roles that may not call it', async (_name, query, variables, refused) => {
    for (const role of refused) {
      const res = await app.gql(query, variables, [role as never]);
      expect({ role, code: res.errors?.[0]?.extensions?.code }).toEqual({ role, code: 'FORBIDDEN' });
    }
  });

  it('refuses careRules to viewers and marketing', async () => {
    for (const role of ['viewer', 'marketing', 'ingest'] as const) {
      const res = await app.gql(RULES, {}, [role]);
      expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
  });
  it('takes an explicit null businessHours as the default calendar (found by the fuzz test: it was a 500)', async () => {
    const set = (businessHours: string | null) =>
      app.gql(`mutation($input: SlaTargetInput!) { setSlaTarget(input: $input) { channel tier responseMinutes businessHours } }`, {
        input: { channel: 'LETTER', tier: 'SILVER', responseMinutes: 2880, businessHours },
      }, ['supervisor']);
    const res = await set(null);
    expect(res.errors).toBeUndefined();
    expect(res.data!.setSlaTarget).toEqual({ channel: 'LETTER', tier: 'SILVER', responseMinutes: 2880, businessHours: 'always' });
    await app.gql(`mutation { deleteSlaTarget(channel: LETTER, tier: SILVER) }`, {}, ['supervisor']);
  });
});
