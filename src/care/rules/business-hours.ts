import type { BusinessHours, OpeningHours } from './care-rules';

// The SLA clock only runs while the desk is open: a post at 16:30 on a Friday with two
// business hours to go is due at 10:30 on Monday in a 9-5 week.

const MINUTE = 60_000;

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a time zone. */
function wallClock(instant: number, timeZone: string) {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { y: +parts.year, m: +parts.month, d: +parts.day, h: +parts.hour, mi: +parts.minute, s: +parts.second };
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(instant / 1000) * 1000;
}

/** The instant a local wall time happens (around DST changes: one of the nearest instants). */
function instantOf(date: LocalDate, minuteOfDay: number, timeZone: string): number {
  const naive = Date.UTC(date.y, date.m - 1, date.d) + minuteOfDay * MINUTE;
  const guess = naive - offsetAt(naive, timeZone);
  return naive - offsetAt(guess, timeZone);
}

/** "09:30" -> 570; "24:00" -> 1440. */
export function minuteOfDay(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return NaN;
  const [h, m] = [Number(match[1]), Number(match[2])];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return NaN;
  return h * 60 + m;
}

/** Problems with a weekly schedule, as messages; empty when it is usable. */
export function weeklyProblems(weekly: readonly OpeningHours[]): string[] {
  const problems: string[] = [];
  if (weekly.length === 0) problems.push('give at least one opening, or none at all for 24x7');
  for (const [i, h] of weekly.entries()) {
    if (!Number.isInteger(h.day) || h.day < 1 || h.day > 7) problems.push(`weekly[${i}].day must be 1 (Monday) .. 7 (Sunday)`);
    const [opens, closes] = [minuteOfDay(h.opens), minuteOfDay(h.closes)];
    if (Number.isNaN(opens) || opens >= 1440) problems.push(`weekly[${i}].opens must be HH:MM before 24:00`);
    if (Number.isNaN(closes)) problems.push(`weekly[${i}].closes must be HH:MM, at most 24:00`);
    if (!(closes > opens)) problems.push(`weekly[${i}] closes before it opens`);
  }
  return problems;
}

function nextDay(date: LocalDate): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function isoWeekday(date: LocalDate): number {
  return new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() || 7;
}

/**
 * The instant `minutes` of open time after `start`: across closing time, nights and
 * weekends, in the calendar's own time zone (DST included). 24x7 calendars add plainly.
 * Usage: `addBusinessMinutes(new Date('2026-01-09T21:30:00Z'), 120, { timeZone: 'America/New_York', weekly: nineToFive })`
 *   -> 2026-01-12T15:30:00Z (Friday 16:30 New York + 2 open hours = Monday 10:30 New York)
 */
export function addBusinessMinutes(start: Date, minutes: number, hours: Pick<BusinessHours, 'timeZone' | 'weekly'>): Date {
  if (hours.weekly === null) return new Date(start.getTime() + minutes * MINUTE);
  if (hours.weekly.length === 0) throw new Error('a business-hours calendar needs at least one opening');
  let remaining = minutes * MINUTE;
  let cursor = start.getTime();
  const w = wallClock(cursor, hours.timeZone);
  let date: LocalDate = { y: w.y, m: w.m, d: w.d };
  // Opening days repeat weekly, so at most a week of empty days passes between openings.
  for (let days = 0; days < 3700; days++) {
    const weekday = isoWeekday(date);
    const openings = hours.weekly
      .filter((h) => h.day === weekday)
      .map((h) => [minuteOfDay(h.opens), minuteOfDay(h.closes)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [opens, closes] of openings) {
      const from = Math.max(instantOf(date, opens, hours.timeZone), cursor);
      const until = instantOf(date, closes, hours.timeZone);
      if (from >= until) continue;
      if (remaining <= until - from) return new Date(from + remaining);
      remaining -= until - from;
      cursor = until;
    }
    date = nextDay(date);
  }
  throw new Error('business hours never open');
}
