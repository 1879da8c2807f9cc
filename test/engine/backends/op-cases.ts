// The ops a LLaMA-style LoRA training step and its loss use, as a table: inputs (deterministic, the same on every
// backend), a forward function, and which inputs to differentiate. ops.test.ts runs every row on every backend,
// forward AND gradient, against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../src-shared/review/rng';
import { rmsNorm } from '../../../src-main/engine/model/rms-norm';
import { swiglu } from '../../../src-main/engine/model/swiglu';
import { applyRotary, rotateHalfMatrix } from '../../../src-main/engine/model/rope';
import { crossEntropySum } from '../../../src-main/engine/train/loss';

export interface OpCase {
  name: string;
  /** Builds the inputs on the current backend (deterministic values). */
  inputs: () => tf.Tensor[];
  forward: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** Inputs to take the gradient with respect to; omitted = forward only (integer/boolean outputs, no gradient). */
  gradWrt?: number[];
  /** Absolute+relative tolerance; float32 default 1e-4. */
  tol?: number;
}

/** mulberry32: small deterministic generator, so inputs are identical on every backend. */
export const seeded = (seed: number): (() => number) => seededRandom(seed);

/** A float32 tensor of the given shape with values uniform in [min, max), from `seed`. */
export function rand(shape: number[], seed: number, min = -1, max = 1): tf.Tensor {
  const next = seeded(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => min + (max - min) * next()), shape, 'float32');
}

const ints = (values: number[], shape?: number[]): tf.Tensor => tf.tensor(values, shape ?? [values.length], 'int32');

const linearAlgebra: OpCase[] = [
  { name: 'matMul 2-D', inputs: () => [rand([3, 4], 1), rand([4, 5], 2)], forward: (a, b) => tf.matMul(a, b), gradWrt: [0, 1] },
  { name: 'matMul 2-D transposeA', inputs: () => [rand([4, 3], 3), rand([4, 5], 4)], forward: (a, b) => tf.matMul(a, b, true, false), gradWrt: [0, 1] },
  { name: 'matMul 2-D transposeB', inputs: () => [rand([3, 4], 5), rand([5, 4], 6)], forward: (a, b) => tf.matMul(a, b, false, true), gradWrt: [0, 1] },
  { name: 'matMul 2-D transposeA+B', inputs: () => [rand([4, 3], 7), rand([5, 4], 8)], forward: (a, b) => tf.matMul(a, b, true, true), gradWrt: [0, 1] },
  { name: 'matMul 3-D batched', inputs: () => [rand([2, 3, 4], 9), rand([2, 4, 5], 10)], forward: (a, b) => tf.matMul(a, b), gradWrt: [0, 1] },
  { name: 'matMul 3-D @ 2-D (broadcast)', inputs: () => [rand([2, 3, 4], 11), rand([4, 5], 12)], forward: (a, b) => tf.matMul(a, b), gradWrt: [0, 1] },
  { name: 'matMul 4-D transposeB (attention scores)', inputs: () => [rand([2, 2, 3, 4], 13), rand([2, 2, 3, 4], 14)], forward: (a, b) => tf.matMul(a, b, false, true), gradWrt: [0, 1] },
  { name: 'matMul 4-D transposeA', inputs: () => [rand([2, 2, 4, 3], 15), rand([2, 2, 4, 5], 16)], forward: (a, b) => tf.matMul(a, b, true, false), gradWrt: [0, 1] },
  { name: 'matMul 3-D transposeA+B', inputs: () => [rand([3, 4, 2], 19), rand([3, 5, 4], 20)], forward: (a, b) => tf.matMul(a, b, true, true), gradWrt: [0, 1] },
  { name: 'matMul 3-D transposeA, a broadcast over b\'s batch', inputs: () => [rand([1, 4, 3], 21), rand([3, 4, 5], 22)], forward: (a, b) => tf.matMul(a, b, true, false), gradWrt: [0, 1] },
  { name: 'matMul 3-D transposeA+B, b broadcast over a\'s batch', inputs: () => [rand([2, 4, 3], 23), rand([1, 5, 4], 24)], forward: (a, b) => tf.matMul(a, b, true, true), gradWrt: [0, 1] },
  { name: 'matMul 64x96x80 (tiled kernels)', inputs: () => [rand([64, 96], 17), rand([96, 80], 18)], forward: (a, b) => tf.matMul(a, b), gradWrt: [0, 1], tol: 5e-4 },
  { name: 'norm (euclidean)', inputs: () => [rand([3, 4], 19)], forward: (x) => tf.norm(x), gradWrt: [0] },
  { name: 'norm (axis -1)', inputs: () => [rand([3, 4], 20)], forward: (x) => tf.norm(x, 'euclidean', -1), gradWrt: [0] },
];

