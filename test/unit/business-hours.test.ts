import { addBusinessMinutes, weeklyProblems } from '../../src/care/rules/business-hours';
import type { OpeningHours } from '../../src/care/rules/care-rules';

const nineToFive: OpeningHours[] = [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' }));
const newYork = { timeZone: 'America/New_York', weekly: nineToFive };
const due = (iso: string, minutes: number, hours: { timeZone: string; weekly: OpeningHours[] | null } = newYork) => addBusinessMinutes(new Date(iso), minutes, hours).toISOString();

describe('SLA due time in business hours', () => {
  it('adds plainly on a 24x7 calendar', () => {
    expect(due('2026-01-10T03:00:00.000Z', 60, { timeZone: 'UTC', weekly: null })).toBe('2026-01-10T04:00:00.000Z');
  });

  it('adds within one open day', () => {
    // Tuesday 10:00 New York (EST, UTC-5) + 1 h
    expect(due('2026-01-13T15:00:00.000Z', 60)).toBe('2026-01-13T16:00:00.000Z');
  });

  it('starts the clock at opening time for a post that arrives before opening', () => {
    // Monday 07:00 local -> clock starts 09:00 -> due 10:00 local
    expect(due('2026-01-12T12:00:00.000Z', 60)).toBe('2026-01-12T15:00:00.000Z');
  });

  it('carries the rest across the weekend from Friday afternoon to Monday', () => {
    // Friday 16:30 local + 2 h: 30 min on Friday, 90 min on Monday -> Monday 10:30 local
    expect(due('2026-01-09T21:30:00.000Z', 120)).toBe('2026-01-12T15:30:00.000Z');
  });

  it('waits for Monday for a post that arrives on Saturday', () => {
    // Saturday noon local + 1 h -> Monday 10:00 local
    expect(due('2026-01-10T17:00:00.000Z', 60)).toBe('2026-01-12T15:00:00.000Z');
  });

  it('counts a 24 h target as three 8-hour business days', () => {
    // Monday 09:00 local + 24 business hours -> Wednesday 17:00 local
    expect(due('2026-01-12T14:00:00.000Z', 24 * 60)).toBe('2026-01-14T22:00:00.000Z');
  });

  it('follows the local clock across the start of daylight saving time', () => {
    // Friday 6 March 2026 16:00 EST (UTC-5) + 2 h -> Monday 9 March 10:00 EDT (UTC-4)
    expect(due('2026-03-06T21:00:00.000Z', 120)).toBe('2026-03-09T14:00:00.000Z');
  });

  it('skips a lunch break between two openings of the same day', () => {
    const split = { timeZone: 'UTC', weekly: [{ day: 1, opens: '09:00', closes: '12:00' }, { day: 1, opens: '13:00', closes: '17:00' }] };
    expect(due('2026-01-12T11:30:00.000Z', 60, split)).toBe('2026-01-12T13:30:00.000Z');
  });

  it('rejects schedules that close before they open or name no weekday', () => {
    expect(weeklyProblems([{ day: 8, opens: '09:00', closes: '17:00' }])).toHaveLength(1);
    expect(weeklyProblems([{ day: 1, opens: '17:00', closes: '09:00' }])).toHaveLength(1);
    expect(weeklyProblems([{ day: 1, opens: '9am', closes: '17:00' }]).length).toBeGreaterThan(0);
    expect(weeklyProblems(nineToFive)).toEqual([]);
  });
});
