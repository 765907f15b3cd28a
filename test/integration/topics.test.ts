import { normaliseTopic } from '../../src/common/topics';
import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer, unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('one topic normalisation (docs/topics.md)', () => {
  it('normalises case, a leading #, surrounding and inner space, _ and -', () => {
    for (const form of ['Fuel Economy', '#fuel_economy', ' FUEL-ECONOMY ', '##Fuel  -  Economy', 'fuel--economy', '-fuel_economy-']) {
      expect(normaliseTopic(form)).toBe('fuel-economy');
    }
    expect(normaliseTopic('#FuelEconomy')).toBe('fueleconomy');
    expect(normaliseTopic('Café crème')).toBe('café-crème');
    expect(normaliseTopic(' # ')).toBe('');
  });

  it('a topic written in any form at every entry point is found by every filter written in any other', async () => {
    const u = unique();
    const canonical = `fuel-economy-${u}`;
    // Each entry point and each filter gets a different spelling.
    const forms = [`#Fuel_Economy_${u.toUpperCase()}`, ` fuel economy ${u} `, `FUEL-ECONOMY-${u.toUpperCase()}`, `fuel--economy_${u}`, `#fuel  economy-${u}`];
    const group = `topics-${u}`;

    // Skill-group cluster (rules).
    const created = await app.gql(`mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { hashtags } }`,
      { input: { name: group, position: 900, hashtags: [forms[0]] } }, ['supervisor']);
    expect(created.errors).toBeUndefined();
    expect(created.data!.createSkillGroup.hashtags).toEqual([canonical]);
    try {
      const c = await createCustomer(app.pool, { tier: 'GOLD', handles: [{ platform: 'TWITTER', handle: `h${u}` }] });
      await app.pool.query(
        `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by)
         SELECT $1, $2, p, 'GRANTED', now() - interval '1 minute', 'SOCIAL_MESSAGE', 'test' FROM unnest('{PROFILING,MARKETING}'::text[]) AS p`,
        [c.id, c.socialIdentityIds[0]],
      );
      // Influence score.
      const score = await app.gql(`mutation($input: InfluenceScoreInput!) { recordInfluenceScore(input: $input) { topic } }`,
        { input: { customerId: c.id, score: 9, source: 'listening-co', topic: forms[1], measuredAt: new Date().toISOString() } }, ['ingest']);
      expect(score.data!.recordInfluenceScore.topic).toBe(canonical);

      // Ingestion: a given topic, and a hashtag in the text; a window of their own for the metrics.
      const from = new Date(Date.now() - 3 * 3_600_000 - Math.floor(Math.random() * 3_600_000));
      const RECORD = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { topics skillGroup } }`;
      const recorded = await app.gql(RECORD, { inputs: [
        { idempotencyKey: `t1-${u}`, customerId: c.id, channel: 'TWITTER', category: 'COMPLAINT', sentiment: -0.5,
          content: 'this is awful', topics: [forms[2]], occurredAt: new Date(from.getTime() + 60_000).toISOString() },
        { idempotencyKey: `t2-${u}`, customerId: c.id, channel: 'TWITTER', category: 'COMPLAINT', sentiment: -0.5,
          content: `still bad ${forms[0]}!`, occurredAt: new Date(from.getTime() + 120_000).toISOString() },
      ] }, ['agent']);
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordInteractions).toEqual([
        { topics: [canonical], skillGroup: group },
        { topics: [canonical], skillGroup: group },
      ]);

      // Segment filters: interaction topics and influence topic, in every form.
      const SEGMENT = `query($filter: SegmentFilter!) { segment(filter: $filter) { edges { node { customer { id } } } } }`;
      for (const form of forms) {
        for (const filter of [{ topics: [form] }, { influenceTopic: form }, { influenceTopic: form, minInfluence: 1 }]) {
          const res = await app.gql(SEGMENT, { filter }, ['marketing']);
          expect(res.errors).toBeUndefined();
          expect({ filter, ids: res.data!.segment.edges.map((e: any) => e.node.customer.id) }).toEqual({ filter, ids: [c.id] });
        }
      }

      // Queue: the topic's influence score ranks the items (the stored topics match).
      const queue = await app.gql(`query($g: String) { careQueue(skillGroup: $g) { edges { node { priority { reasons { factor detail } } } } } }`,
        { g: group }, ['agent']);
      const reasons = queue.data!.careQueue.edges.flatMap((e: any) => e.node.priority.reasons).filter((r: any) => r.factor === 'influence');
      expect(reasons).toHaveLength(2);
      for (const r of reasons) expect(r.detail).toContain(`"${canonical}"`);

      // Metrics: one topic, both items.
      const metrics = await app.gql(`query($from: DateTime!, $to: DateTime!) { serviceMetrics(from: $from, to: $to) { topComplaints { topic count } } }`,
        { from: from.toISOString(), to: new Date(from.getTime() + 180_000).toISOString() }, ['supervisor']);
      expect(metrics.errors).toBeUndefined();
      expect(metrics.data!.serviceMetrics.topComplaints).toContainEqual({ topic: canonical, count: 2 });
    } finally {
      await app.gql(`mutation($name: String!) { deleteSkillGroup(name: $name) }`, { name: group }, ['supervisor']);
    }
  });
});
