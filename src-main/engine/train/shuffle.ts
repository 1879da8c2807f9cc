// Seeded permutations (Fisher–Yates over seedrandom's ARC4 generator): the same key always gives the same order on
// every platform, which is what makes a resumed run see the same batches as an uninterrupted one.
import seedrandom from 'seedrandom';

/** A permutation of 0..n-1 determined by `key`. */
export function seededPermutation(n: number, key: string): number[] {
  const rng = seedrandom(key);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The key of the example order of one epoch. */
export const epochKey = (seed: number, epoch: number): string => `peft-lab/epoch/${seed}/${epoch}`;

/** The key of the train/validation split. */
export const splitKey = (seed: number): string => `peft-lab/split/${seed}`;
