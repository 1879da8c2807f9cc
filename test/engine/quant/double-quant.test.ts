// Double quantisation (peft-spec §2.4): the signed 8-bit dynamic map from its construction rule, and the
// reconstruction error of the absmax vector against a bound derived here from the map's gaps.
import { describe, expect, it } from 'vitest';
import { dequantize4bit, doubleQuantize, quantize4bit, resolveAbsmax } from '../../../src-main/engine/quant/blockwise';
import { NF4 } from '../../../src-main/engine/quant/codebooks';
import { nearestIndex, signedDynamicMap } from '../../../src-main/engine/quant/dynamic-map';
import { Rng } from '../../../src-main/engine/rng';

const f = Math.fround;

describe('the signed dynamic map (create_dynamic_map(signed=True, 7, 8))', () => {
  const map = Array.from(signedDynamicMap());

  it('has 256 ascending values: 127 positive and 127 negative midpoints, 0 and +1.0', () => {
    expect(map).toHaveLength(256);
    expect(map.every((v, i) => i === 0 || map[i - 1] < v)).toBe(true);
    expect(map.filter((v) => v > 0)).toHaveLength(128); // 127 midpoints + 1.0
    expect(map.filter((v) => v < 0)).toHaveLength(127);
    expect(map.filter((v) => v === 0)).toHaveLength(1);
    expect(map[255]).toBe(1);
    expect(map.includes(-1)).toBe(false);
    // Every midpoint appears with both signs.
    for (const v of map) if (v > 0 && v < 1) expect(map.includes(-v)).toBe(true);
  });

  it('decade i = 0…6 holds 2^i midpoints of linspace(0.1, 1, 2^i + 1), scaled by 10^(i−6)', () => {
    for (let i = 0; i < 7; i++) {
      const lo = 0.1 * 10 ** (i - 6);
      const hi = 10 ** (i - 6);
      const inDecade = map.filter((v) => v > lo * 0.999 && v < hi);
      expect(inDecade).toHaveLength(2 ** i);
      // By hand: the k-th midpoint is 0.1 + 0.9·(k + ½)/2^i, times the decade's scale.
      // (float32 linspace and scaling: within a few float32 ulps, 2^-21 relative)
      inDecade.forEach((v, k) => {
        const exact = (0.1 + (0.9 * (k + 0.5)) / 2 ** i) * hi;
        expect(Math.abs(v - exact)).toBeLessThanOrEqual(exact * 2 ** -21);
      });
    }
  });

  it('spans −0.99296875 … +1.0, smallest magnitude 5.5e−7', () => {
    // Lowest: −(1 − 0.9/128) = −0.99296875, the top midpoint of the 65-point linspace; 1e−6·(0.1 + 1)/2 = 5.5e−7.
    expect(map[0]).toBeCloseTo(-0.99296875, 7);
    expect(map[254]).toBeCloseTo(0.99296875, 7);
    const smallest = Math.min(...map.filter((v) => v !== 0).map(Math.abs));
    expect(smallest).toBeCloseTo(5.5e-7, 13);
    expect(smallest).toBe(f(f(1e-6) * f(f(f(0.1) + 1) / 2)));
  });

  it('nearest value, with a tie going to the lower index', () => {
    const m = Float32Array.of(-1, 0, 0.5, 1);
    expect(nearestIndex(m, 0.25)).toBe(1); // exactly between 0 and 0.5
    expect(nearestIndex(m, 0.2500001)).toBe(2);
    expect(nearestIndex(m, -5)).toBe(0);
    expect(nearestIndex(m, 5)).toBe(3);
  });
});

describe('double quantisation of the absmax vector', () => {
  // Bound, derived from the map: u = a'/c lies in [−1, 1]; the largest distance from any such u to the nearest map
  // value is half the largest gap, 0.9/64 / 2 = 0.00703125 (inside the top decade; the gap between decades,
  // 0.10703125 − 0.09859375 = 0.0084375, is smaller, and −1 is 0.00703125 from −0.99296875). So
  //   |â_k − a_k| ≤ 0.00703125·c_j + float32 rounding (a − offset, ·1/c, ·c, + offset: a few ulps of c and a).
  const GAP_HALF = 0.00703125;
  const bound = (c: number, a: number) => GAP_HALF * c + 6 * 2 ** -24 * (c + Math.abs(a));

  const absmaxOf = (w: Float32Array, bs: number) => Float32Array.from({ length: Math.ceil(w.length / bs) }, (_, k) =>
    w.subarray(k * bs, (k + 1) * bs).reduce((m, x) => Math.max(m, Math.abs(x)), 0));

  it('reconstructs every absmax within the bound, and the bound is nearly reached', () => {
    const rng = new Rng(5);
    // 3.2 second-level blocks of 256 absmax values (the last one partial), weights N(0, σ) with σ varying by row.
    const w = Float32Array.from({ length: 64 * 820 }, (_, i) => rng.normal() * 0.02 * (1 + (Math.floor(i / 512) % 5)));
    const a = absmaxOf(w, 64);
    const stats = doubleQuantize(a);
    if (stats.kind !== 'nested') throw new Error('expected nested stats');
    expect(stats.offset).toBeCloseTo(a.reduce((s, x) => s + x, 0) / a.length, 7);
    expect(stats.inner.absmax).toHaveLength(4); // ceil(820 / 256)
    const back = resolveAbsmax(stats);
    let worst = 0;
    for (let k = 0; k < a.length; k++) {
      const c = stats.inner.absmax[Math.floor(k / 256)];
      const err = Math.abs(back[k] - a[k]);
      expect(err).toBeLessThanOrEqual(bound(c, a[k]));
      worst = Math.max(worst, err / (GAP_HALF * c));
    }
    expect(worst).toBeGreaterThan(0.5);
  });

  it('keeps each dequantised weight within 0.1519·absmax + the absmax error (NF4 with double quantisation)', () => {
    // NF4's largest gap is between codes 0 and 1: (1 − 0.6961928)/2 = 0.1519036 of absmax. With â for a:
    // |v·â − w| ≤ |v − w/a|·a + |v|·|â − a| ≤ 0.1519036·a + |â − a|.
    const rng = new Rng(6);
    const w = rng.normalArray(64 * 300 + 17, 0.05);
    const p = quantize4bit(w, [w.length], { codebook: NF4, blocksize: 64, doubleQuant: true });
    const a = absmaxOf(w, 64);
    const aHat = resolveAbsmax(p.stats);
    const back = dequantize4bit(p);
    for (let i = 0; i < w.length; i++) {
      const k = Math.floor(i / 64);
      expect(Math.abs(back[i] - w[i])).toBeLessThanOrEqual(0.1519036 * a[k] + Math.abs(aHat[k] - a[k]) + 1e-7);
    }
  });

  it('an all-equal absmax block (a′ = 0) reconstructs exactly', () => {
    const stats = doubleQuantize(new Float32Array(300).fill(0.25));
    expect(Array.from(resolveAbsmax(stats))).toEqual(new Array(300).fill(0.25));
  });
});
