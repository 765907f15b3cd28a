import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { databaseRules } from '../../src/db/database-rules';
import { withScratchDatabase } from '../helpers/databases';

const committedFile = path.resolve(__dirname, '../../schema/database.sql');

/** The dump of a database the migrations have just built (the shared one may carry tests' leftovers). */
async function freshDump(): Promise<string> {
  let dump = '';
  await withScratchDatabase(async (url) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      dump = await databaseRules((sql) => client.query(sql));
    } finally {
      await client.end();
    }
  });
  return dump;
}

describe('database rules in one file', () => {
  let dump: string;
  beforeAll(async () => {
    dump = await freshDump();
  }, 120_000);

  it('committed schema/database.sql is what the migrations produce (run `npm run db:dump`)', () => {
    expect(readFileSync(committedFile, 'utf8')).toBe(dump);
  });

  it('holds the current body of a function a later migration replaced, its triggers and the queue\'s partial indexes', () => {
    // OneChurnRule replaced interaction_priority_base: the dump shows its compiled churn form, not the first ~*.
    const base = dump.slice(dump.indexOf('-- interaction_priority_base('), dump.indexOf('-- interaction_queue_key('));
    expect(base).toContain(`churnPatternSql`);
    expect(base).not.toContain(`~*`);
    expect(dump).toContain('CREATE TRIGGER interactions_queue_priority BEFORE UPDATE OF');
    expect(dump).toMatch(/CREATE INDEX interactions_queue_idx ON public\.interactions USING btree \(queue_key, id\) WHERE .*actionable/);
  });
});
