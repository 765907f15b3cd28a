import type { PoolClient } from 'pg';
import { startTestApp, type TestApp } from '../helpers/app';
import { unique } from '../helpers/factory';
import { waitFor } from '../helpers/receiver';

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

  /**
   * Another call on the topic, by hand: it holds the topic's lock (topic-bursts.ts) while a lone
   * call of the post waits for it, then does `meanwhile` and commits; the lone call's answer.
   */
  async function afterAnotherCall(topic: string, input: Record<string, unknown>, meanwhile: (q: PoolClient) => Promise<unknown>) {
    const other = await app.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(7245024, hashtext($1))`, [topic]);
      const pending = app.gql(RECORD, { input }, ['agent']);
      await waitFor(async () => (await app.pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 7245024
            AND objid = ((hashtext($1)::bigint + 4294967296) % 4294967296)::oid`, [topic])).rows[0].n > 0, 15_000, 'the call to wait on the topic');
      await meanwhile(other);
      await other.query('COMMIT');
      const res = await pending;
      expect(res.errors).toBeUndefined();
      return res.data!.recordInteraction as { id: string; status: string };
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      other.release();
    }
  }

  it('counts the posts of a call it waited for on the topic (its burst check reads after the topic lock)', async () => {
    const tag = unique().replace(/-/g, '');
    const start = ownHour();
    const answer = await afterAnotherCall(`down${tag}`, post(tag, 0, start + 60 * 60_000), (q) =>
      q.query(`INSERT INTO care_topic_minutes (topic, minute, posts) VALUES ($1, $2, 19)`, [`down${tag}`, new Date(start + 59 * 60_000)]));
    // The 20th post, counted with the 19 stored while it waited: a burst.
    expect(answer.status).toBe('ESCALATED');
  });

  it('joins the incident opened by a call it waited for on the topic', async () => {
    const tag = unique().replace(/-/g, '');
    const topic = `down${tag}`;
    let incidentId = '';
    const answer = await afterAnotherCall(topic, post(tag, 0, ownHour()), async (q) => {
      incidentId = (await q.query(
        `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at) VALUES ($1, 'test', 60, 20, now()) RETURNING id`, [topic])).rows[0].id;
    });
    try {
      const joined = await app.pool.query(`SELECT count(*)::int AS n FROM care_incident_posts WHERE incident_id = $1 AND interaction_id = $2`, [incidentId, answer.id]);
      expect(joined.rows[0].n).toBe(1);
    } finally {
      await app.pool.query(`UPDATE care_incidents SET status = 'RESOLVED', resolved_at = now() WHERE id = $1`, [incidentId]).catch(() => undefined);
    }
  });
});
