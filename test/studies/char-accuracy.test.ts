// The character-level accuracy of the MoRA preset, checked against counts done by hand.
import { describe, expect, it } from 'vitest';
import { charAccuracy, charTally, TokenCharCounter } from '../../src-main/engine/train/char-accuracy';

describe('character accuracy', () => {
  it('compares position by position over the truth: missing characters are wrong, extra ones ignored', () => {
    expect(charAccuracy([{ truth: 'abcd', predicted: 'abxd' }])).toBe(3 / 4);
    expect(charAccuracy([{ truth: 'abcd', predicted: 'ab' }])).toBe(2 / 4);
    expect(charAccuracy([{ truth: 'ab', predicted: 'abzzz' }])).toBe(1);
    // pooled over pairs: ab/ab 2 of 2, cdef/cxe → c ✓ d✗ e ✓ f✗ 2 of 4 → 4 of 6
    expect(charTally([{ truth: 'ab', predicted: 'ab' }, { truth: 'cdef', predicted: 'cxe' }])).toEqual({ correct: 4, total: 6 });
    expect(charAccuracy([])).toBeNaN();
  });

  it('a predicted UUID with two wrong hex digits out of 36 characters scores 34/36', () => {
    const truth = '3f2b8c1e-9a4d-4e7b-8c2f-1d5e6a7b9c0d';
    const predicted = '3f2b8c1e-9a4d-4e7b-8c2f-1d5e6a7b9c' + 'ff';
    expect(charAccuracy([{ truth, predicted }])).toBeCloseTo(34 / 36, 12);
  });

  it('tallies teacher-forced tokens: each true token against the predicted one, special tokens left out', () => {
    // ids: 1 "ab", 2 "a", 3 "b", 4 "abc", 9 EOS (special, no characters)
    const text: Record<number, string> = { 1: 'ab', 2: 'a', 3: 'b', 4: 'abc', 9: '</s>' };
    const c = new TokenCharCounter((id) => text[id], new Set([9]));
    // truth [1, 3, 9]: "ab" vs "a" → 1 of 2; "b" vs "b" → 1 of 1; EOS skipped  → 2 of 3
    c.add(Int32Array.from([2, 3, 1]), Int32Array.from([1, 3, 9]));
    expect(c.accuracy).toBeCloseTo(2 / 3, 12);
    // truth [4]: "abc" vs EOS (no characters) → 0 of 3; total 2 of 6
    c.add([9], [4]);
    expect(c.accuracy).toBeCloseTo(2 / 6, 12);
  });
});
