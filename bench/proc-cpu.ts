import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds used so far by the PostgreSQL server whose postmaster has this pid, and its
 * backends (Linux /proc; a backend that has exited is no longer counted, so keep pools open).
 * Usage: `const before = postgresCpuSeconds(pid); ...; postgresCpuSeconds(pid) - before`
 */
export function postgresCpuSeconds(postmaster: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [ppid, utime, stime] = [Number(fields[1]), Number(fields[11]), Number(fields[12])];
      if (Number(entry) === postmaster || ppid === postmaster) total += (utime + stime) / ticks;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}
