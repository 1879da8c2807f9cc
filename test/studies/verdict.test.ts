// Study verdicts are computed from stored runs: synthetic sweeps with a known answer give that answer, and the
// outcome flips when the stored numbers flip. Noise: a stated tolerance with one seed, the pooled seed SD with two.
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepCell } from '../../src-shared/domain/sweep-spec';
import { studyVerdict } from '../../src-main/studies/verdict';
import { storedStudy, testEnv } from './synthetic-store';

afterAll(() => fs.rmSync(testEnv().generatedDir, { recursive: true, force: true }));

const isAll = (c: SweepCell) => 'preset' in c.targets && c.targets.preset === 'all-linear';

async function verdictOf(preset: string, variant: 'quick' | 'full', numbers: Parameters<typeof storedStudy>[2]) {
  const { store, sweepId } = await storedStudy(preset, variant, numbers);
  try {
    return studyVerdict(store, sweepId)!;
  } finally {
    store.close();
  }
}

const outcomes = (v: { claims: { outcome: string }[] }) => v.claims.map((c) => c.outcome);

describe('which r and which modules (Databricks)', () => {
  // val loss = 2 − gainT·[all linear] − gainR·[r 16] + bitsCost·[4-bit] (+ seed offset)
  const loss = (gainT: number, gainR: number, bitsCost: number, seedOffset: Record<number, number> = {}) => (c: SweepCell) => ({
    valLoss: 2 - (isAll(c) ? gainT : 0) - (c.r === 16 ? gainR : 0) + (c.bits === 4 ? bitsCost : 0) + (seedOffset[c.seed] ?? 0),
    trainLoss: 1.5,
  });

  it('agrees when all-linear gains more than r and 4-bit costs nothing; flips when the data flips', async () => {
    const agree = await verdictOf('which-r-modules', 'quick', loss(0.1, 0.02, 0.005));
    expect(agree.noise.kind).toBe('tolerance');
    expect(outcomes(agree)).toEqual(['agrees', 'agrees']);
    // (all − qv) − (r16 − r8) = 0.10 − 0.02 = 0.08 nats in favour of all linear
    expect(agree.claims[0].measured).toContain('+0.0800 val loss');
    const flipped = await verdictOf('which-r-modules', 'quick', loss(0.01, 0.1, 0.1));
    expect(outcomes(flipped)).toEqual(['disagrees', 'disagrees']);
    const close = await verdictOf('which-r-modules', 'quick', loss(0.03, 0.02, 0));
    expect(outcomes(close)).toEqual(['within seed noise', 'agrees']);
    expect(agree.rows).toHaveLength(8);
    expect(agree.line).toMatch(/^Which r and which modules\?: agrees — all linear layers help more than doubling r/);
  });

  it('uses the spread across seeds when there are two: ±0.01 per seed gives SD 0.01414 and a band of 0.02 on the contrast', async () => {
    // 16 runs; the contrast (all − qv) − (r16 − r8) weighs 8 runs by ±1/4: Σc² = 0.5, band = 2·0.014142·√0.5 = 0.02.
    const seeds = { 42: 0.01, 7: -0.01 };
    const inside = await verdictOf('which-r-modules', 'full', loss(0.035, 0.02, 0, seeds));
    expect(inside.noise.kind).toBe('seeds');
    expect(inside.noise.values['val loss']).toBeCloseTo(Math.SQRT2 / 100, 6);
    expect(inside.claims[0].outcome).toBe('within seed noise');
    expect(inside.claims[0].measured).toContain('±0.0200');
    const outside = await verdictOf('which-r-modules', 'full', loss(0.045, 0.02, 0, seeds));
    expect(outside.claims[0].outcome).toBe('agrees');
    expect(outside.rows.every((r) => r.runs === 2)).toBe(true);
  });

  it('judges only finished runs and says so when a side has none', async () => {
    const v = await verdictOf('which-r-modules', 'quick', (c) => ({ ...loss(0.1, 0.02, 0)(c), status: c.bits === 4 ? 'failed' : 'finished' }));
    expect(v.finishedRuns).toBe(4);
    expect(v.totalRuns).toBe(8);
    expect(v.claims[1].outcome).toBe('not enough runs');
  });
});

