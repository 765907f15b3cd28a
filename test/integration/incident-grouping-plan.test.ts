import 'reflect-metadata';
import { Client } from 'pg';
import { groupIncidentPostsSql } from '../../src/care/incidents/incident.writer';
import { unique } from '../helpers/factory';

/**
 * Every ingestion call that has posts on a topic with an open incident groups them with one
 * statement (groupIncidentPostsSql). Its plan must start from the ids it is given and read each
 * interaction by id: when it walked the queue's partial index instead (estimated at one row on a
 * table without statistics) it cost 1.6-3.3 s of PostgreSQL per call of 1,000 and the bulk path
 * fell to 3% of its COPY floor (docs/benchmarks.md, "Ingestion: the grouping statement").
 * The young table is made here, inside a rolled-back transaction, by removing the statistics of the
 * three tables the statement reads (what a fresh database or rows inserted since the last ANALYZE
 * look like to the planner).
 */

let db: Client;
beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(() => db.end());

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] }
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The plan of the grouping statement, on the bench's shape inside a rolled-back transaction:
 * 4,000 queued posts, 11 open incidents with 1,100 of them, then the statistics of the three
 * tables removed (a young database, or rows inserted since the last ANALYZE).
 * `of` picks the ids given: 1,000 of the incidents' posts, or three of the incidents.
 */
async function youngPlan(of: 'interactionIds' | 'incidentIds'): Promise<PlanNode[]> {
  await db.query('BEGIN');
  try {
    const { rows: [{ id: customerId }] } = await db.query(
      `INSERT INTO customers (id, display_name, name_key) VALUES (gen_random_uuid(), 'Grouping plan', 'grouping plan') RETURNING id`);
    const { rows: [{ id: conversationId }] } = await db.query(
      `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, 'TWITTER', 'TWITTER', ARRAY['TWITTER'], now(), now()) RETURNING id`, [customerId]);
    const { rows: posts } = await db.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category)
       SELECT $1, $2, 'TWITTER', 'INBOUND', now() - g * interval '1 second', 'post ' || g, 'QUESTION' FROM generate_series(1, 4000) g
       RETURNING id`, [customerId, conversationId]);
    const tag = unique();
    const { rows: incidents } = await db.query(
      `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at)
       SELECT 'grouping' || $1 || g, 'burst', 10, 5, now() FROM generate_series(1, 11) g RETURNING id`, [tag]);
    const joined = posts.slice(0, 1100).map((p) => p.id as string);
    await db.query(
      `INSERT INTO care_incident_posts (incident_id, interaction_id) SELECT ($1::uuid[])[1 + (n - 1) % 11], i FROM unnest($2::uuid[]) WITH ORDINALITY AS x(i, n)`,
      [incidents.map((i) => i.id), joined]);
    await db.query(`DELETE FROM pg_statistic WHERE starelid IN ('interactions'::regclass, 'care_incident_posts'::regclass, 'care_incidents'::regclass)`);
    // And the sizes the planner scales by: a table that other work has filled (the full suite's shared database).
    await db.query(`UPDATE pg_class SET reltuples = 50 * greatest(relpages, 1), relpages = greatest(relpages, 1) WHERE oid IN ('interactions'::regclass, 'care_incidents'::regclass)`);
    const { sql, params } = groupIncidentPostsSql(of === 'interactionIds' ? { interactionIds: joined.slice(100) } : { incidentIds: incidents.slice(0, 3).map((i) => i.id) });
    const { rows: [row] } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return nodes(row['QUERY PLAN'][0].Plan);
  } finally {
    await db.query('ROLLBACK');
  }
}

describe('grouping the posts of open incidents', () => {
  it('reads every interaction by id, never by walking a queue index, on a table without statistics', async () => {
    for (const of of ['interactionIds', 'incidentIds'] as const) {
      // The reads of interactions (ModifyTable is the UPDATE's target, fed by the reads below it).
      const scans = (await youngPlan(of)).filter((n) => n['Relation Name'] === 'interactions' && n['Node Type'] !== 'ModifyTable');
      expect(scans.length).toBeGreaterThan(0);
      // Each read of interactions is an index probe whose condition is the row's id
      // (the stand-in, a post, the row updated), never a scan of a whole (queue) index.
      for (const s of scans) {
        expect({ of, node: s['Node Type'], index: s['Index Name'], cond: s['Index Cond'] })
          .toEqual({ of, node: expect.stringMatching(/Index (Only )?Scan/), index: s['Index Name'], cond: expect.stringMatching(/^\(id = /) });
      }
    }
  });
});