const shapes: OpCase[] = [
  { name: 'transpose 2-D', inputs: () => [rand([3, 4], 21)], forward: (x) => tf.transpose(x), gradWrt: [0] },
  { name: 'transpose 4-D [0,2,1,3]', inputs: () => [rand([2, 3, 4, 5], 22)], forward: (x) => tf.transpose(x, [0, 2, 1, 3]), gradWrt: [0] },
  { name: 'reshape', inputs: () => [rand([2, 3, 4], 23)], forward: (x) => tf.reshape(x, [6, 4]), gradWrt: [0] },
  { name: 'concat last axis', inputs: () => [rand([2, 3, 2], 24), rand([2, 3, 3], 25)], forward: (a, b) => tf.concat([a, b], -1), gradWrt: [0, 1] },
  { name: 'concat axis 0', inputs: () => [rand([2, 3], 26), rand([1, 3], 27)], forward: (a, b) => tf.concat([a, b], 0), gradWrt: [0, 1] },
  { name: 'slice', inputs: () => [rand([3, 6, 4], 28)], forward: (x) => tf.slice(x, [1, 2, 0], [2, 3, -1]), gradWrt: [0] },
  { name: 'stridedSlice', inputs: () => [rand([4, 6], 29)], forward: (x) => tf.stridedSlice(x, [0, 1], [4, 6], [2, 2]), gradWrt: [0] },
  { name: 'split', inputs: () => [rand([2, 6], 30)], forward: (x) => tf.split(x, [2, 4], 1), gradWrt: [0] },
  { name: 'tile', inputs: () => [rand([2, 3], 31)], forward: (x) => tf.tile(x, [2, 3]), gradWrt: [0] },
  { name: 'expandDims + squeeze', inputs: () => [rand([3, 4], 32)], forward: (x) => tf.squeeze(tf.expandDims(tf.expandDims(x, 1), 0), [0]), gradWrt: [0] },
  { name: 'broadcastTo', inputs: () => [rand([1, 4], 33)], forward: (x) => tf.broadcastTo(x, [3, 4]), gradWrt: [0] },
  { name: 'pad', inputs: () => [rand([2, 3], 34)], forward: (x) => tf.pad(x, [[1, 0], [0, 2]]), gradWrt: [0] },
  { name: 'reverse', inputs: () => [rand([2, 5], 35)], forward: (x) => tf.reverse(x, -1), gradWrt: [0] },
];

