// Golden tests of 4-bit quantisation (peft-spec §2.1–2.3), every expected value written out by hand from the spec:
// the worked example byte for byte, every code's value as float32 bits, values exactly on a decision boundary,
// a partial last block, an odd element count. The quantiser under test is the JavaScript reference
// (quant/blockwise.ts); the kernels are checked against it in dequant-kernels.test.ts.
import { describe, expect, it } from 'vitest';
import { dequantize4bit, quantize4bit } from '../../../src-main/engine/quant/blockwise';
import type { Packed4bit } from '../../../src-main/engine/quant/blockwise';
import { FP4, NF4 } from '../../../src-main/engine/quant/codebooks';
import type { FourBitCodebook } from '../../../src-main/engine/quant/codebooks';

const bitsOf = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
const f32 = (bits: number) => new Float32Array(Uint32Array.of(bits).buffer)[0];
/** The next float32 above x (x > 0 or x < 0, not 0). */
const nextUp = (x: number) => f32(x > 0 ? bitsOf(x) + 1 : bitsOf(x) - 1);
const pack = (x: number[], codebook: FourBitCodebook = NF4, blocksize = 64) =>
  quantize4bit(Float32Array.from(x), [x.length], { codebook, blocksize, doubleQuant: false });
/** Codes in element order, read back from the bytes (even index = high nibble). */
const codesOf = (p: Packed4bit) => Array.from({ length: p.size }, (_, i) => (i & 1 ? p.bytes[i >> 1] & 15 : p.bytes[i >> 1] >> 4));

// peft-spec §2.1, copied from the spec's table (code → f32 bits).
const NF4_TABLE = [
  0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x00000000,
  0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000,
];
// peft-spec §2.2: magnitude(bits 2..0) = raw/12 with raw [0, 0.0625, 8, 12, 4, 6, 2, 3]; bit 3 is the sign.
// By hand: 1/192 = 1.3333·2^-8 → 0x3baaaaab; 2/3 = 1.3333·2^-1 → 0x3f2aaaab; 1 → 0x3f800000; 1/3 → 0x3eaaaaab;
// 0.5 → 0x3f000000; 1/6 → 0x3e2aaaab; 0.25 → 0x3e800000 (mantissa of 4/3 rounds to 0x2aaaab); negatives set bit 31.
const FP4_MAGNITUDES = [0x00000000, 0x3baaaaab, 0x3f2aaaab, 0x3f800000, 0x3eaaaaab, 0x3f000000, 0x3e2aaaab, 0x3e800000];
const FP4_TABLE = [...FP4_MAGNITUDES, ...FP4_MAGNITUDES.map((b) => (b | 0x80000000) >>> 0)];

describe('the §2.3 worked example', () => {
  it('quantises [0.5, −1, 0.1, 0, 0.25, −0.3, 0.9, −0.05] to bytes C0 87 A4 F6 and back', () => {
    // absmax 1 → u = x. Codes = thresholds strictly below u: 0.5 → 12 (0.3893 < 0.5 < 0.5017), −1 → 0, 0.1 → 8,
    // 0 → 7, 0.25 → 10, −0.3 → 4 (−0.3397 < −0.3 < −0.2346), 0.9 → 15, −0.05 → 6 (−0.1379 < −0.05 < −0.0455).
    const p = pack([0.5, -1.0, 0.1, 0.0, 0.25, -0.3, 0.9, -0.05]);
    expect(p.stats).toEqual({ kind: 'plain', absmax: Float32Array.of(1) });
    expect(codesOf(p)).toEqual([12, 0, 8, 7, 10, 4, 15, 6]);
    expect(Array.from(p.bytes)).toEqual([0xc0, 0x87, 0xa4, 0xf6]);
    const back = Array.from(dequantize4bit(p));
    expect(back.map(bitsOf)).toEqual([12, 0, 8, 7, 10, 4, 15, 6].map((c) => NF4_TABLE[c]));
    [0.4407098, -1, 0.0795803, 0, 0.2461123, -0.2844414, 1, -0.09105].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 6));
  });
});

describe('every code dequantises to its table value', () => {
  for (const [book, table] of [[NF4, NF4_TABLE], [FP4, FP4_TABLE]] as const) {
    it(`${book.name}: the 16 codes in order (bytes 01 23 … EF, absmax 1) give the table's f32 bits`, () => {
      expect(Array.from(book.values).map(bitsOf)).toEqual(table);
      const bytes = Uint8Array.from({ length: 8 }, (_, j) => (2 * j << 4) | (2 * j + 1));
      const p: Packed4bit = { shape: [16], size: 16, codebook: book, blocksize: 64, bytes, stats: { kind: 'plain', absmax: Float32Array.of(1) } };
      expect(Array.from(dequantize4bit(p)).map(bitsOf)).toEqual(table);
      // With absmax 2 every value doubles exactly (a power of two).
      const twice = dequantize4bit({ ...p, stats: { kind: 'plain', absmax: Float32Array.of(2) } });
      expect(Array.from(twice)).toEqual(table.map((b) => 2 * f32(b)));
    });
  }

  it('a table value quantises to its own code (never on a boundary)', () => {
    for (const book of [NF4, FP4]) {
      const values = Array.from(book.values).filter((_, c) => c !== 8 || book === NF4); // FP4's −0 encodes as +0
      const codes = codesOf(pack(values, book));
      expect(codes).toEqual(values.map((v) => Array.from(book.values).indexOf(v)));
    }
  });
});

