// `npm run influence:recompute -- [--since 2026-11-24T00:00:00Z]`: runs the default scorer for
import 'reflect-metadata';
// every customer with new public posts or new identities since then (default: the last 24 hours).
// Meant for a periodic job; the API mutations recomputeInfluence / recordFollowerCounts do the same on demand.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { InfluenceService } from '../src/influence/influence.service';
import { createLogger } from '../src/logger';

const BATCH = 500;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { since: { type: 'string' } } });
  const since = values.since ? new Date(values.since) : new Date(Date.now() - 86_400_000);
  if (Number.isNaN(since.getTime())) throw new Error('--since must be an ISO time');
  const config = loadConfig(process.env);
  const db = await openDatabase(config, createLogger('warn'), { applicationName: 'social-crm-influence' });
  try {
    const service = new InfluenceService(db.dataSource);
    let after: string | null = null;
    let customers = 0;
    let written = 0;
    for (;;) {
      const ids = await service.changedSince(since, BATCH, after);
      if (ids.length === 0) break;
      written += (await service.recompute(ids)).length;
      customers += ids.length;
      after = ids[ids.length - 1];
    }
    process.stdout.write(`re-scored ${customers} customers changed since ${since.toISOString()}: ${written} new scores\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
