import { CATALOG_SQL, DATA_INVENTORY, inventoryProblems, type CatalogColumn } from '../../src/privacy/data-inventory';
import { CUSTOMER_OWNED_TABLES } from '../../src/identities/customer-owned-tables';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const catalog = async (): Promise<CatalogColumn[]> => (await app.pool.query<CatalogColumn>(CATALOG_SQL)).rows;

describe('the data inventory', () => {
  it('classifies every column of every migrated table, and nothing that is not stored', async () => {
    const columns = await catalog();
    expect(columns.length).toBeGreaterThan(300);
    expect(inventoryProblems(columns)).toEqual([]);
  });

  it('fails on a column a migration adds without classifying it', async () => {
    const client = await app.pool.connect();
    try {
      // DDL in a transaction that is rolled back: a table of its own, so no other test waits on a lock.
      await client.query('BEGIN');
      await client.query('CREATE TABLE inventory_probe (id int PRIMARY KEY, note text)');
      const { rows } = await client.query<CatalogColumn>(CATALOG_SQL);
      expect(inventoryProblems(rows)).toEqual([
        'inventory_probe.id is not classified in src/privacy/data-inventory.ts',
        'inventory_probe.note is not classified in src/privacy/data-inventory.ts',
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('fails on a column added to a classified table', async () => {
    // (Not ALTER TABLE customers: that would lock a table every other test file reads.)
    const added = [...(await catalog()), { table: 'customers', column: 'nickname', type: 'text', nullable: true }];
    expect(inventoryProblems(added)).toEqual(['customers.nickname is not classified in src/privacy/data-inventory.ts']);
  });

  it('fails on a classified column that is no longer stored, and on an action the column cannot take', async () => {
    const columns = (await catalog()).filter((c) => !(c.table === 'conversation_handoffs' && c.column === 'context'));
    expect(inventoryProblems(columns)).toEqual(['conversation_handoffs.context is classified but not stored']);
    const notNull = (await catalog()).map((c) => (c.table === 'social_identities' && c.column === 'profile_url' ? { ...c, nullable: false } : c));
    expect(inventoryProblems(notNull)).toEqual(['social_identities.profile_url is NOT NULL and cannot be nullified']);
  });

  it('names the customer\'s own rows in every table with customer_id, and every table a merge moves', async () => {
    const withCustomerId = [...new Set((await catalog()).filter((c) => c.column === 'customer_id').map((c) => c.table))];
    expect(withCustomerId.filter((t) => !DATA_INVENTORY[t]?.owned)).toEqual([]);
    expect(CUSTOMER_OWNED_TABLES.filter((t) => !DATA_INVENTORY[t]?.owned)).toEqual([]);
  });
});

describe('dataInventory', () => {
  const QUERY = `{ dataInventory { table column class onErasure purposes } }`;

  it('shows admins every stored column that can hold personal data, with its class, erasure action and purposes', async () => {
    const res = await app.gql(QUERY, {}, ['admin']);
    expect(res.errors).toBeUndefined();
    const entries: { table: string; column: string; class: string; onErasure: string; purposes: string[] }[] = res.data!.dataInventory;
    const stored = new Set((await catalog()).map((c) => `${c.table}.${c.column}`));
    expect(entries.every((e) => stored.has(`${e.table}.${e.column}`))).toBe(true);
    expect(entries.filter((e) => e.class === 'OPERATIONAL')).toEqual([]);
    const personal = Object.entries(DATA_INVENTORY).flatMap(([t, r]) => Object.entries(r.columns).filter(([, c]) => c.class !== 'OPERATIONAL').map(([c]) => `${t}.${c}`));
    expect(entries.map((e) => `${e.table}.${e.column}`).sort()).toEqual(personal.sort());
    expect(entries).toEqual(expect.arrayContaining([
      { table: 'conversation_handoffs', column: 'context', class: 'FREE_TEXT', onErasure: 'REDACT', purposes: ['SERVICE'] },
      { table: 'interaction_history', column: 'detail', class: 'FREE_TEXT', onErasure: 'REDACT', purposes: ['SERVICE'] },
      { table: 'contact_points', column: 'value', class: 'CONTACT', onErasure: 'REDACT', purposes: ['SERVICE', 'MARKETING'] },
      { table: 'influence_scores', column: 'score', class: 'PROFILING', onErasure: 'KEEP', purposes: ['PROFILING'] },
      { table: 'social_identities', column: 'external_user_id', class: 'IDENTIFIER', onErasure: 'NULLIFY', purposes: ['SERVICE', 'MARKETING'] },
    ]));
    expect(entries.map((e) => `${e.table}.${e.column}`)).not.toContain('webhooks.url');
  });

  it.each(['supervisor', 'marketing', 'ingest'])('refuses %s with FORBIDDEN', async (role) => {
    expect((await app.gql(QUERY, {}, [role as never])).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
