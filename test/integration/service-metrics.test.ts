import { startTestApp, type TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const METRICS = `query M($from: DateTime!, $to: DateTime!, $tz: String!) {
  serviceMetrics(from: $from, to: $to, timeZone: $tz) {
    days customersHelped customersThanked unanswered
    volumeBySource { channel count }
    topComplaints { topic count }
    topInquiries { topic count }
    responseTimeBySource { channel count medianSeconds p90Seconds }
    escalationsBySource { channel count }
    heatMap { channel count perDay level }
    arrivalPattern { dayOfWeek hour count }
  }
}`;

const HOUR = 3_600_000;

/**
 * A hand-computed data set in a private two-day window of early 2001 (a Monday and a
 * Tuesday, before any daylight saving change), chosen at random per run so other test files'
 * rows and earlier runs never fall inside it.
 */
async function buildDataSet(from: Date) {
  const at = (hours: number) => new Date(from.getTime() + hours * HOUR);
  const [a, b, c, d, e] = await Promise.all([1, 2, 3, 4, 5].map(() => createCustomer(app.pool)));
  // An erased customer: PII gone, the anonymous interaction rows still count.
  await app.pool.query(`UPDATE customers SET display_name = 'Erased customer', erased_at = now() WHERE id = $1`, [e.id]);
  const conversations = new Map<string, string>();
  for (const customer of [a, b, c, d, e]) {
    const { rows } = await app.pool.query(
      `INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
       VALUES ($1, 'TWITTER', 'TWITTER', ARRAY['TWITTER'], $2, $2) RETURNING id`,
      [customer.id, from],
    );
    conversations.set(customer.id, rows[0].id);
  }
  const insert = async (customerId: string, channel: string, category: string, hours: number,
    opts: { respondedAfterMin?: number; resolved?: boolean; topics?: string[]; direction?: string } = {}) => {
    const { rows } = await app.pool.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, topics, status,
                                 responded_at, resolved_at)
       VALUES ($1, $2, $3, $4, $5, 'm', $6, $7, $8, $9, $10) RETURNING id`,
      [customerId, conversations.get(customerId), channel, opts.direction ?? 'INBOUND', at(hours), category, opts.topics ?? [],
        opts.resolved ? 'RESOLVED' : opts.respondedAfterMin !== undefined ? 'RESPONDED' : 'OPEN',
        opts.respondedAfterMin === undefined ? null : new Date(at(hours).getTime() + opts.respondedAfterMin * 60_000),
        opts.resolved ? at(hours + 1) : null],
    );
    return rows[0].id as string;
  };
  const escalate = (interactionId: string, customerId: string, hours: number) =>
    app.pool.query(
      `INSERT INTO escalations (customer_id, interaction_id, team, reason, created_at, created_by) VALUES ($1, $2, 'SUPERVISOR', 'test', $3, 'test')`,
      [customerId, interactionId, at(hours)],
    );

  await insert(a.id, 'TWITTER', 'COMPLAINT', 1, { respondedAfterMin: 30, topics: ['brakes'] });
  const i2 = await insert(b.id, 'TWITTER', 'COMPLAINT', 2, { respondedAfterMin: 90, topics: ['brakes', 'price'] });
  await insert(c.id, 'TWITTER', 'QUESTION', 3, { topics: ['warranty'] });
  await insert(a.id, 'FACEBOOK', 'COMPLIMENT', 25, { respondedAfterMin: 10 });
  await insert(d.id, 'FACEBOOK', 'COMPLIMENT', 26);
  const i6 = await insert(d.id, 'EMAIL', 'QUESTION', 30, { resolved: true, topics: ['warranty', 'billing'] });
  await insert(c.id, 'TWITTER', 'PROACTIVE', 4, { topics: ['mileage'] });
  await insert(a.id, 'TWITTER', 'OTHER', 1.5, { direction: 'OUTBOUND' });
  const outside = await insert(b.id, 'TWITTER', 'COMPLAINT', -1, { respondedAfterMin: 5, topics: ['outside'] });
  await insert(e.id, 'TWITTER', 'COMPLAINT', 5, { respondedAfterMin: 120, topics: ['brakes'] });
  await insert(b.id, 'FORUM', 'QUESTION', 47, { respondedAfterMin: 240, topics: ['price'] });
  await escalate(i2, b.id, 2.5);
  await escalate(i6, d.id, 31);
  await escalate(outside, b.id, -0.5);
  // Volume for the heat map: 100 chat and 40 SMS sales leads, all answered within minutes.
  for (const [channel, n, hour, minutes] of [['CHAT', 100, 10, 1], ['SMS', 40, 11, 2]] as const) {
    await app.pool.query(
      `INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, category, status, responded_at)
       SELECT $1, $2, $3, 'INBOUND', $4, 'lead', 'SALES_LEAD', 'RESPONDED', $5 FROM generate_series(1, $6)`,
      [c.id, conversations.get(c.id), channel, at(hour), new Date(at(hour).getTime() + minutes * 60_000), n],
    );
  }
}

describe('service metrics', () => {
  const week = 1 + Math.floor(Math.random() * 9);
  const from = new Date(Date.UTC(2001, 0, 1 + 7 * week)); // 2001-01-01 was a Monday
  const to = new Date(from.getTime() + 48 * HOUR);
  let metrics: any;

  beforeAll(async () => {
    await buildDataSet(from);
    const res = await app.gql(METRICS, { from: from.toISOString(), to: to.toISOString(), tz: 'UTC' }, ['supervisor']);
    expect(res.errors).toBeUndefined();
    metrics = res.data!.serviceMetrics;
  });

  it('counts customers helped (complaint or question answered or resolved), erased customers included', () => {
    expect(metrics.days).toBe(2);
    expect(metrics.customersHelped).toBe(4);
  });

  it('counts customers thanked for compliments', () => {
    expect(metrics.customersThanked).toBe(1);
  });

  it('counts service issues by source', () => {
    expect(metrics.volumeBySource).toEqual([
      { channel: 'TWITTER', count: 4 }, { channel: 'EMAIL', count: 1 }, { channel: 'FORUM', count: 1 },
    ]);
  });

  it('ranks complaint and inquiry topics', () => {
    expect(metrics.topComplaints).toEqual([{ topic: 'brakes', count: 3 }, { topic: 'price', count: 1 }]);
    expect(metrics.topInquiries).toEqual([{ topic: 'warranty', count: 2 }, { topic: 'billing', count: 1 }, { topic: 'price', count: 1 }]);
  });

  it('gives the median and p90 response time by source', () => {
    expect(metrics.responseTimeBySource).toEqual([
      { channel: 'CHAT', count: 100, medianSeconds: 60, p90Seconds: 60 },
      { channel: 'FACEBOOK', count: 1, medianSeconds: 600, p90Seconds: 600 },
      { channel: 'FORUM', count: 1, medianSeconds: 14400, p90Seconds: 14400 },
      { channel: 'SMS', count: 40, medianSeconds: 120, p90Seconds: 120 },
      // 1800, 5400, 7200: p90 interpolates 80% of the way from 5400 to 7200
      { channel: 'TWITTER', count: 3, medianSeconds: 5400, p90Seconds: 6840 },
    ]);
  });

  it('counts escalations raised in the range by source', () => {
    expect(metrics.escalationsBySource).toEqual([{ channel: 'EMAIL', count: 1 }, { channel: 'TWITTER', count: 1 }]);
  });

  it('grades the heat of each channel from actionable items per day', () => {
    expect(metrics.heatMap).toEqual([
      { channel: 'CHAT', count: 100, perDay: 50, level: 'HOT' },
      { channel: 'SMS', count: 40, perDay: 20, level: 'MEDIUM' },
      { channel: 'TWITTER', count: 4, perDay: 2, level: 'MILD' },
      { channel: 'FACEBOOK', count: 2, perDay: 1, level: 'MILD' },
      { channel: 'EMAIL', count: 1, perDay: 0.5, level: null },
      { channel: 'FORUM', count: 1, perDay: 0.5, level: null },
    ]);
  });

  it('gives the arrival pattern by day of week and hour', () => {
    expect(metrics.arrivalPattern).toEqual([
      { dayOfWeek: 1, hour: 1, count: 1 }, { dayOfWeek: 1, hour: 2, count: 1 }, { dayOfWeek: 1, hour: 3, count: 1 },
      { dayOfWeek: 1, hour: 4, count: 1 }, { dayOfWeek: 1, hour: 5, count: 1 }, { dayOfWeek: 1, hour: 10, count: 100 },
      { dayOfWeek: 1, hour: 11, count: 40 }, { dayOfWeek: 2, hour: 1, count: 1 }, { dayOfWeek: 2, hour: 2, count: 1 },
      { dayOfWeek: 2, hour: 6, count: 1 }, { dayOfWeek: 2, hour: 23, count: 1 },
    ]);
  });

  it('reads the arrival pattern in the requested time zone', async () => {
    const res = await app.gql(METRICS, { from: from.toISOString(), to: to.toISOString(), tz: 'America/New_York' }, ['marketing']);
    const pattern = res.data!.serviceMetrics.arrivalPattern;
    expect(pattern).toContainEqual({ dayOfWeek: 7, hour: 20, count: 1 }); // Monday 01:00 UTC is Sunday 20:00 EST
    expect(pattern).toContainEqual({ dayOfWeek: 1, hour: 5, count: 100 });
  });

  it('counts unanswered actionable items', () => {
    expect(metrics.unanswered).toBe(2);
  });

  it('rejects an unknown time zone and a reversed range, naming the field, and agents', async () => {
    const tz = await app.gql(METRICS, { from: from.toISOString(), to: to.toISOString(), tz: 'Mars/Olympus' }, ['supervisor']);
    expect(tz.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    const reversed = await app.gql(METRICS, { from: to.toISOString(), to: from.toISOString(), tz: 'UTC' }, ['supervisor']);
    expect(reversed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const agent = await app.gql(METRICS, { from: from.toISOString(), to: to.toISOString(), tz: 'UTC' }, ['agent']);
    expect(agent.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
