import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../src/logger';
import { seedDatabase } from './generate';

/** Customers loaded on the first start of a development database. */
const DEMO_CUSTOMERS = 1000;
/** Fixed, so every developer's first start shows the same people. */
const DEMO_SEED = 1;
/** Arbitrary advisory-lock key: two instances starting together seed once. */
const DEMO_LOCK_KEY = 7_245_001;

/**
 * Loads ~1,000 demo customers when the customers table is empty; returns whether it did.
 * Usage (src/main.ts, not in production): `await seedDemoIfEmpty(db.pool, logger)`.
 */
export async function seedDemoIfEmpty(pool: Pool, logger: Logger): Promise<boolean> {
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [DEMO_LOCK_KEY]);
    const { rows } = await lock.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM customers) AS found');
    if (rows[0].found) return false;
    const started = Date.now();
    const { customerIds: _ids, ...counts } = await seedDatabase(pool, { customers: DEMO_CUSTOMERS, seed: DEMO_SEED });
    await addStoryCustomer(lock);
    logger.info({ ...counts, ms: Date.now() - started }, 'empty database: demo data seeded');
    return true;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [DEMO_LOCK_KEY]).catch(() => undefined);
    lock.release();
  }
}

/**
 * The customer of the README and the domain story, with clean identifiers so the examples
 * answer as written: Chad Schaeffer of Plymouth, MI, chadmschaeffer@gmail.com, a 313 number,
 * @ChadSchaeffer on Twitter (given in a DM), and a thread that went from Twitter to the phone
 * and closed back on Twitter.
 */
async function addStoryCustomer(client: PoolClient): Promise<void> {
  const now = Date.now();
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000);
  await client.query('BEGIN');
  try {
    const { rows: [c] } = await client.query<{ id: string }>(
      `INSERT INTO customers (display_name, name_key, city, region, country, tier, attributes, created_at)
       VALUES ('Chad Schaeffer', 'chad schaeffer', 'Plymouth', 'MI', 'US', 'GOLD', '{"loyaltyMember": true, "lifetimeValue": 18250}', $1)
       RETURNING id`,
      [at(24 * 400)],
    );
    await client.query(
      `INSERT INTO contact_points (customer_id, kind, value, verified, captured_via, captured_at, captured_by) VALUES
         ($1, 'EMAIL', 'chadmschaeffer@gmail.com', true, 'LOYALTY_SIGNUP', $2, 'demo'),
         ($1, 'PHONE', '+13135550142', false, 'LOYALTY_SIGNUP', $2, 'demo')`,
      [c.id, at(24 * 400)],
    );
    const { rows: [handle] } = await client.query<{ id: string }>(
      `INSERT INTO social_identities (customer_id, platform, handle, profile_url, follower_count, captured_via, captured_at, captured_by)
       VALUES ($1, 'TWITTER', 'chadschaeffer', 'https://twitter.com/ChadSchaeffer', 4200, 'SOCIAL_MESSAGE', $2, 'demo') RETURNING id`,
      [c.id, at(30)],
    );
    await client.query(
      `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, recorded_at, source, recorded_by, wording)
       VALUES ($1, $2, 'SERVICE', 'GRANTED', $3, 'SOCIAL_MESSAGE', 'demo', 'Happy for you to contact me here'),
              ($1, $2, 'PROFILING', 'GRANTED', $3, 'SOCIAL_MESSAGE', 'demo', 'Measure my influence')`,
      [c.id, handle.id, at(30)],
    );
    const { rows: [thread] } = await client.query<{ id: string }>(
      `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, 'TWITTER', 'TWITTER', '{TWITTER,PHONE}', $2, $3) RETURNING id`,
      [c.id, at(30), at(26)],
    );
    const posts: [string, string, number, string, string, boolean][] = [
      ['TWITTER', 'INBOUND', 30, 'COMPLAINT', '@Brand my CTS has been at the dealer for 3 weeks #warranty', true],
      ['TWITTER', 'OUTBOUND', 29.5, 'COMPLAINT', 'So sorry Chad! Could you DM us your number? We will call you.', true],
      ['PHONE', 'OUTBOUND', 28, 'COMPLAINT', 'Called Chad: warranty repair booked with the Plymouth dealer for Friday.', false],
      ['TWITTER', 'INBOUND', 26, 'COMPLIMENT', 'Thanks @Brand, the call sorted it out. Great service!', true],
    ];
    for (const [channel, direction, hoursAgo, category, content, isPublic] of posts) {
      await client.query(
        `INSERT INTO interactions (customer_id, conversation_id, social_identity_id, channel, direction, occurred_at, content,
                                   is_public, category, sentiment, topics, status, responded_at)
         VALUES ($1, $2, CASE WHEN $3 = 'TWITTER' THEN $4::uuid END, $3, $5, $6, $7, $8, $9, $10, '{warranty}', 'RESOLVED', $6)`,
        [c.id, thread.id, channel, handle.id, direction, at(hoursAgo), content, isPublic, category, category === 'COMPLAINT' ? -0.6 : 0.8],
      );
    }
    await client.query(
      `INSERT INTO influence_scores (customer_id, score, topic, source, computed, measured_at) VALUES
         ($1, 6.1, NULL, 'demo', false, $2), ($1, 6.8, NULL, 'demo', false, $3), ($1, 8.2, 'warranty', 'demo', false, $3)`,
      [c.id, at(24 * 30), at(24)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
