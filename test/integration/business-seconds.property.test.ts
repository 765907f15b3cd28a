import fc from 'fast-check';
import { Client } from 'pg';
import { addBusinessMinutes } from '../../src/care/rules/business-hours';
import type { OpeningHours } from '../../src/care/rules/care-rules';

/**
 * Business time is written twice: addBusinessMinutes in TypeScript (due times) and
 * care_business_seconds in SQL (the response times of slaReport and agentMetrics). Read one
 * against the other: the open seconds between a start and the due time TypeScript gives for
 * m minutes are m * 60, over generated calendars, zones and starts, on the real database.
 */
let db: Client;
beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(() => db.end());

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** One opening per day on some days (openings never overlap); times from 06:00 (clear of DST changes at night) to 24:00. */
const weekly: fc.Arbitrary<OpeningHours[] | null> = fc.option(
  fc.uniqueArray(
    fc.record({ day: fc.integer({ min: 1, max: 7 }), opens: fc.integer({ min: 6 * 4, max: 22 * 4 }), length: fc.integer({ min: 1, max: 18 * 4 }) }),
    { minLength: 1, maxLength: 7, selector: (o) => o.day },
  ).map((days) => days.map((d) => ({ day: d.day, opens: hhmm(d.opens * 15), closes: hhmm(Math.min(24 * 60, d.opens * 15 + d.length * 15)) }))),
  { freq: 6 },
);

const sample = fc.record({
  start: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }).map((ms) => new Date(Math.floor(ms / 1000) * 1000)),
  minutes: fc.integer({ min: 1, max: 5_000 }),
  timeZone: fc.constantFrom(...ZONES),
  weekly,
});

describe('business time: TypeScript and SQL agree', () => {
  it('care_business_seconds(start, addBusinessMinutes(start, m)) = m minutes, across nights, weekends and DST', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sample, { minLength: 1, maxLength: 50 }), async (generated) => {
        // care_business_seconds reads at most 400 days (a calendar open 15 minutes a week can need years).
        const samples = generated.filter((s) => addBusinessMinutes(s.start, s.minutes, s).getTime() - s.start.getTime() < 390 * 86_400_000);
        const due = samples.map((s) => addBusinessMinutes(s.start, s.minutes, s));
        const { rows } = await db.query<{ seconds: number }>(
          `SELECT care_business_seconds(s, d, z, w) AS seconds
             FROM unnest($1::timestamptz[], $2::timestamptz[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS x(s, d, z, w, n) ORDER BY n`,
          [samples.map((s) => s.start), due, samples.map((s) => s.timeZone), samples.map((s) => (s.weekly ? JSON.stringify(s.weekly) : null))],
        );
        rows.forEach((r, k) => expect([k, Math.round(r.seconds)]).toEqual([k, samples[k].minutes * 60]));
      }),
      { numRuns: 40 },
    );
  });
});
