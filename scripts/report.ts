// `npm run report -- --from 2026-11-01 --to 2026-11-08 [--tz Europe/Berlin] [--html report.html]`
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { careLeaderAsText, metricsAsHtml, metricsAsText } from '../src/analytics/service-metrics.report';
import { CareReportService } from '../src/analytics/care-report.service';
import { SlaGrouping } from '../src/analytics/care-report.types';
import { ServiceMetricsService } from '../src/analytics/service-metrics.service';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { DomainError } from '../src/graphql/errors';
import { createLogger } from '../src/logger';

const USAGE = 'usage: npm run report -- --from <ISO time> --to <ISO time> [--tz <IANA zone, default REPORT_TIME_ZONE or UTC>] [--html <file>]';

function time(raw: string | undefined, name: string): Date {
  const value = raw === undefined ? NaN : Date.parse(raw);
  if (Number.isNaN(value)) throw new Error(`--${name} must be a date or time such as 2026-11-01 or 2026-11-01T08:00:00Z\n${USAGE}`);
  return new Date(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, tz: { type: 'string' }, html: { type: 'string' } } });
  const from = time(values.from, 'from');
  const to = time(values.to, 'to');
  const config = loadConfig(process.env);
  const db = await openDatabase(config, createLogger('warn'), { applicationName: 'social-crm-report' });
  try {
    const metrics = await new ServiceMetricsService(db.pool).metrics(from, to, values.tz ?? process.env.REPORT_TIME_ZONE ?? 'UTC');
    process.stdout.write(metricsAsText(metrics) + '\n');
    const care = new CareReportService(db.pool);
    process.stdout.write(careLeaderAsText(await care.slaReport(from, to, SlaGrouping.CHANNEL), await care.agentMetrics(from, to)) + '\n');
    if (values.html) {
      writeFileSync(values.html, metricsAsHtml(metrics));
      process.stdout.write(`wrote ${values.html}\n`);
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof DomainError ? `${error.details.field}: ${error.message}` : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
