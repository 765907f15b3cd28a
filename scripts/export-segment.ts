// `npm run export:segment -- --filter '<json>' [--purpose MARKETING] --out members.ndjson`
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { ConsentPurpose } from '../src/graphql/enums';
import { createLogger } from '../src/logger';
import { exportSegment } from '../src/segments/segment-export';
import { parseSegmentFilter } from '../src/segments/segment-filter';
import { SegmentService } from '../src/segments/segment.service';

const USAGE = `usage: npm run export:segment -- --filter '{"tiers":["GOLD"],"platforms":["TWITTER"]}' [--purpose MARKETING] --out members.ndjson`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { filter: { type: 'string' }, purpose: { type: 'string' }, out: { type: 'string' } } });
  if (!values.filter || !values.out) throw new Error(USAGE);
  const filter = parseSegmentFilter(values.filter);
  const purpose = (values.purpose ?? 'MARKETING').toUpperCase() as ConsentPurpose;
  if (!Object.values(ConsentPurpose).includes(purpose)) throw new Error(`--purpose must be one of ${Object.values(ConsentPurpose).join(', ')}`);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, logger, { applicationName: 'social-crm-export' });
  // With DATABASE_REPLICA_URLS the export reads a usable replica (the primary when none is).
  const source = db.replicas?.choose(undefined).pool ?? db.pool;
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: the file is incomplete, stopping the database\n');
    void db.close().finally(() => process.exit(130));
  });
  try {
    const total = await new SegmentService(source).count(filter, purpose);
    const out = createWriteStream(values.out);
    const bar = new SingleBar(
      { stream: process.stderr, format: 'exporting [{bar}] {percentage}% | {value}/{total} members | {rate} members/s | ETA {eta_formatted}', hideCursor: true },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { rate: 0 });
    const result = await exportSegment(source, out, {
      filter,
      purpose,
      onBatch: (done) => bar.update(Math.min(done, Math.max(total, done)), { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) }),
    }).finally(() => bar.stop());
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const seconds = (Date.now() - started) / 1000;
    console.log(`exported ${result.members} members to ${values.out} in ${seconds.toFixed(1)} s (${Math.round(result.members / Math.max(seconds, 0.001))} members/s)`);
    const from = result.readFrom;
    if (from) console.log(`read from the ${from.role} ${from.server}, snapshot at WAL ${from.lsn}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`export failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
