// Expected bit patterns are worked out by hand from the IEEE-754 layouts:
//   f16  = s | eeeee (bias 15) | mmmmmmmmmm        bf16 = s | eeeeeeee (bias 127) | mmmmmmm
import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32,
  bf16ToF32,
  f16BitsToF32,
  f16ToF32,
  f32ToBf16,
  f32ToBf16Bits,
  f32ToF16,
  f32ToF16Bits,
} from '../../../src-main/engine/model/dtype';

const isNaN16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x03ff) !== 0;
const isNaNBf16 = (h: number) => (h & 0x7f80) === 0x7f80 && (h & 0x007f) !== 0;

describe('f16 → f32', () => {
  it.each([
    [0x3c00, 1], // e=15 → 2^0
    [0xc000, -2], // sign, e=16
    [0x3800, 0.5],
    [0x3555, 0.333251953125], // 2^-2 · (1 + 0x155/1024) = 0.25 · 1.3330078125
    [0x7bff, 65504], // largest finite: 2^15 · (2 − 2^-10)
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal: 1 · 2^-24
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s', (h, v) => {
    expect(f16BitsToF32(h)).toBe(v);
  });

  it('keeps the sign of zero and decodes NaN', () => {
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(Object.is(f16BitsToF32(0x0000), 0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0xfc01)).toBeNaN();
  });

  it('converts whole arrays, into a given output too', () => {
    const out = new Float32Array(3);
    const r = f16ToF32(new Uint16Array([0x3c00, 0x0001, 0xfc00]), out);
    expect(r).toBe(out);
    expect([...r]).toEqual([1, 2 ** -24, -Infinity]);
    expect(() => f16ToF32(new Uint16Array(2), new Float32Array(3))).toThrow(RangeError);
  });
});

describe('f32 → f16 (round to nearest even)', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519, 0x7bff], // below the midpoint 65520 between 65504 and 2^16
    [65520, 0x7c00], // the midpoint: 0x7bff is odd, so it goes to the even 0x7c00 = inf
    [1e5, 0x7c00],
    [-1e9, 0xfc00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // half of the smallest subnormal: tie between 0 and 1 → even 0
    [2 ** -25 + 2 ** -35, 0x0001], // just above the midpoint
    [3 * 2 ** -25, 0x0002], // 1.5 units: tie between 1 and 2 → even 2
    [5 * 2 ** -25, 0x0002], // 2.5 units: tie between 2 and 3 → even 2
    [2 ** -14 - 2 ** -25, 0x0400], // 1023.5 units: tie → 1024 = smallest normal (carry out of the subnormals)
    [1 + 2 ** -11, 0x3c00], // halfway between 0x3c00 and 0x3c01 → even 0x3c00
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02 → even 0x3c02
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the midpoint
    [1e-40, 0x0000], // float32 subnormal → 0
    [-1e-10, 0x8000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('%s', (x, h) => {
    expect(f32ToF16Bits(x)).toBe(h);
  });

  it('keeps NaN a NaN', () => {
    expect(isNaN16(f32ToF16Bits(NaN))).toBe(true);
    expect(isNaN16(f32ToF16(new Float32Array([NaN]))[0])).toBe(true);
  });

  it('round-trips every f16 bit pattern exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToF16(f16ToF32(all));
    const wrong = [...all].filter((i) => (isNaN16(i) ? !isNaN16(back[i]) : back[i] !== i));
    expect(wrong).toEqual([]);
  });

  it('agrees with a brute-force nearest-even search on random floats', () => {
    // Oracle: positive f16 patterns 0..0x7c00 are ordered by value; pick the closer neighbour, ties to the
    // even pattern, with 0x7c00 standing for 2^16 (the IEEE overflow rule).
    const value = (h: number) => (h === 0x7c00 ? 65536 : f16BitsToF32(h));
    const nearest = (a: number): number => {
      if (a >= 65536) return 0x7c00;
      let lo = 0;
      let hi = 0x7c00;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (value(mid) <= a) lo = mid;
        else hi = mid;
      }
      const dl = a - value(lo);
      const dh = value(hi) - a;
      return dl < dh || (dl === dh && lo % 2 === 0) ? lo : hi;
    };
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const xs = new Float32Array(20000).map(() => (rand() - 0.5) * 2 ** Math.floor(rand() * 44 - 28));
    const hs = f32ToF16(xs);
    const wrong = [...xs].filter((x, i) => hs[i] !== (nearest(Math.abs(x)) | (x < 0 || Object.is(x, -0) ? 0x8000 : 0)));
    expect(wrong).toEqual([]);
  });
});

describe('bf16 ↔ f32', () => {
  it.each([
    [0x3f80, 1],
    [0xc000, -2],
    [0x4049, 3.140625], // 2^1 · (1 + 0x49/128)
    [0x7f7f, (2 - 2 ** -7) * 2 ** 127], // largest finite
    [0x0001, 2 ** -133], // smallest subnormal: f32 bits 0x00010000 = 2^16 · 2^-149
    [0x7f80, Infinity],
    [0xff80, -Infinity],
  ])('bf16 0x%s → %s', (h, v) => {
    expect(bf16BitsToF32(h)).toBe(v);
    expect(bf16ToF32(new Uint16Array([h]))[0]).toBe(v);
  });

  it.each([
    [1, 0x3f80],
    [1 + 2 ** -8, 0x3f80], // halfway between 0x3f80 and 0x3f81 → even
    [1 + 3 * 2 ** -8, 0x3f82], // halfway between 0x3f81 and 0x3f82 → even
    [1 + 2 ** -8 + 2 ** -20, 0x3f81], // above the midpoint
    [-0, 0x8000],
    [3.4028234663852886e38, 0x7f80], // float32 max (0x7f7fffff) rounds up past 0x7f7f into inf
    [(2 - 2 ** -7) * 2 ** 127, 0x7f7f],
    [-Infinity, 0xff80],
  ])('f32 %s → bf16 0x%s', (x, h) => {
    expect(f32ToBf16Bits(x)).toBe(h);
    expect(f32ToBf16(new Float32Array([x]))[0]).toBe(h);
  });

  it('keeps NaN a NaN and round-trips every bf16 pattern', () => {
    expect(isNaNBf16(f32ToBf16Bits(NaN))).toBe(true);
    expect(bf16BitsToF32(0x7fc0)).toBeNaN();
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToBf16(bf16ToF32(all));
    const wrong = [...all].filter((i) => (isNaNBf16(i) ? !isNaNBf16(back[i]) : back[i] !== i));
    expect(wrong).toEqual([]);
  });

  it('works on views with a byte offset', () => {
    const buf = new ArrayBuffer(16);
    const src = new Float32Array(buf, 4, 2);
    src.set([1, -2]);
    expect([...f32ToBf16(src)]).toEqual([0x3f80, 0xc000]);
    expect([...f32ToF16(src)]).toEqual([0x3c00, 0xc000]);
  });
});