const indexing: OpCase[] = [
  { name: 'gather axis 0 (embedding, repeated ids)', inputs: () => [rand([6, 4], 36), ints([1, 3, 1, 5, 0, 1], [2, 3])], forward: (t, ids) => tf.gather(t, ids), gradWrt: [0] },
  { name: 'gather axis 1', inputs: () => [rand([3, 5, 2], 37), ints([4, 0, 4])], forward: (t, ids) => tf.gather(t, ids, 1), gradWrt: [0] },
  { name: 'gather from a flat vector (one element per index)', inputs: () => [rand([40], 60), ints([39, 0, 17, 17, 5])], forward: (t, ids) => tf.gather(t, ids), gradWrt: [0] },
  { name: 'gather last axis of a 3-D tensor, 2-D indices', inputs: () => [rand([2, 3, 7], 61), ints([6, 0, 2, 2], [2, 2])], forward: (t, ids) => tf.gather(t, ids, 2), gradWrt: [0] },
  { name: 'gather int32 and bool rows', inputs: () => [ints([5, -4, 3, 2, 1, 0], [3, 2]), ints([2, 0, 2])], forward: (t, ids) => [tf.gather(t, ids), tf.gather(tf.greater(t, 1), ids)] },
  { name: 'gather with no indices', inputs: () => [rand([4, 3], 62), ints([])], forward: (t, ids) => tf.gather(t, ids) },
  { name: 'gather with batchDims 1 (target logits)', inputs: () => [rand([3, 5], 38), ints([4, 0, 2], [3, 1])], forward: (t, ids) => tf.gather(t, ids, 1, 1), gradWrt: [0] },
  { name: 'cast to the same dtype and to others', inputs: () => [rand([3, 4], 63, -3, 3)], forward: (x) => [tf.cast(x, 'float32'), tf.cast(x, 'int32'), tf.cast(tf.cast(x, 'int32'), 'int32'), tf.cast(x, 'bool')], gradWrt: [0] },
  { name: 'oneHot + cast', inputs: () => [ints([2, 0, 3, 1])], forward: (ids) => tf.cast(tf.oneHot(ids, 5), 'float32') },
  { name: 'oneHot float32 (on/off values)', inputs: () => [ints([2, 0, 3, 1])], forward: (ids) => tf.oneHot(ids, 5, 0.75, -0.5, 'float32') },
  { name: 'crossEntropySum (the training loss, written-out gradient)', inputs: () => [rand([6, 40], 41, -6, 6)], forward: (x) => crossEntropySum(x as tf.Tensor2D, Int32Array.from([3, 0, 39, 7, 7, 20])), gradWrt: [0] },
  { name: 'oneHot * logSoftmax (cross-entropy)', inputs: () => [rand([4, 5], 39), ints([2, 0, 4, 1])], forward: (x, ids) => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(ids, 5), tf.logSoftmax(x)), -1))), gradWrt: [0] },
  { name: 'softmaxCrossEntropy loss', inputs: () => [rand([4, 5], 40), ints([2, 0, 4, 1])], forward: (x, ids) => tf.losses.softmaxCrossEntropy(tf.oneHot(ids, 5), x), gradWrt: [0] },
  { name: 'argMax', inputs: () => [rand([3, 7], 41)], forward: (x) => tf.argMax(x, -1) },
  { name: 'topk values and indices', inputs: () => [rand([3, 7], 42)], forward: (x) => { const { values, indices } = tf.topk(x, 3); return [values, indices]; } },
  { name: 'topk values (gradient)', inputs: () => [rand([3, 7], 43)], forward: (x) => tf.mul(tf.topk(x, 3).values, 1), gradWrt: [0] },
  { name: 'cumsum', inputs: () => [rand([3, 5], 44)], forward: (x) => tf.cumsum(x, 1), gradWrt: [0] },
  { name: 'cumsum exclusive reverse', inputs: () => [rand([3, 5], 45)], forward: (x) => tf.cumsum(x, 1, true, true), gradWrt: [0] },
  { name: 'where (mask from greater)', inputs: () => [rand([3, 4], 46), rand([3, 4], 47)], forward: (a, b) => tf.where(tf.greater(a, 0), a, b), gradWrt: [0, 1] },
  { name: 'greater / less / equal', inputs: () => [rand([3, 4], 48), rand([3, 4], 49)], forward: (a, b) => [tf.greater(a, b), tf.less(a, 0), tf.equal(tf.round(a), tf.round(b))] },
  { name: 'bandPart causal mask + where', inputs: () => [rand([4, 4], 50)], forward: (x) => tf.where(tf.cast(tf.linalg.bandPart(tf.ones([4, 4]), -1, 0), 'bool'), x, tf.fill([4, 4], -1e9)), gradWrt: [0] },
  { name: 'range / fill / zerosLike / onesLike', inputs: () => [rand([2, 3], 51)], forward: (x) => tf.add(tf.add(tf.zerosLike(x), tf.onesLike(x)), tf.reshape(tf.range(0, 6, 1, 'float32'), [2, 3])) },
];

