import { createDataSource, entities } from '../../src/db/data-source';

// migrations/ are the one description of the tables. Any TypeORM entity added to
// src/db/data-source.ts must describe its table exactly as migrated, or this fails.
describe('TypeORM entities', () => {
  it("TypeORM's schema diff against the migrated database finds nothing to change", async () => {
    const ds = createDataSource({ url: process.env.DATABASE_URL!, poolSize: 1 });
    await ds.initialize();
    try {
      const { upQueries } = await ds.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query)).toEqual([]);
      expect(ds.entityMetadatas.map((e) => e.tableName)).toEqual(entities.map(() => expect.any(String)));
    } finally {
      await ds.destroy();
    }
  });
});
