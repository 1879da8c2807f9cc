// Next-token choice as Hugging Face's logits warpers define it, with hand-computed distributions.
import { describe, expect, it } from 'vitest';
import { argmax, sampleToken, samplingDistribution } from '../../../src-main/engine/generate/sampling';
import { Rng } from '../../../src-main/engine/rng';

const opts = (o: Partial<Parameters<typeof samplingDistribution>[1]>) => ({ greedy: false, temperature: 1, topK: 0, topP: 1, ...o });

describe('sampling', () => {
  it('greedy is argmax, lowest id on ties', () => {
    expect(argmax(Float32Array.from([0.5, 2, 2, -1]))).toBe(1);
    expect(sampleToken(Float32Array.from([0, 3, 1]), opts({ greedy: true }), new Rng(1))).toBe(1);
    expect(sampleToken(Float32Array.from([0, 3, 1]), opts({ temperature: 0 }), new Rng(1))).toBe(1);
  });

  it('temperature divides the logits before the softmax', () => {
    // logits [0, ln 3] at T = 1: p = [1/4, 3/4]; at T = 2: exp(ln3/2) = √3 → p = [1/(1+√3), √3/(1+√3)].
    const l = Float32Array.from([0, Math.log(3)]);
    const p1 = samplingDistribution(l, opts({}));
    expect(p1[0]).toBeCloseTo(0.25, 6);
    const p2 = samplingDistribution(l, opts({ temperature: 2 }));
    expect(p2[1]).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 6);
  });

  it('top-k keeps the k largest (ties with the k-th survive) and renormalises', () => {
    // logits ln[1, 2, 3, 4] → top-2 keeps ids 2, 3 with p = 3/7, 4/7.
    const l = Float32Array.from([1, 2, 3, 4].map(Math.log));
    const p = samplingDistribution(l, opts({ topK: 2 }));
    expect([...p].map((x) => +x.toFixed(6))).toEqual([0, 0, +(3 / 7).toFixed(6), +(4 / 7).toFixed(6)]);
    const tie = samplingDistribution(Float32Array.from([1, 2, 2, 0]), opts({ topK: 2 }));
    expect(tie[0]).toBe(0);
    expect(tie[3]).toBe(0);
    expect(tie[1]).toBeCloseTo(tie[2], 12);
  });

  it('top-p drops the low tail whose cumulative probability is ≤ 1 − p (HF semantics)', () => {
    // p = [0.1, 0.2, 0.3, 0.4] ascending; cumulative 0.1, 0.3, 0.6, 1.0. top_p = 0.75: drop where cum ≤ 0.25 → id 0 only;
    // top_p = 0.65: drop cum ≤ 0.35 → ids 0, 1; the rest renormalised: [0, 0, 3/7, 4/7].
    const l = Float32Array.from([0.1, 0.2, 0.3, 0.4].map(Math.log));
    const a = samplingDistribution(l, opts({ topP: 0.75 }));
    expect(a[0]).toBe(0);
    expect(a[1]).toBeCloseTo(0.2 / 0.9, 6);
    const b = samplingDistribution(l, opts({ topP: 0.65 }));
    expect([...b].map((x) => +x.toFixed(6))).toEqual([0, 0, +(3 / 7).toFixed(6), +(4 / 7).toFixed(6)]);
    const keepOne = samplingDistribution(l, opts({ topP: 0.01 }));
    expect(keepOne[3]).toBe(1);
  });

  it('samples in proportion to the distribution and replays with the same seed', () => {
    const l = Float32Array.from([Math.log(1), Math.log(3)]);
    const rng = new Rng(123);
    let ones = 0;
    const draws = Array.from({ length: 4000 }, () => sampleToken(l, opts({}), rng));
    for (const d of draws) ones += d;
    expect(ones / 4000).toBeGreaterThan(0.72);
    expect(ones / 4000).toBeLessThan(0.78);
    const again = new Rng(123);
    expect(Array.from({ length: 50 }, () => sampleToken(l, opts({}), again))).toEqual(draws.slice(0, 50));
  });
});
