import { startTestApp, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ poolSize: 6 });
});
afterAll(() => app.close());

const RECORD_MANY = `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`;
const RECORD = `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status } }`;

/** An hour of its own in the past (tests share the database and the topic counters). */
const ownHour = () => Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 24 * 900) * 3600_000;
const post = (tag: string, n: number, at: number) => ({
  idempotencyKey: `burst-${tag}-${n}`, platform: 'TWITTER', handle: `b${tag}_${n}`, channel: 'TWITTER',
  content: `Nothing loads today #down${tag}`, topics: [`down${tag}`], occurredAt: new Date(at).toISOString(),
});

describe('topic bursts are counted over what is stored in the rule window', () => {
  // The seeded rule topic-threshold: 20 posts on one topic within 120 minutes -> PR_CRISIS.
  it('escalates when two calls with posts in different minutes cross the threshold together, the later call bringing the earlier post', async () => {
    const tag = unique().replace(/-/g, '');
    const start = ownHour();
    const first = await app.gql(RECORD_MANY, { inputs: Array.from({ length: 19 }, (_, n) => post(tag, n, start + 60 * 60_000)) }, ['ingest']);
    expect(first.errors).toBeUndefined();
    // 30 minutes before the 19: the window ending at this post holds it alone; the one ending at theirs holds all 20.
    const late = await app.gql(RECORD, { input: post(tag, 19, start + 30 * 60_000) }, ['agent']);
    expect(late.errors).toBeUndefined();
    expect(late.data!.recordInteraction.status).toBe('ESCALATED');
    const { rows } = await app.pool.query(`SELECT team, automatic, reason FROM escalations WHERE interaction_id = $1`, [late.data!.recordInteraction.id]);
    expect(rows).toEqual([{ team: 'PR_CRISIS', automatic: true, reason: expect.stringContaining(`20 posts on topic "down${tag}" within 120 minutes`) }]);
  });

  it('escalates when concurrent single calls on one topic, each in its own minute, cross the threshold together', async () => {
    const tag = unique().replace(/-/g, '');
    const start = ownHour();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => app.gql(RECORD, { input: post(tag, n, start + n * 60_000) }, ['agent'])));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const { rows } = await app.pool.query(
      `SELECT count(*)::int AS n FROM escalations e JOIN interactions i ON i.id = e.interaction_id WHERE $1 = ANY(i.topics) AND e.automatic`, [`down${tag}`]);
    expect(rows[0].n).toBe(1);
  });

  it('does not escalate 19 posts spread so that no window of 120 minutes holds 20', async () => {
    const tag = unique().replace(/-/g, '');
    const start = ownHour();
    await app.gql(RECORD_MANY, { inputs: Array.from({ length: 10 }, (_, n) => post(tag, n, start + 200 * 60_000)) }, ['ingest']);
    const late = await app.gql(RECORD_MANY, { inputs: Array.from({ length: 10 }, (_, n) => post(tag, 10 + n, start)) }, ['ingest']);
    expect(late.errors).toBeUndefined();
    const { rows } = await app.pool.query(
      `SELECT count(*)::int AS n FROM escalations e JOIN interactions i ON i.id = e.interaction_id WHERE $1 = ANY(i.topics)`, [`down${tag}`]);
    expect(rows[0].n).toBe(0);
  });
});
