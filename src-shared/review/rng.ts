// A small seeded generator for the review's choices (which pair to show, which side, bootstrap resamples), so a
// reload shows the same pair and confidence intervals replay: mulberry32 over a 32-bit FNV-1a hash of a text key.

export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform numbers in [0, 1) from a seed (mulberry32). */
export function seededRandom(seed: number | string): () => number {
  let a = typeof seed === 'string' ? hashKey(seed) : seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
