import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds used so far by the PostgreSQL server whose postmaster has this pid, and its
 * backends (Linux /proc; a backend that has exited is no longer counted, so keep pools open).
 * Usage: `const before = postgresCpuSeconds(pid); ...; postgresCpuSeconds(pid) - before`
 */
export function postgresCpuSeconds(postmaster: number): number {
  let total = 0;
  for (const ms of postgresCpuMsByPid(postmaster).values()) total += ms;
  return total / 1000;
}

/**
 * CPU milliseconds of each process of the PostgreSQL server whose postmaster has this pid, by pid.
 * Diff two snapshots with `postgresCpuMsBetween`: a backend that exits between them (a pool
 * closing an idle connection) would otherwise take its whole history out of a plain sum.
 */
export function postgresCpuMsByPid(postmaster: number): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) byPid.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // the process ended while we looked
    }
  }
  return byPid;
}

/** CPU ms used between two snapshots: processes alive at the end, less what they had used at the start (0 for new ones). */
export function postgresCpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
