import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createDataSource } from '../../src/db/data-source';
import { migrations } from '../../migrations';
import { withScratchDatabase } from '../helpers/databases';

type Db = ReturnType<typeof createDataSource>;

const tables = async (ds: Db) =>
  (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`))
    .map((r: { table_name: string }) => r.table_name);

/** A scratch database with no migration applied, and a data source on it (destroyed afterwards). */
async function withUnmigratedDatabase(run: (ds: Db) => Promise<void>): Promise<void> {
  await withScratchDatabase(async (url) => {
    const ds = createDataSource({ url, poolSize: 1 });
    await ds.initialize();
    try {
      await run(ds);
    } finally {
      await ds.destroy();
    }
  }, { migrate: false });
}

/** Reverts every migration from `name` (included) to the newest. */
async function undoThrough(ds: Db, name: string): Promise<void> {
  const after = migrations.length - migrations.findIndex((m) => m.name === name);
  for (let n = 0; n < after; n++) await ds.undoLastMigration();
}

/** A customer (with a tier, if given) and one email conversation of theirs: what stored interactions need. */
async function customerWithConversation(ds: Db, displayName: string, tier?: string): Promise<{ id: string; conversation: string }> {
  const [{ id }] = tier
    ? await ds.query(`INSERT INTO customers (display_name, tier) VALUES ($1, $2) RETURNING id`, [displayName, tier])
    : await ds.query(`INSERT INTO customers (display_name) VALUES ($1) RETURNING id`, [displayName]);
  const [{ id: conversation }] = await ds.query(
    `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
     VALUES ($1, 'EMAIL', 'EMAIL', '{EMAIL}', now(), now()) RETURNING id`, [id],
  );
  return { id, conversation };
}

describe('migrations', () => {
  it('lists every migration file of migrations/ in migrations/index.ts', () => {
    const files = readdirSync(path.resolve(__dirname, '../../migrations')).filter((f) => /^\d+-.+\.ts$/.test(f));
    const names = files.map((f) => f.replace(/^(\d+)-(.+)\.ts$/, '$2$1')).sort();
    expect(migrations.map((m) => m.name).sort()).toEqual(names);
  });

  it('apply on an empty database, revert completely, and apply again', async () => {
    await withUnmigratedDatabase(async (ds) => {
      await ds.runMigrations();
      const created = await tables(ds);
      expect(created).toEqual(expect.arrayContaining(['customers', 'interactions', 'social_identities', 'consent_events']));
      for (let n = 0; n < migrations.length; n++) await ds.undoLastMigration();
      expect(await tables(ds)).toEqual([]);
      await ds.runMigrations();
      expect(await tables(ds)).toEqual(created);
    });
  });

  it('revert every migration after the core model, newest first, on a database that holds data, and apply them again', async () => {
    await withUnmigratedDatabase(async (ds) => {
      await ds.runMigrations();
      const { id, conversation } = await customerWithConversation(ds, 'Kept Customer');
      await ds.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content)
         VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'kept through every down and up')`,
        [id, conversation],
      );
      const [{ id: identity }] = await ds.query(
        `INSERT INTO social_identities (customer_id, platform, handle, captured_via, captured_by)
         VALUES ($1, 'TWITTER', 'kept', 'IMPORT', 'test') RETURNING id`,
        [id],
      );
      await ds.query(
        `INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by)
         VALUES ($1, $2, 'MARKETING', 'GRANTED', 'IMPORT', 'test')`,
        [id, identity],
      );
      await ds.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at) VALUES ($1, 5, 'test', now())`, [id]);
      for (let n = 1; n < migrations.length; n++) await ds.undoLastMigration();
      await ds.runMigrations();
      const [kept] = await ds.query(
        `SELECT (SELECT count(*)::int FROM interactions WHERE customer_id = $1) AS interactions,
                (SELECT count(*)::int FROM consent_events WHERE customer_id = $1) AS consents,
                (SELECT count(*)::int FROM influence_scores WHERE customer_id = $1) AS scores`,
        [id],
      );
      expect(kept).toEqual({ interactions: 1, consents: 1, scores: 1 });
    });
  });

  it('NormaliseTopics puts stored topics in the one form, and its down puts the old values back', async () => {
    await withUnmigratedDatabase(async (ds) => {
      await ds.runMigrations();
      await undoThrough(ds, 'NormaliseTopics1795742000000');
      const { id, conversation } = await customerWithConversation(ds, 'Topic Customer');
      await ds.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, topics)
         VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'x', '{Fuel Economy,fuel_economy,#MPG,mpg,ok}'),
                ($1, $2, 'EMAIL', 'INBOUND', now(), 'y', '{already-stored}')`, [id, conversation],
      );
      await ds.query(`INSERT INTO influence_scores (customer_id, score, source, measured_at, topic) VALUES ($1, 5, 't', now(), ' #Fuel_Economy ')`, [id]);
      await ds.query(`UPDATE care_skill_groups SET hashtags = '{Road Trip}' WHERE name = (SELECT min(name) FROM care_skill_groups)`);
      await ds.runMigrations();
      const read = async () => ({
        topics: (await ds.query(`SELECT topics FROM interactions WHERE customer_id = $1 ORDER BY content`, [id])).map((r: any) => r.topics),
        score: (await ds.query(`SELECT topic FROM influence_scores WHERE customer_id = $1`, [id]))[0].topic,
        group: (await ds.query(`SELECT hashtags FROM care_skill_groups ORDER BY name LIMIT 1`))[0].hashtags,
      });
      expect(await read()).toEqual({ topics: [['fuel-economy', 'mpg', 'ok'], ['already-stored']], score: 'fuel-economy', group: ['road-trip'] });
      await undoThrough(ds, 'NormaliseTopics1795742000000');
      expect(await read()).toEqual({
        topics: [['Fuel Economy', 'fuel_economy', '#MPG', 'mpg', 'ok'], ['already-stored']], score: ' #Fuel_Economy ', group: ['Road Trip'],
      });
      await ds.runMigrations();
    });
  });
  it('ClaimInOneStatement gives the open items already stored their customer\'s tier, and its down removes it', async () => {
    await withUnmigratedDatabase(async (ds) => {
      const name = 'ClaimInOneStatement1795830000000';
      await ds.runMigrations();
      await undoThrough(ds, name);
      const { id, conversation } = await customerWithConversation(ds, 'Tier Customer', 'GOLD');
      await ds.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, status)
         VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'open', 'OPEN'), ($1, $2, 'EMAIL', 'INBOUND', now(), 'done', 'RESPONDED'),
                ($1, $2, 'EMAIL', 'OUTBOUND', now(), 'reply', 'OPEN')`, [id, conversation],
      );
      await ds.runMigrations();
      const tiers = await ds.query(`SELECT content, queue_tier FROM interactions WHERE customer_id = $1 ORDER BY content`, [id]);
      expect(tiers).toEqual([{ content: 'done', queue_tier: null }, { content: 'open', queue_tier: 'GOLD' }, { content: 'reply', queue_tier: null }]);
      await undoThrough(ds, name);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'interactions' AND column_name = 'queue_tier'`);
      expect(n).toBe(0);
      await ds.runMigrations();
    });
  });

  it('InsertTriggersOnlyWhenNeeded: an INSERT that brings rank and tier keeps them, one that lacks or must not have them gets what the triggers set; updates re-rank as before; its down puts the old triggers back', async () => {
    await withUnmigratedDatabase(async (ds) => {
      const name = 'InsertTriggersOnlyWhenNeeded1795840000000';
      const triggers = async () => (await ds.query(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = 'interactions'::regclass AND NOT tgisinternal AND tgname LIKE 'interactions_queue_%' ORDER BY 1`,
      )).map((r: { tgname: string }) => r.tgname);
      await ds.runMigrations();
      const { id, conversation } = await customerWithConversation(ds, 'Trigger Customer', 'GOLD');
      // brought: kept as they are; open without values: ranked and tiered; not open with values: cleared.
      await ds.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, status, priority_base, queue_key, queue_tier)
         VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'brought', 'OPEN', 7, 123, 'GOLD'),
                ($1, $2, 'EMAIL', 'INBOUND', now(), 'lacking', 'OPEN', NULL, NULL, NULL),
                ($1, $2, 'EMAIL', 'INBOUND', now(), 'half', 'OPEN', 7, NULL, NULL),
                ($1, $2, 'EMAIL', 'INBOUND', now(), 'done', 'RESPONDED', 7, 123, 'GOLD'),
                ($1, $2, 'EMAIL', 'OUTBOUND', now(), 'reply', 'OPEN', NULL, NULL, NULL)`, [id, conversation],
      );
      const read = () => ds.query(
        `SELECT i.content, i.priority_base AS base, i.queue_key = r.queue_key AS ranked, i.queue_tier AS tier
           FROM interactions i LEFT JOIN LATERAL interaction_rank(i.customer_id, i.topics, i.category, i.sentiment, i.content, i.sla_due_at, i.occurred_at) r ON true
          WHERE i.customer_id = $1 ORDER BY i.content`, [id],
      );
      const [{ base }] = await ds.query(
        `SELECT r.base FROM interactions i, interaction_rank(i.customer_id, i.topics, i.category, i.sentiment, i.content, i.sla_due_at, i.occurred_at) r
          WHERE i.customer_id = $1 AND i.content = 'lacking'`, [id],
      );
      expect(await read()).toEqual([
        { content: 'brought', base: 7, ranked: false, tier: 'GOLD' },
        { content: 'done', base: null, ranked: null, tier: null },
        { content: 'half', base, ranked: true, tier: 'GOLD' },
        { content: 'lacking', base, ranked: true, tier: 'GOLD' },
        { content: 'reply', base: null, ranked: null, tier: null },
      ]);
      // An update of a ranked column re-ranks and re-tiers, whatever the row holds.
      await ds.query(`UPDATE interactions SET status = 'OPEN' WHERE customer_id = $1 AND content IN ('brought', 'done')`, [id]);
      expect((await read()).filter((r: { content: string }) => r.content === 'brought' || r.content === 'done')).toEqual([
        { content: 'brought', base, ranked: true, tier: 'GOLD' },
        { content: 'done', base, ranked: true, tier: 'GOLD' },
      ]);
      expect(await triggers()).toEqual([
        'interactions_queue_priority', 'interactions_queue_priority_insert', 'interactions_queue_tier', 'interactions_queue_tier_insert',
      ]);
      await undoThrough(ds, name);
      expect(await triggers()).toEqual([
        'interactions_queue_priority', 'interactions_queue_tier',
      ]);
      await ds.query(
        `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, status, priority_base, queue_key, queue_tier)
         VALUES ($1, $2, 'EMAIL', 'INBOUND', now(), 'old triggers', 'OPEN', 7, 123, 'NONE')`, [id, conversation],
      );
      // Before it, the tier trigger read the customer's tier on every insert.
      const [{ tier }] = await ds.query(`SELECT queue_tier AS tier FROM interactions WHERE content = 'old triggers'`);
      expect(tier).toBe('GOLD');
      await ds.runMigrations();
    });
  });
});