const elementwise: OpCase[] = [
  { name: 'exp', inputs: () => [rand([3, 4], 52)], forward: (x) => tf.exp(x), gradWrt: [0] },
  { name: 'log', inputs: () => [rand([3, 4], 53, 0.1, 3)], forward: (x) => tf.log(x), gradWrt: [0] },
  { name: 'sqrt', inputs: () => [rand([3, 4], 54, 0.1, 3)], forward: (x) => tf.sqrt(x), gradWrt: [0] },
  { name: 'rsqrt', inputs: () => [rand([3, 4], 55, 0.1, 3)], forward: (x) => tf.rsqrt(x), gradWrt: [0] },
  { name: 'square', inputs: () => [rand([3, 4], 56)], forward: (x) => tf.square(x), gradWrt: [0] },
  { name: 'pow (tensor exponent)', inputs: () => [rand([3, 4], 57, 0.1, 2), rand([3, 4], 58, -2, 2)], forward: (a, b) => tf.pow(a, b), gradWrt: [0, 1] },
  { name: 'pow (scalar exponent 2, negative base)', inputs: () => [rand([3, 4], 59)], forward: (x) => tf.pow(x, tf.scalar(2)), gradWrt: [0] },
  { name: 'neg', inputs: () => [rand([3, 4], 60)], forward: (x) => tf.neg(x), gradWrt: [0] },
  { name: 'sigmoid', inputs: () => [rand([3, 4], 61, -4, 4)], forward: (x) => tf.sigmoid(x), gradWrt: [0] },
  { name: 'silu = x * sigmoid(x)', inputs: () => [rand([3, 4], 62, -4, 4)], forward: (x) => tf.mul(x, tf.sigmoid(x)), gradWrt: [0] },
  { name: 'relu', inputs: () => [rand([3, 4], 63)], forward: (x) => tf.relu(x), gradWrt: [0] },
  { name: 'tanh', inputs: () => [rand([3, 4], 64, -3, 3)], forward: (x) => tf.tanh(x), gradWrt: [0] },
  { name: 'cos / sin', inputs: () => [rand([3, 4], 65, -3, 3)], forward: (x) => tf.add(tf.cos(x), tf.mul(tf.sin(x), 2)), gradWrt: [0] },
  { name: 'abs', inputs: () => [rand([3, 4], 66)], forward: (x) => tf.abs(x), gradWrt: [0] },
  { name: 'clipByValue', inputs: () => [rand([3, 4], 67)], forward: (x) => tf.clipByValue(x, -0.5, 0.5), gradWrt: [0] },
  { name: 'maximum / minimum', inputs: () => [rand([3, 4], 68), rand([3, 4], 69)], forward: (a, b) => tf.add(tf.maximum(a, b), tf.mul(tf.minimum(a, b), 3)), gradWrt: [0, 1] },
  { name: 'mul broadcast (B,T,C)*(C)', inputs: () => [rand([2, 3, 4], 70), rand([4], 71)], forward: (a, b) => tf.mul(a, b), gradWrt: [0, 1] },
  { name: 'add broadcast (B,T,C)+(B,1,C)', inputs: () => [rand([2, 3, 4], 72), rand([2, 1, 4], 73)], forward: (a, b) => tf.add(a, b), gradWrt: [0, 1] },
  { name: 'sub broadcast (B,T,C)-(T,1)', inputs: () => [rand([2, 3, 4], 74), rand([3, 1], 75)], forward: (a, b) => tf.sub(a, b), gradWrt: [0, 1] },
  { name: 'div broadcast (B,T,C)/(B,T,1)', inputs: () => [rand([2, 3, 4], 76), rand([2, 3, 1], 77, 0.5, 2)], forward: (a, b) => tf.div(a, b), gradWrt: [0, 1] },
  { name: 'scalar ops (x*2+1)/3-0.5', inputs: () => [rand([3, 4], 78)], forward: (x) => tf.sub(tf.div(tf.add(tf.mul(x, 2), 1), 3), 0.5), gradWrt: [0] },
  { name: 'cast float → int → float', inputs: () => [rand([3, 4], 79, -5, 5)], forward: (x) => tf.cast(tf.cast(x, 'int32'), 'float32') },
];

