import { Client } from 'pg';
import { COORDINATOR_TABLES, CUSTOMER_KEY_PENDING, DISTRIBUTION_ROOT, REFERENCE_TABLES } from '../../src/db/table-placement';
import { CUSTOMER_OWNED_TABLES, NOT_CUSTOMER_OWNED } from '../../src/identities/customer-owned-tables';
import { withScratchDatabase } from '../helpers/databases';

// What the schema keeps true now so that distributing by customer_id (Citus, docs/scaling.md)
// stays a migration: every table has a place, and every customer-owned table carries its key.
jest.setTimeout(120_000);

interface Placement {
  customerOwned: readonly string[];
  other: readonly string[];
}

const PLACEMENT: Placement = {
  // A coordinator table may name customers without moving in merges (the outbox's event stream):
  // it is in NOT_CUSTOMER_OWNED for the merge test and in COORDINATOR_TABLES for distribution.
  customerOwned: [...CUSTOMER_OWNED_TABLES, ...Object.keys(NOT_CUSTOMER_OWNED).filter((t) => !(t in COORDINATOR_TABLES))],
  other: [DISTRIBUTION_ROOT, ...Object.keys(REFERENCE_TABLES), ...Object.keys(COORDINATOR_TABLES), ...Object.keys(CUSTOMER_KEY_PENDING)],
};

/** Every way the migrated schema breaks the placement rules, one readable line each. */
async function placementProblems(db: Client, placement: Placement): Promise<string[]> {
  const { rows } = await db.query<{ name: string; customerId: boolean; notNull: boolean | null; leadingIndex: string | null }>(
    `SELECT c.relname AS name,
            a.attnum IS NOT NULL AS "customerId",
            a.attnotnull AS "notNull",
            (SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND i.indpred IS NULL LIMIT 1) AS "leadingIndex"
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  const problems: string[] = [];
  const owned = new Set(placement.customerOwned);
  const other = new Set(placement.other);
  const present = new Set(rows.map((r) => r.name));
  for (const r of rows) {
    if (owned.has(r.name) && other.has(r.name)) problems.push(`${r.name}: listed both as customer-owned and as ${DISTRIBUTION_ROOT === r.name ? 'the root' : 'another placement'}`);
    if (owned.has(r.name)) {
      if (!r.customerId) problems.push(`${r.name}: customer-owned but has no customer_id column`);
      else if (!r.notNull) problems.push(`${r.name}: customer_id must be NOT NULL (the distribution column)`);
      if (r.customerId && r.leadingIndex === null) problems.push(`${r.name}: no (non-partial) index leading on customer_id`);
    } else if (other.has(r.name)) {
      if (r.customerId && !(r.name in COORDINATOR_TABLES && r.name in NOT_CUSTOMER_OWNED)) problems.push(`${r.name}: has customer_id, so it is customer-owned: list it in CUSTOMER_OWNED_TABLES (or NOT_CUSTOMER_OWNED)`);
    } else {
      problems.push(`${r.name}: a new table in no list: customer-owned (customer_id NOT NULL + index) or src/db/table-placement.ts (reference, coordinator)`);
    }
  }
  for (const name of [...owned, ...other]) if (!present.has(name)) problems.push(`${name}: listed but no such table (remove it from its list)`);
  return problems;
}

describe('table placement for distribution by customer_id', () => {
  it('gives every migrated table one place, and every customer-owned table customer_id NOT NULL with an index leading on it', async () => {
    await withScratchDatabase(async (url) => {
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        expect(await placementProblems(db, PLACEMENT)).toEqual([]);
        // The distribution root is keyed by the distribution column itself.
        const { rows } = await db.query(
          `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = $1::regclass AND i.indisprimary`,
          [DISTRIBUTION_ROOT],
        );
        expect(rows).toEqual([{ attname: 'id' }]);
      } finally {
        await db.end();
      }
    });
  });

  it('names each way a later migration can break it', async () => {
    await withScratchDatabase(async (url) => {
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        await db.query(`CREATE TABLE gadgets (id int PRIMARY KEY)`);
        await db.query(`CREATE TABLE notes (id int PRIMARY KEY, customer_id uuid, body text)`);
        await db.query(`CREATE TABLE likes (id int PRIMARY KEY, customer_id uuid NOT NULL, at timestamptz)`);
        await db.query(`CREATE INDEX likes_at_customer_idx ON likes (at, customer_id)`);
        await db.query(`CREATE TABLE flags (id int PRIMARY KEY, customer_id uuid NOT NULL)`);
        await db.query(`CREATE INDEX flags_customer_idx ON flags (customer_id)`);
        const problems = await placementProblems(db, {
          customerOwned: [...PLACEMENT.customerOwned, 'notes', 'likes', 'flags'],
          other: [...PLACEMENT.other, 'gone_table'],
        });
        expect(problems.sort()).toEqual(
          [
            'gadgets: a new table in no list: customer-owned (customer_id NOT NULL + index) or src/db/table-placement.ts (reference, coordinator)',
            'notes: customer_id must be NOT NULL (the distribution column)',
            'notes: no (non-partial) index leading on customer_id',
            'likes: no (non-partial) index leading on customer_id',
            'gone_table: listed but no such table (remove it from its list)',
          ].sort(),
        );
        await db.query(`DROP TABLE notes, likes, flags`);
        await db.query(`CREATE TABLE orders (id int PRIMARY KEY, customer_id uuid NOT NULL)`);
        expect(await placementProblems(db, { ...PLACEMENT, other: [...PLACEMENT.other, 'orders', 'gadgets'] })).toEqual([
          'orders: has customer_id, so it is customer-owned: list it in CUSTOMER_OWNED_TABLES (or NOT_CUSTOMER_OWNED)',
        ]);
      } finally {
        await db.end();
      }
    });
  });
});
