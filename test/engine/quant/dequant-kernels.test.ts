// The dequantisation kernels of every backend (JavaScript on cpu/wasm, WGSL on webgpu, pure ops on tensorflow)
// against the JavaScript reference of quant/blockwise.ts, int8.ts and model/dtype.ts, bit for bit: every 4-bit
// code, partial last blocks, odd element counts, double-quantised absmax over several second-level blocks,
// LLM.int8 rows, and bf16/fp16 with their special values. The pure-ops path is also run on cpu.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { dequantize4bit, quantize4bit } from '../../../src-main/engine/quant/blockwise';
import type { Packed4bit } from '../../../src-main/engine/quant/blockwise';
import { FP4, NF4 } from '../../../src-main/engine/quant/codebooks';
import { OPS_PATH, dequantPath, registerDequantPath } from '../../../src-main/engine/quant/dequant';
import { FourBitWeight } from '../../../src-main/engine/quant/four-bit-weight';
import { BF16, FP16 } from '../../../src-main/engine/quant/half';
import { HalfWeight } from '../../../src-main/engine/quant/half-weight';
import { dequantizeInt8Rows, quantizeInt8Rows } from '../../../src-main/engine/quant/int8';
import { Int8Weight } from '../../../src-main/engine/quant/int8-weight';
import { Rng } from '../../../src-main/engine/rng';
import { describeEachBackend } from '../../helpers/backends';

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

async function expectSameBits(weight: { materialize(): tf.Tensor; dispose(): void }, reference: Float32Array): Promise<void> {
  const t = weight.materialize();
  const got = (await t.data()) as Float32Array;
  t.dispose();
  weight.dispose();
  expect(got.length).toBe(reference.length);
  const a = bits(got);
  const b = bits(reference);
  const wrong = a.findIndex((x, i) => x !== b[i]);
  expect(wrong, wrong < 0 ? '' : `element ${wrong}: 0x${a[wrong].toString(16)} vs 0x${b[wrong].toString(16)}`).toBe(-1);
}

function everyCode(codebook: typeof NF4, absmax: number): Packed4bit {
  const bytes = Uint8Array.from({ length: 8 }, (_, j) => (2 * j << 4) | (2 * j + 1));
  return { shape: [2, 8], size: 16, codebook, blocksize: 64, bytes, stats: { kind: 'plain', absmax: Float32Array.of(absmax) } };
}

const rng = new Rng(21);
const W_ODD = rng.normalArray(7 * 143, 0.3); // 1001 values: 16 blocks of 64, the last holding 41; odd count
const W_BIG = rng.normalArray(300 * 130, 0.05); // 39000 values: 610 blocks of 64 → 3 second-level blocks of 256

/** Half bit patterns: ±0, smallest and largest subnormals, 1, max finite, ±inf, a NaN, then random ones. */
const HALF_BITS = Uint16Array.from([0x0000, 0x8000, 0x0001, 0x03ff, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x7f7f, 0x0080,
  ...Array.from({ length: 1990 }, () => Math.floor(rng.uniform() * 65536))]);

function kernelCases(): void {
  for (const book of [NF4, FP4]) {
    for (const absmax of [1, 0.75]) {
      it(`${book.name}: every code with absmax ${absmax}`, async () => {
        const p = everyCode(book, absmax);
        await expectSameBits(FourBitWeight.fromPacked(p), dequantize4bit(p));
      });
    }
  }

  for (const [label, w, shape, o] of [
    ['nf4 + DQ, partial last block, odd count', W_ODD, [7, 143], { codebook: NF4, blocksize: 64, doubleQuant: true }],
    ['fp4, blocks of 32', W_ODD, [7, 143], { codebook: FP4, blocksize: 32, doubleQuant: false }],
    ['nf4 + DQ over three second-level blocks', W_BIG, [300, 130], { codebook: NF4, blocksize: 64, doubleQuant: true }],
    ['fp4 + DQ, blocks of 128', W_BIG, [300, 130], { codebook: FP4, blocksize: 128, doubleQuant: true }],
  ] as const) {
    it(label, async () => {
      const p = quantize4bit(w, shape.slice(), o);
      await expectSameBits(FourBitWeight.fromPacked(p), dequantize4bit(p));
    });
  }

  it('LLM.int8 rows (37, 29): Ŵ = CB·SCB·fround(1/127)', async () => {
    const q = quantizeInt8Rows(rng.normalArray(37 * 29, 1), [37, 29]);
    await expectSameBits(Int8Weight.fromRows(q, 6), dequantizeInt8Rows(q));
  });

  for (const type of [BF16, FP16]) {
    it(`${type.name}: every special value and 2001 random patterns (odd count)`, async () => {
      await expectSameBits(HalfWeight.fromHalves(HALF_BITS, [1, HALF_BITS.length], type), type.widen(HALF_BITS));
    });
  }
}

describeEachBackend('dequantisation kernels equal the JavaScript reference', () => {
  it('uses the path registered for the backend', () => {
    expect(dequantPath().name).toBe(tf.getBackend() === 'tensorflow' ? 'ops' : 'kernel');
  });
  kernelCases();
});

describe('the pure-ops path (the tensorflow backend\'s) equals the reference, run on cpu', () => {
  it('switches cpu to the ops path', async () => {
    await useBackend('cpu');
    registerDequantPath('cpu', OPS_PATH);
    expect(dequantPath().name).toBe('ops');
  });
  kernelCases();
});
