// Storage formats of frozen base weights, registered by bit width: float32 (dense), 16-bit (bf16/fp16), 8-bit
// (LLM.int8) and 4-bit (NF4/FP4, optional double quantisation). Each format packs a float32 matrix on the current
// backend and states its storage cost in theory; the sweep pre-flight reads `supportedBaseBits` to tell which bit
// widths can run, and the memory estimate reads the theory (the runs themselves report measured bytes).
import * as tf from '@tensorflow/tfjs';
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import { resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import { PeftLabError } from '../../../src-shared/errors';
import type { BaseWeight } from '../model/linear';
import { DenseWeight } from '../model/linear';
import { NESTED_BLOCKSIZE } from './blockwise';
import { fourBitCodebook } from './codebooks';
import { FourBitWeight } from './four-bit-weight';
import { halfType } from './half';
import { HalfWeight } from './half-weight';
import { Int8Weight } from './int8-weight';

export interface BaseFormat {
  bits: 32 | 16 | 8 | 4;
  name: string;
  /**
   * Storage bits per weight of an (m, n) matrix, constants included, exact when m·n is a multiple of the format's
   * blocks: 32; 16; 8 + 32/n (one float32 scale per row); 4 + 32/blocksize, or with double quantisation
   * 4 + 8/blocksize + 32/(256·blocksize) (4.127 for blocks of 64).
   */
  theoryBits(inFeatures: number, o: BaseOptions): number;
  /** Packs a row-major float32 (m, n) matrix on the current backend. */
  create(data: Float32Array, shape: [number, number], o: BaseOptions): BaseWeight;
}

const formats = new Map<number, BaseFormat>();

export function registerBaseFormat(f: BaseFormat): void {
  formats.set(f.bits, f);
}

export function supportedBaseBits(): number[] {
  return [...formats.keys()].sort((a, b) => b - a);
}

export function baseFormat(bits: number): BaseFormat {
  const f = formats.get(bits);
  if (!f) {
    throw new PeftLabError('BAD_ARGUMENT', `base.bits: ${bits}-bit base weights are not available (choose one of ${supportedBaseBits().join(', ')})`);
  }
  return f;
}

/**
 * Storage bits per weight of a linear layer's matrix (n inputs) at a nominal bit width with the default options
 * of that width (4-bit: NF4 with double quantisation, 4.127 bits), constants included (peft-spec §2).
 */
export function bitsPerWeight(bits: number, inFeatures: number): number {
  return baseFormat(bits).theoryBits(inFeatures, { ...resolveBaseOptions(), bits: bits as BaseOptions['bits'], doubleQuant: true });
}

registerBaseFormat({
  bits: 32,
  name: 'float32',
  theoryBits: () => 32,
  create: (data, shape) => new DenseWeight(tf.tensor2d(data, shape, 'float32')),
});

registerBaseFormat({
  bits: 16,
  name: 'bf16/fp16',
  theoryBits: () => 16,
  create: (data, shape, o) => HalfWeight.quantize(data, shape, halfType(o.halfType)!),
});

registerBaseFormat({
  bits: 8,
  name: 'LLM.int8',
  theoryBits: (n) => 8 + 32 / n,
  create: (data, shape, o) => Int8Weight.quantize(data, shape, o.int8Threshold),
});

registerBaseFormat({
  bits: 4,
  name: 'nf4/fp4',
  theoryBits: (_n, o) => 4 + (o.doubleQuant ? 8 / o.blocksize + 32 / (NESTED_BLOCKSIZE * o.blocksize) : 32 / o.blocksize),
  create: (data, shape, o) => FourBitWeight.quantize(data, shape, { codebook: fourBitCodebook(o.quantType)!, blocksize: o.blocksize, doubleQuant: o.doubleQuant }),
});
