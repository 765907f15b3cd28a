import { Pool } from 'pg';
import { seedDatabase, type SeedCounts, type SeedResult } from '../../seeds/generate';

// Other test files share this database: every query below looks only at this run's customers.
let pool: Pool;
let seeded: SeedResult;

beforeAll(async () => {
  pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  seeded = await seedDatabase(pool, { customers: 50, seed: 42 });
}, 60_000);
afterAll(() => pool.end());

/** Runs `sql` with $1 = this run's customer ids and returns the single row. */
async function one<T>(sql: string): Promise<T> {
  const { rows } = await pool.query(sql, [seeded.customerIds]);
  return rows[0] as T;
}

describe('seedDatabase', () => {
  it('writes the requested customers and rows in every table, and reports the counts it wrote', async () => {
    const counts = await one<Record<keyof SeedCounts, string>>(`SELECT
      (SELECT count(*) FROM customers WHERE id = ANY($1)) AS customers,
      (SELECT count(*) FROM contact_points WHERE customer_id = ANY($1)) AS "contactPoints",
      (SELECT count(*) FROM social_identities WHERE customer_id = ANY($1)) AS "socialIdentities",
      (SELECT count(*) FROM consent_events WHERE customer_id = ANY($1)) AS "consentEvents",
      (SELECT count(*) FROM conversations WHERE customer_id = ANY($1)) AS conversations,
      (SELECT count(*) FROM interactions WHERE customer_id = ANY($1)) AS interactions,
      (SELECT count(*) FROM influence_scores WHERE customer_id = ANY($1)) AS "influenceScores",
      (SELECT count(*) FROM purchases WHERE customer_id = ANY($1)) AS purchases`);
    expect(seeded.customerIds).toHaveLength(50);
    for (const [table, count] of Object.entries(counts)) {
      expect(Number(count)).toBeGreaterThan(0);
      expect(Number(count)).toBe(seeded[table as keyof SeedCounts]);
    }
  });

  it('lists in every conversation the channels its interactions used, with consistent start and last activity', async () => {
    const { inconsistent } = await one<{ inconsistent: string }>(`
      SELECT count(*) AS inconsistent
      FROM conversations c
      JOIN LATERAL (SELECT array_agg(DISTINCT i.channel) AS used, min(i.occurred_at) AS first, max(i.occurred_at) AS last
                    FROM interactions i WHERE i.conversation_id = c.id) x ON true
      WHERE c.customer_id = ANY($1)
        AND (x.used IS NULL OR NOT c.channels @> x.used OR NOT x.used @> c.channels
             OR c.started_at <> x.first OR c.last_activity_at <> x.last OR c.origin_channel <> c.channels[1])`);
    expect(Number(inconsistent)).toBe(0);
  });

  it('keeps every reference inside the customer it belongs to', async () => {
    // Foreign-key triggers may be skipped while loading; this is the check that they would have passed.
    const orphans = await one<Record<string, string>>(`SELECT
      (SELECT count(*) FROM interactions i WHERE i.customer_id = ANY($1) AND NOT EXISTS
         (SELECT 1 FROM conversations c WHERE c.id = i.conversation_id AND c.customer_id = i.customer_id)) AS conversation,
      (SELECT count(*) FROM interactions i WHERE i.customer_id = ANY($1) AND i.social_identity_id IS NOT NULL AND NOT EXISTS
         (SELECT 1 FROM social_identities s WHERE s.id = i.social_identity_id AND s.customer_id = i.customer_id)) AS identity,
      (SELECT count(*) FROM interactions i WHERE i.customer_id = ANY($1) AND i.in_reply_to_id IS NOT NULL AND NOT EXISTS
         (SELECT 1 FROM interactions r WHERE r.id = i.in_reply_to_id AND r.conversation_id = i.conversation_id)) AS reply,
      (SELECT count(*) FROM consent_events e WHERE e.customer_id = ANY($1) AND NOT EXISTS
         (SELECT 1 FROM social_identities s WHERE s.id = e.social_identity_id AND s.customer_id = e.customer_id
          UNION ALL SELECT 1 FROM contact_points p WHERE p.id = e.contact_point_id AND p.customer_id = e.customer_id)) AS consent`);
    expect(orphans).toEqual({ conversation: '0', identity: '0', reply: '0', consent: '0' });
  });

  it('creates three Chad Schaeffers in South Dakota, two in one city, each with their own email', async () => {
    const { rows } = await pool.query(
      `SELECT c.city, c.name_key, array_agg(p.value) AS emails
       FROM customers c JOIN contact_points p ON p.customer_id = c.id AND p.kind = 'EMAIL'
       WHERE c.id = ANY($1) AND c.display_name = 'Chad Schaeffer' AND c.region = 'SD'
       GROUP BY c.id, c.city, c.name_key ORDER BY c.city`,
      [seeded.customerIds],
    );
    expect(rows.map((r) => r.city)).toEqual(['Rapid City', 'Sioux Falls', 'Sioux Falls']);
    expect(rows.every((r) => r.name_key === 'chad schaeffer')).toBe(true);
    const emails = rows.flatMap((r) => r.emails as string[]);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('appends a second run with the same seed without unique violations', async () => {
    const again = await seedDatabase(pool, { customers: 20, seed: 42 });
    expect(again.customers).toBe(20);
    expect(again.runTag).not.toBe(seeded.runTag);
    const { count } = (await pool.query('SELECT count(*) FROM customers WHERE id = ANY($1)', [again.customerIds])).rows[0];
    expect(Number(count)).toBe(20);
  }, 60_000);
});
