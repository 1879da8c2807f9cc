// Seeded random numbers for everything that must replay exactly (initialisation, shuffling, sampling):
// seedrandom's Alea generator, whose state can be saved in a checkpoint and restored.
import seedrandom from 'seedrandom';

export type RngState = object;

export class Rng {
  private readonly prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spare: number | null = null;

  constructor(seed: number | string, state?: RngState) {
    this.prng = seedrandom.alea(String(seed), { state: (state as seedrandom.State.Alea | undefined) ?? true });
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.prng.double();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills a float32 array with U(lo, hi). */
  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  normalArray(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  state(): RngState {
    return { prng: this.prng.state(), spare: this.spare };
  }

  static restore(seed: number | string, saved: RngState): Rng {
    const s = saved as { prng: RngState; spare: number | null };
    const rng = new Rng(seed, s.prng);
    rng.spare = s.spare;
    return rng;
  }
}

/** Mixes integers into a 32-bit seed (splitmix-style), e.g. (run seed, step, module index). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
