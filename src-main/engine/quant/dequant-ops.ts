// The dequantisation kernels as a composition of plain tfjs ops: the path of backends without a kernel of
// their own (the tensorflow backend, libtensorflow through tfjs-node). Codes are cut out of the int32 words with
// integer floorDiv/mod (exact on cpu and in libtensorflow; tfjs's wasm and webgpu backends compute int32 floorDiv
// through float32, which is why they have real kernels); values come from table look-ups (gather), so no float
// bit manipulation is needed: a 16-bit value is looked up in the table of all 65536 values of its type.
// Legend: W words, E codes per word, N elements.
import * as tf from '@tensorflow/tfjs';
import type { BlockwiseAttrs } from './dequant-kernel';
import { sizeOf } from './dequant-kernel';

/** Shift (in bits) of each code of a word, in element order. 4-bit: element 2b in the high nibble of byte b. */
function codeShifts(bits: 4 | 8): number[] {
  if (bits === 8) return [0, 8, 16, 24];
  return Array.from({ length: 8 }, (_, e) => 8 * (e >> 1) + (e & 1 ? 0 : 4));
}

/** (W) words → (W·E) codes of `bits` bits, in element order. */
function unpack(words: tf.Tensor1D, shifts: number[], bits: number): tf.Tensor1D {
  const divisors = tf.tensor1d(shifts.map((s) => 2 ** s), 'int32'); // (E)
  const shifted = tf.floorDiv(words.reshape([-1, 1]), divisors); // (W, E): arithmetic shift right
  return tf.mod(shifted, tf.scalar(2 ** bits, 'int32')).reshape([-1]) as tf.Tensor1D; // floor-mod: the low bits
}

export function dequantBlockwiseOps(words: tf.Tensor1D, table: tf.Tensor1D, scales: tf.Tensor1D, a: BlockwiseAttrs): tf.Tensor {
  return tf.tidy(() => {
    const n = sizeOf(a.shape);
    const codes = unpack(words, codeShifts(a.bits), a.bits).slice(0, n); // (N)
    const block = tf.floorDiv(tf.range(0, n, 1, 'int32'), tf.scalar(a.blocksize, 'int32')); // (N)
    let v = tf.mul(tf.gather(table, codes), tf.gather(scales, block)); // (N)
    if (a.postScale !== 1) v = tf.mul(v, a.postScale);
    if (a.offset !== 0) v = tf.add(v, a.offset);
    return v.reshape(a.shape);
  });
}

/** `values` = every value of the half type (65536, see half.ts halfValueTable). */
export function dequantHalfOps(words: tf.Tensor1D, values: tf.Tensor1D, shape: number[]): tf.Tensor {
  return tf.tidy(() => {
    const n = sizeOf(shape);
    const halves = unpack(words, [0, 16], 16).slice(0, n); // (N)
    return tf.gather(values, halves).reshape(shape);
  });
}