describe('high rank for memorisation (MoRA)', () => {
  // two seeds: seed 42 a little above, seed 7 a little below, so the band comes from their spread
  const off = (c: SweepCell) => (c.seed === 42 ? 0.02 : -0.02);
  const curve = (final: number): [number, number][] => [[10, final / 4], [50, final / 2], [100, final]];
  it('agrees when MoRA reaches a higher character accuracy sooner, disagrees when LoRA does', async () => {
    const mora = (c: SweepCell) => ({
      charAccuracy: curve((c.method === 'mora' ? 0.8 : 0.5) + off(c)), trainLoss: (c.method === 'mora' ? 0.4 : 0.9) + off(c),
      trainableParams: c.method === 'mora' ? 16200 : 16384,
    });
    const v = await verdictOf('mora-memorisation', 'quick', mora);
    expect(v.noise.kind).toBe('seeds');
    // per configuration the two finals differ by 0.04: SD = 0.04/√2; MoRA mean − LoRA mean weighs 4 runs by ±1/2: band 2·SD
    expect(v.noise.values['char accuracy (final)']).toBeCloseTo(0.04 / Math.SQRT2, 9);
    expect(v.claims[0].measured).toContain(`±${(0.08 / Math.SQRT2).toFixed(3)}`);
    expect(outcomes(v)).toEqual(['agrees', 'agrees', 'agrees']);
    // final 0.8 − 0.5; mean over evals (0.2 + 0.4 + 0.8)/3 − (0.125 + 0.25 + 0.5)/3 = 0.175
    expect(v.claims[0].measured).toContain('+0.300');
    expect(v.claims[0].measured).toContain('LoRA r=8 16,384 vs MoRA r=8 16,200');
    expect(v.claims[1].measured).toContain('+0.175');
    const lora = (c: SweepCell) => ({ charAccuracy: curve((c.method === 'mora' ? 0.5 : 0.8) + off(c)), trainLoss: (c.method === 'mora' ? 0.9 : 0.4) + off(c) });
    expect(outcomes(await verdictOf('mora-memorisation', 'quick', lora))).toEqual(['disagrees', 'disagrees', 'disagrees']);
    const tie = (c: SweepCell) => ({ charAccuracy: curve((c.method === 'mora' ? 0.51 : 0.5) + off(c)), trainLoss: 0.5 + off(c) });
    expect(outcomes(await verdictOf('mora-memorisation', 'quick', tie))).toEqual(['within seed noise', 'within seed noise', 'within seed noise']);
  });
});

describe('rank saturation (LoRA paper)', () => {
  const byR = (table: Record<number, number>) => (c: SweepCell) => ({ valLoss: table[c.r], trainLoss: 1 });
  it('agrees when r > 8 gains nothing beyond noise, disagrees when r = 64 is clearly better', async () => {
    const flat = await verdictOf('rank-saturation', 'quick', byR({ 1: 2.5, 2: 2.3, 4: 2.2, 8: 2.1, 16: 2.11, 64: 2.095 }));
    expect(outcomes(flat)).toEqual(['agrees']);
    expect(flat.claims[0].measured).toContain('best r=64 against best small r=8');
    const rising = await verdictOf('rank-saturation', 'quick', byR({ 1: 2.5, 2: 2.3, 4: 2.2, 8: 2.1, 16: 2.0, 64: 1.9 }));
    expect(outcomes(rising)).toEqual(['disagrees']);
    expect(rising.rows.map((r) => r.r)).toEqual([1, 2, 4, 8, 16, 64]);
  });
});

describe('soft prompts vs weights (survey)', () => {
  const by = (table: Record<string, number>) => (c: SweepCell) => ({ valLoss: table[c.method], trainLoss: 1 });
  it('agrees when LoRA and IA3 beat prompt and prefix tuning, and flips', async () => {
    const v = await verdictOf('soft-prompts', 'quick', by({ prompt: 3.0, prefix: 2.9, ia3: 2.3, lora: 2.2 }));
    expect(outcomes(v)).toEqual(['agrees']);
    expect(v.claims[0].measured).toContain('+0.7000 val loss');
    expect(v.rows.map((r) => r.method)).toEqual(['prompt', 'prefix', 'ia3', 'lora']);
    expect(outcomes(await verdictOf('soft-prompts', 'quick', by({ prompt: 2.2, prefix: 2.3, ia3: 2.9, lora: 3.0 })))).toEqual(['disagrees']);
  });
});