const reductions: OpCase[] = [
  { name: 'sum all', inputs: () => [rand([3, 4], 80)], forward: (x) => tf.sum(x), gradWrt: [0] },
  { name: 'sum axis keepDims', inputs: () => [rand([2, 3, 4], 81)], forward: (x) => tf.sum(x, -1, true), gradWrt: [0] },
  { name: 'mean axis', inputs: () => [rand([2, 3, 4], 82)], forward: (x) => tf.mean(x, [0, 1]), gradWrt: [0] },
  { name: 'max axis', inputs: () => [rand([3, 5], 83)], forward: (x) => tf.max(x, -1), gradWrt: [0] },
  { name: 'min / prod', inputs: () => [rand([3, 5], 84, 0.5, 1.5)], forward: (x) => tf.add(tf.min(x, 0), tf.prod(x, 0)), gradWrt: [0] },
  { name: 'softmax', inputs: () => [rand([2, 3, 5], 85, -3, 3)], forward: (x) => tf.softmax(x), gradWrt: [0] },
  { name: 'logSoftmax', inputs: () => [rand([2, 3, 5], 86, -3, 3)], forward: (x) => tf.logSoftmax(x), gradWrt: [0] },
  { name: 'logSumExp', inputs: () => [rand([3, 5], 87, -3, 3)], forward: (x) => tf.logSumExp(x, -1), gradWrt: [0] },
  { name: 'moments (variance)', inputs: () => [rand([3, 5], 88)], forward: (x) => tf.moments(x, -1).variance, gradWrt: [0] },
];

const random: OpCase[] = [
  { name: 'randomUniform with seed', inputs: () => [], forward: () => tf.randomUniform([3, 4], -1, 1, 'float32', 7) },
  { name: 'randomNormal with seed', inputs: () => [], forward: () => tf.randomNormal([3, 4], 0, 1, 'float32', 7) },
  { name: 'truncatedNormal with seed', inputs: () => [], forward: () => tf.truncatedNormal([3, 4], 0, 0.02, 'float32', 7) },
  { name: 'dropout with seed', inputs: () => [rand([4, 6], 89)], forward: (x) => tf.dropout(x, 0.25, undefined, 11), gradWrt: [0] },
];

/** Composite blocks of a LLaMA layer, to catch gradients that only fail in combination. */
const composites: OpCase[] = [
  {
    name: 'RMSNorm x * rsqrt(mean(x²) + eps) * w',
    inputs: () => [rand([2, 3, 8], 90), rand([8], 91, 0.5, 1.5)],
    forward: (x, w) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), w),
    gradWrt: [0, 1],
  },
  {
    name: 'rmsNorm as the model applies it (written-out gradient, frozen weight)',
    inputs: () => [rand([6, 16], 99, -2, 2), rand([16], 100, 0.5, 1.5)],
    forward: (x, w) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6),
    gradWrt: [0],
  },
  {
    name: 'swiglu as the model applies it (silu(gate) * up, written-out gradient)',
    inputs: () => [rand([6, 10], 101, -5, 5), rand([6, 10], 102)],
    forward: (g, u) => swiglu(g as tf.Tensor2D, u as tf.Tensor2D),
    gradWrt: [0, 1],
  },
  {
    name: 'rotary embedding as the model applies it (rotate_half by a signed permutation matmul)',
    inputs: () => [rand([2, 3, 5, 8], 42), rand([2, 1, 5, 8], 43), rand([2, 1, 5, 8], 44)],
    forward: (q, cos, sin) => applyRotary(q as tf.Tensor4D, cos as tf.Tensor4D, sin as tf.Tensor4D, rotateHalfMatrix(8)),
    gradWrt: [0],
  },
  {
    name: 'rotary embedding (slice, neg, concat, cos/sin)',
    inputs: () => [rand([2, 2, 3, 8], 92), rand([3, 8], 93, -3, 3)],
    forward: (x, theta) => {
      const x1 = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 4]);
      const x2 = tf.slice(x, [0, 0, 0, 4], [-1, -1, -1, 4]);
      const rotated = tf.concat([tf.neg(x2), x1], -1);
      return tf.add(tf.mul(x, tf.cos(theta)), tf.mul(rotated, tf.sin(theta)));
    },
    gradWrt: [0],
  },
  {
    name: 'causal attention (B,H,T,D) with LoRA-style update',
    inputs: () => [rand([1, 2, 4, 8], 94), rand([1, 2, 4, 8], 95), rand([1, 2, 4, 8], 96), rand([8, 2], 97), rand([2, 8], 98)],
    forward: (q, k, v, a, b) => {
      const qLora = tf.add(q, tf.mul(tf.matMul(tf.matMul(q, a), b), 0.5)); // (B,H,T,D)
      const scores = tf.div(tf.matMul(qLora, k, false, true), Math.sqrt(8)); // (B,H,T,T)
      const mask = tf.sub(1, tf.linalg.bandPart(tf.ones([4, 4]), -1, 0)); // 1 above the diagonal
      const probs = tf.softmax(tf.add(scores, tf.mul(mask, -1e9)));
      return tf.matMul(probs, v); // (B,H,T,D)
    },
    gradWrt: [0, 1, 2, 3, 4],
  },
];

