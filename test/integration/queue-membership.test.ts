import 'reflect-metadata';
import { Client } from 'pg';
import { careQueueSql, type CareQueueArgs } from '../../src/care/desk/care-queue.service';
import { SwimLane } from '../../src/graphql/enums';
import { claimNextFunctionSql, queued } from '../../src/care/desk/queue-membership';
import { unique } from '../helpers/factory';

/**
 * Queue membership has one definition (src/care/desk/queue-membership.ts). These tests hold the
 * database to it: the queue's partial indexes carry its predicate, the claim function is its
 * text, and the statements built from it still use those indexes (plans read with EXPLAIN and,
 * inside care_claim_next, with auto_explain). Sequential scans are switched off so that a
 * plan can only avoid the partial indexes when the predicate no longer implies theirs.
 */

let db: Client;
beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(() => db.end());

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim();
/** A plan reads `index` (a name or a pattern), as an index scan or as a bitmap index scan (the count, on a bigger table). */
const QUEUE_INDEX = 'interactions_queue\\w*';
const reads = (index: string) => new RegExp(`(using|Bitmap Index Scan on) ${index}\\b`);

/** The plan PostgreSQL chooses for `sql`, without sequential scans. */
async function plan(sql: string, params: unknown[]): Promise<string> {
  await db.query('BEGIN');
  try {
    await db.query('SET LOCAL enable_seqscan = off');
    const { rows } = await db.query(`EXPLAIN ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await db.query('ROLLBACK');
  }
}

describe('queue membership, defined once', () => {
  it('is the predicate of every partial index of the queue', async () => {
    await db.query(`CREATE TEMP TABLE membership_probe (LIKE interactions)`);
    try {
      await db.query(`CREATE INDEX membership_probe_idx ON membership_probe (id) WHERE ${queued()}`);
      const { rows: [probe] } = await db.query(
        `SELECT pg_get_expr(indpred, indrelid) AS predicate FROM pg_index WHERE indexrelid = 'membership_probe_idx'::regclass`);
      const { rows } = await db.query(
        `SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = 'public.interactions'::regclass AND c.relname LIKE 'interactions_queue%' ORDER BY 1`);
      expect(rows.map((r) => r.name)).toEqual([
        'interactions_queue_channel_idx', 'interactions_queue_idx', 'interactions_queue_lane_idx', 'interactions_queue_skill_idx', 'interactions_queue_tier_idx',
      ]);
      for (const r of rows) expect({ name: r.name, predicate: r.predicate }).toEqual({ name: r.name, predicate: probe.predicate });
    } finally {
      await db.query(`DROP TABLE membership_probe`);
    }
  });

  it('is the text of the claim function the migrations installed', async () => {
    const { rows: [{ body }] } = await db.query(`SELECT prosrc AS body FROM pg_proc WHERE proname = 'care_claim_next'`);
    const written = /AS \$\$([\s\S]*)\$\$/.exec(claimNextFunctionSql())![1];
    expect(normalise(body)).toBe(normalise(written));
  });

  it('keeps the queue pages and counts on the partial indexes: all, one lane, one skill group, unassigned, one holder', async () => {
    // Which queue index wins depends on the table's statistics (a nearly empty table prefers the
    // plain queue index with a lane filter); what must hold is that one of them is usable at all.
    for (const args of [{}, { lane: SwimLane.CUSTOMER_SERVICE }, { skillGroup: 'billing' }, { unassigned: true }, { assignedTo: 'alice' }] as Omit<CareQueueArgs, 'first'>[]) {
      const { sql, params, countSql, countParams } = careQueueSql({ first: 20, ...args });
      // One holder's items: the planner may as well start from the holder's own index (a handful of rows).
      const index = 'assignedTo' in args ? `(?:${QUEUE_INDEX}|interactions_assigned_idx)` : QUEUE_INDEX;
      expect({ args, page: await plan(sql, params) }).toEqual({ args, page: expect.stringMatching(reads(index)) });
      expect({ args, count: await plan(countSql, countParams) }).toEqual({ args, count: expect.stringMatching(reads(index)) });
    }
  });

  it('keeps the claim\'s two picks (one tier, several tiers) on the partial indexes', async () => {
    const plans: string[] = [];
    const onNotice = (n: { message?: string }) => plans.push(n.message ?? '');
    db.on('notice', onNotice);
    const agents = [`one-tier-${unique()}`, `tiers-${unique()}`];
    await db.query('BEGIN');
    try {
      await db.query(
        `INSERT INTO care_agents (id, name, lanes, tiers, capacity, assignment_seconds, updated_by)
         VALUES ($1, $1, '{CUSTOMER_SERVICE}', '{PLATINUM}', 5, 600, 'test'), ($2, $2, '{CUSTOMER_SERVICE}', '{GOLD,SILVER}', 5, 600, 'test')`, agents);
      await db.query(`LOAD 'auto_explain'`);
      for (const setting of ['enable_seqscan = off', 'auto_explain.log_min_duration = 0', 'auto_explain.log_nested_statements = on', 'client_min_messages = log']) {
        await db.query(`SET LOCAL ${setting}`);
      }
      for (const agent of agents) await db.query(`SELECT * FROM care_claim_next($1)`, [agent]);
    } finally {
      await db.query('ROLLBACK');
      db.off('notice', onNotice);
    }
    const picks = plans.filter((p) => p.includes('SELECT n.id') && p.includes('FOR UPDATE SKIP LOCKED'));
    expect(picks).toHaveLength(2);
    for (const pick of picks) expect(pick).toMatch(reads(QUEUE_INDEX));
  });
});
