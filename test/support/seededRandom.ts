/**
 * Seeded randomness for drills: each drill prints its seed, and `VEIL_DRILL_SEED=<seed>` replays the same
 * choices (timing still varies between runs: processes race for real).
 */
export interface Random {
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** A whole number in [0, n). */
  below(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast and good enough to spread test choices. */
export function seededRandom(seed = seedFromEnv()): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number) => Math.floor(next() * n);
  return { seed, next, below, pick: (items) => items[below(items.length)], chance: (p) => next() < p };
}

function seedFromEnv(): number {
  const given = Number(process.env.VEIL_DRILL_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}