/** Model-sized shapes: GPU kernels switch to tiled / multi-workgroup code paths above small sizes. */
const large: OpCase[] = [
  { name: 'large matMul (128,256)@(384,256)ᵀ', inputs: () => [rand([128, 256], 110), rand([384, 256], 111)], forward: (a, b) => tf.matMul(a, b, false, true), gradWrt: [0, 1], tol: 1e-3 },
  { name: 'large matMul transposeA+B (40,24)ᵀ@(32,40)ᵀ (wasm explicit-transpose path)', inputs: () => [rand([40, 24], 114), rand([32, 40], 115)], forward: (a, b) => tf.matMul(a, b, true, true), gradWrt: [0, 1], tol: 1e-3 },
  { name: 'large batched matMul (4,8,64,32)@(4,8,64,32)ᵀ', inputs: () => [rand([4, 8, 64, 32], 112), rand([4, 8, 64, 32], 113)], forward: (a, b) => tf.matMul(a, b, false, true), gradWrt: [0, 1], tol: 1e-3 },
  { name: 'large logSoftmax over vocab 2048', inputs: () => [rand([16, 2048], 114, -8, 8)], forward: (x) => tf.logSoftmax(x), gradWrt: [0], tol: 1e-3 },
  { name: 'large softmax + logSumExp + max over 2048', inputs: () => [rand([16, 2048], 115, -8, 8)], forward: (x) => [tf.softmax(x), tf.logSumExp(x, -1), tf.max(x, -1)], gradWrt: [0], tol: 1e-3 },
  { name: 'large sum/mean over 100k elements', inputs: () => [rand([100, 1000], 116)], forward: (x) => [tf.sum(x), tf.mean(x, 0)], gradWrt: [0], tol: 1e-3 },
  { name: 'large embedding gather (2048,64) x 512 ids', inputs: () => [rand([2048, 64], 117), tf.tensor(Array.from({ length: 512 }, (_, i) => (i * 37) % 2048), [8, 64], 'int32')], forward: (t, ids) => tf.gather(t, ids), gradWrt: [0], tol: 1e-3 },
  { name: 'large transpose (4,64,8,32) → (4,8,64,32)', inputs: () => [rand([4, 64, 8, 32], 118)], forward: (x) => tf.transpose(x, [0, 2, 1, 3]), gradWrt: [0] },
  { name: 'large cumsum over 1000', inputs: () => [rand([4, 1000], 119)], forward: (x) => tf.cumsum(x, 1), gradWrt: [0], tol: 1e-3 },
];

export const OP_CASES: OpCase[] = [...linearAlgebra, ...shapes, ...indexing, ...elementwise, ...reductions, ...random, ...composites, ...large];
