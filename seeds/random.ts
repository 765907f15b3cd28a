import type { Weighted } from './vocabulary';

/**
 * A small seeded PRNG (mulberry32): faker is used for names, this for the millions of
 * cheap choices, because it is fast and makes a run repeatable from one number.
 * Usage: `const rng = new Random(42); rng.int(1, 6)`.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}

/**
 * Turns a [value, weight] table into a picker, precomputing the cumulative weights once.
 * Usage: `const tier = weighted(TIERS); tier(rng)`.
 */
export function weighted<T>(table: Weighted<T>): (rng: Random) => T {
  const values = table.map(([value]) => value);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, weight] of table) cumulative.push((total += weight));
  return (rng) => {
    const target = rng.next() * total;
    let i = 0;
    while (cumulative[i] <= target) i++;
    return values[i];
  };
}
