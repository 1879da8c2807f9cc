// Values worked out by hand (not by another backend), on every backend: the cases where "same as cpu" is not
// enough because tfjs itself had no gradient or a wrong one (gradients.ts), or wasm had no kernel (wasm-kernels.ts).
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeEachBackend, toArray } from '../../helpers/backends';

function close(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
}

describeEachBackend('hand-checked values', () => {
  it('matMul 2x2 and its gradient', async () => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[5, 6], [7, 8]]);
    close(await toArray(tf.matMul(a, b)), [19, 22, 43, 50]);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
    close(await toArray(da), [11, 15, 11, 15]); // dA = 1·Bᵀ: row sums of B
    close(await toArray(db), [4, 4, 6, 6]); // dB = Aᵀ·1: column sums of A
  });

  it('gather gradient counts repeated ids (embedding backprop = UnsortedSegmentSum)', async () => {
    const table = tf.zeros([5, 2]);
    const ids = tf.tensor1d([1, 3, 1, 1, 4], 'int32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table);
    close(await toArray(g), [0, 0, 3, 3, 0, 0, 1, 1, 1, 1]);
  });

  it('unsortedSegmentSum sums rows per segment and drops ids out of range', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const s = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, -1], 'int32'), 3);
    expect(s.shape).toEqual([3, 2]);
    close(await toArray(s), [3, 4, 0, 0, 6, 8]);
  });

  it('gather with batchDims 1 picks one logit per row', async () => {
    const logits = tf.tensor2d([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14]]);
    const picked = tf.gather(logits, tf.tensor2d([[4], [0], [2]], [3, 1], 'int32'), 1, 1);
    close(await toArray(picked), [4, 5, 12]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor2d([[4], [0], [2]], [3, 1], 'int32'), 1, 1)))(logits);
    close(await toArray(g), [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('stridedSlice of int32 keeps dtype and values; its gradient marks the picked positions', async () => {
    const iota = tf.reshape(tf.range(0, 24, 1, 'int32'), [4, 6]);
    const picked = tf.stridedSlice(iota, [0, 1], [4, 6], [2, 2]);
    expect(picked.dtype).toBe('int32');
    close(await toArray(picked), [1, 3, 5, 13, 15, 17]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.stridedSlice(x, [0, 1], [4, 6], [2, 2])))(tf.zeros([4, 6]));
    close(await toArray(g), [0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('stridedSlice of bool keeps dtype and values', async () => {
    const mask = tf.tensor1d([true, false, false, true, true, false], 'bool');
    const picked = tf.stridedSlice(mask, [0], [6], [2]);
    expect(picked.dtype).toBe('bool');
    expect(await toArray(picked)).toEqual([1, 0, 1]);
  });

  it('reverse cumsum is right for one length after another (webgpu shader cache)', async () => {
    for (const n of [3, 7, 130]) {
      const expected = Array.from({ length: n }, (_, i) => n - i); // reverse cumsum of ones
      close(await toArray(tf.cumsum(tf.ones([n]), 0, false, true)), expected);
      close(await toArray(tf.cumsum(tf.ones([2, n]), 1, true, true)), [...expected.map((v) => v - 1), ...expected.map((v) => v - 1)]);
    }
  });

  it('topk gradient flows to the k largest entries', async () => {
    const x = tf.tensor2d([[0.1, 0.9, 0.5, 0.3], [0.8, 0.2, 0.7, 0.6]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.topk(t, 2).values))(x);
    close(await toArray(g), [0, 1, 1, 0, 1, 0, 1, 0]);
  });

  it('broadcast matMul (B,T,C) @ (C,O): the weight gradient is summed over the batch', async () => {
    const x = tf.ones([2, 3, 2]);
    const w = tf.ones([2, 4]);
    const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.matMul(x, v)))(w);
    expect(dw.shape).toEqual([2, 4]);
    close(await toArray(dw), Array(8).fill(6)); // 2 batches × 3 rows of ones
  });

  it('where(greater(x, 0), x, 0) differentiates like relu', async () => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.where(tf.greater(v, 0), v, tf.zerosLike(v))))(x);
    close(await toArray(g), [0, 0, 1, 1]);
  });

  it('softmax, logSumExp and cumsum', async () => {
    const x = tf.tensor1d([0, Math.log(3)]);
    close(await toArray(tf.softmax(x)), [0.25, 0.75]);
    close(await toArray(tf.logSumExp(x)), [Math.log(4)]);
    close(await toArray(tf.cumsum(tf.tensor1d([1, 2, 3]))), [1, 3, 6]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.cumsum(v), tf.tensor1d([1, 10, 100]))))(tf.zeros([3]));
    close(await toArray(g), [111, 110, 100]);
  });

  it('dropout with a seed is the same mask everywhere and scales kept values by 1/(1-rate)', async () => {
    const y = await toArray(tf.dropout(tf.ones([1000]), 0.5, undefined, 42));
    expect(y.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    const kept = y.filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
  });
});
