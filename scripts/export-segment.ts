// `npm run export:segment -- --filter '<json>' [--purpose MARKETING] --out members.ndjson (--token <JWT> | --as <admin name>)`
import { createWriteStream, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import type { Viewer } from '../src/auth/jwt';
import { verifierFor } from '../src/auth/keys';
import { effectiveRoles } from '../src/auth/roles';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { ConsentPurpose } from '../src/graphql/enums';
import { createLogger } from '../src/logger';
import { exportSegmentFor } from '../src/segments/segment-export';
import { parseSegmentFilter } from '../src/segments/segment-filter';

const USAGE = `usage: npm run export:segment -- --filter '{"tiers":["GOLD"],"platforms":["TWITTER"]}' [--purpose MARKETING] --out members.ndjson (--token <JWT> | --as <your name>)
  --token: export as the token's subject and roles (checked like the HTTP export)
  --as:    export as the named admin (whoever holds the database credentials is one); audited under "cli:<name>"`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { filter: { type: 'string' }, purpose: { type: 'string' }, out: { type: 'string' }, token: { type: 'string' }, as: { type: 'string' } },
  });
  if (!values.filter || !values.out || (values.token === undefined) === (values.as === undefined)) throw new Error(USAGE);
  const filter = parseSegmentFilter(values.filter);
  const purpose = (values.purpose ?? 'MARKETING').toUpperCase() as ConsentPurpose;
  if (!Object.values(ConsentPurpose).includes(purpose)) throw new Error(`--purpose must be one of ${Object.values(ConsentPurpose).join(', ')}`);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  // The same rule as the HTTP export: a role, a purpose that role may use, an audit entry.
  const viewer: Viewer = values.token !== undefined
    ? await verifierFor(config, logger)(values.token)
    : { sub: `cli:${checkName(values.as!)}`, roles: effectiveRoles(['admin']) };
  const db = await openDatabase(config, logger, { applicationName: 'social-crm-export' });
  // With DATABASE_REPLICA_URLS the export reads a usable replica (the primary when none is).
  const source = db.replicas?.choose(undefined).pool ?? db.pool;
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: the file is incomplete, stopping the database\n');
    void db.close().finally(() => process.exit(130));
  });
  try {
    const out = createWriteStream(values.out);
    const bar = new SingleBar(
      { stream: process.stderr, format: 'exporting [{bar}] {percentage}% | {value}/{total} members | {rate} members/s | ETA {eta_formatted}', hideCursor: true },
      Presets.shades_classic,
    );
    const started = Date.now();
    let total: number | null = null;
    const result = await exportSegmentFor(source, out, {
      viewer,
      via: 'cli',
      audit: db.pool,
      filter,
      purpose,
      onStart: (n) => {
        total = n;
        bar.start(total, 0, { rate: 0 });
      },
      onBatch: (done) => bar.update(Math.min(done, Math.max(total ?? 0, done)), { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) }),
    }).catch(async (error: unknown) => {
      // Refused (role, purpose) or failed before the first member: leave no empty file behind
      // (once the stream is closed: it opens the file asynchronously).
      if (total === null) {
        await new Promise<void>((resolve) => out.destroy().once('close', () => resolve()));
        rmSync(values.out!, { force: true });
      }
      throw error;
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

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._@-]{1,100}$/.test(name)) throw new Error('--as must be 1-100 letters, digits or ._@-');
  return name;
}

main().catch((error: unknown) => {
  console.error(`export failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