describe('values exactly on a decision boundary go to the lower code', () => {
  it('NF4: each of the 15 float32 midpoints → the lower code; the next float32 up → the upper code', () => {
    // The spec's thresholds are the float32 midpoints of adjacent table values (checked here from the table).
    const v = NF4_TABLE.map(f32);
    const mids = v.slice(0, 15).map((a, k) => Math.fround((a + v[k + 1]) / 2));
    expect(mids[0]).toBe(Math.fround(-0.8480963706970215));
    expect(mids[14]).toBe(Math.fround(0.8614784479141235));
    // A leading 1.0 pins absmax to 1, so u = x exactly.
    const codes = codesOf(pack([1, ...mids, ...mids.map(nextUp)])).slice(1);
    expect(codes).toEqual([...mids.map((_, k) => k), ...mids.map((_, k) => k + 1)]);
  });

  it('FP4: each pivot → the smaller magnitude, with either sign; the next float32 up → the larger', () => {
    // Magnitudes in increasing order have codes 000, 001, 110, 111, 100, 101, 010, 011 (0, 1/192, 1/6, 1/4, 1/3,
    // 1/2, 2/3, 1); the CUDA pivots lie between consecutive ones.
    const order = [0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011];
    const pivots = [0.00260417, 0.0859375, 0.20833333, 0.29166667, 0.4166667, 0.583333, 0.8333333].map(Math.fround);
    const x = [1, ...pivots, ...pivots.map(nextUp), ...pivots.map((p) => -p), ...pivots.map((p) => -nextUp(p))];
    const codes = codesOf(pack(x, FP4)).slice(1);
    const lower = pivots.map((_, k) => order[k]);
    const upper = pivots.map((_, k) => order[k + 1]);
    expect(codes).toEqual([...lower, ...upper, ...lower.map((c) => c | 8), ...upper.map((c) => c | 8)]);
  });
});

describe('block layout', () => {
  it('a partial last block has its own absmax (70 values, blocks of 64: 64 + 6)', () => {
    // Block 0: absmax 2 (its first value); block 1 = [0.5, −0.25, 0.125, 0, 0.3, −0.5], absmax 0.5, so
    // u = 2x = [1, −0.5, 0.25, 0, 0.6, −1] → NF4 codes [15, 2, 10, 7, 13, 0] (thresholds strictly below u:
    // −0.5 > −0.6106 and < −0.4600 → 2; 0.25 > 0.2035 → 10; 0.6 > 0.5017 and < 0.6428 → 13).
    const block0 = [2, ...Array.from({ length: 63 }, (_, i) => (i % 7) / 10 - 0.3)];
    const block1 = [0.5, -0.25, 0.125, 0, 0.3, -0.5];
    const p = pack([...block0, ...block1]);
    expect(p.bytes.length).toBe(35);
    expect(p.stats).toEqual({ kind: 'plain', absmax: Float32Array.of(2, 0.5) });
    expect(codesOf(p).slice(64)).toEqual([15, 2, 10, 7, 13, 0]);
    expect(Array.from(p.bytes.slice(32))).toEqual([0xf2, 0xa7, 0xd0]);
    // Dequantised with absmax 0.5: value · 0.5 (exact halving of the table).
    expect(Array.from(dequantize4bit(p).slice(64))).toEqual([15, 2, 10, 7, 13, 0].map((c) => f32(NF4_TABLE[c]) / 2));
  });

  it('blocks run over the row-major flattening and may straddle rows ((3, 5) with blocks of 32: one block)', () => {
    const x = Float32Array.from({ length: 15 }, (_, i) => (i === 7 ? -4 : i / 8));
    const p = quantize4bit(x, [3, 5], { codebook: NF4, blocksize: 32, doubleQuant: false });
    expect(p.shape).toEqual([3, 5]);
    expect(p.stats).toEqual({ kind: 'plain', absmax: Float32Array.of(4) });
  });

  it('an odd element count pads the last low nibble with code 0 (not the code of 0.0)', () => {
    // [1, −1, 0, 0.5, 1] → codes [15, 0, 7, 12, 15] → bytes F0 7C F0: the fifth code in the high nibble, 0000 below.
    const p = pack([1, -1, 0, 0.5, 1]);
    expect(Array.from(p.bytes)).toEqual([0xf0, 0x7c, 0xf0]);
    expect(dequantize4bit(p).length).toBe(5);
  });

  it('multiplies by the float32 reciprocal of absmax, not divides (the rule that decides the last ulp)', () => {
    // absmax 9, x = 0x40907aa5 (4.51497126): x/9 rounds to ≤ 0.50166345 (the threshold between codes 12 and 13),
    // but fround(1/9) is above 1/9 and x·fround(1/9) rounds to just above it, so bitsandbytes gives code 13.
    const x = f32(0x40907aa5);
    const t = Math.fround(0.5016634464263916);
    expect(Math.fround(x / 9) > t).toBe(false);
    expect(Math.fround(x * Math.fround(1 / 9)) > t).toBe(true);
    expect(codesOf(pack([9, x]))[1]).toBe(13);
  });
});
