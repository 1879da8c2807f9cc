// Cases tfjs-backend-webgpu 4.22 got wrong, fixed in webgpu.ts, checked on every backend.
// tf.addN over more tensors than a WebGPU shader can bind (tfjs-backend-webgpu binds every input as a storage
// buffer; Mesa llvmpipe allows 16 per stage, the WebGPU default is 8): the global gradient norm of a LoRA step sums
// one square-sum per trainable tensor. webgpu.ts splits AddN to fit; every backend gives the exact sums.
// Matmuls with B transposed where tfjs picks its split-K program (few output tiles, inner size ≥ 2000), which
// reads a transposed B wrongly: webgpu.ts takes the small-output-size program for them.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeEachBackend, toArray } from '../../helpers/backends';
import { clipGradNorm } from '../../../src-main/engine/train/optimizer';

/** Exact-ish reference by hand in float64. */
function matmulTransposedB(a: Float32Array, b: Float32Array, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += a[i * k + q] * b[j * k + q];
    out.push(s);
  }
  return out;
}

describeEachBackend('matMul with B transposed and a long inner dimension', () => {
  it.each([[16, 2048, 16], [256, 2048, 8], [1, 3200, 8], [8, 2500, 24]])('[%i×%i]·[%i×…]ᵀ', async (m, k, n) => {
    const a = tf.randomUniform([m, k], 0.5, 1.5, 'float32', 1);
    const b = tf.randomUniform([n, k], 0.5, 1.5, 'float32', 2);
    const expected = matmulTransposedB(await a.data() as Float32Array, await b.data() as Float32Array, m, k, n);
    const y = tf.matMul(a, b, false, true);
    const actual = await toArray(y);
    const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]) / expected[i]));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([a, b, y]);
  });
});

describeEachBackend('addN over many tensors', () => {
  it.each([2, 15, 16, 17, 40, 300])('%i tensors', async (n) => {
    // tf.add(…, 0) puts each input on the device (as a step's gradients are), not in CPU memory.
    const xs = Array.from({ length: n }, (_, i) => tf.add(tf.fill([3, 5], i + 1), 0));
    const sum = tf.addN(xs);
    expect(await toArray(sum)).toEqual(new Array(15).fill((n * (n + 1)) / 2));
    tf.dispose([...xs, sum]);
  });

  it('the global gradient norm of 16 tensors', async () => {
    const grads = new Map(Array.from({ length: 16 }, (_, i) => [`g${i}`, tf.add(tf.fill([64, 8], 1), 0)] as [string, tf.Tensor]));
    expect(await clipGradNorm(grads, 1)).toBeCloseTo(Math.sqrt(16 * 64 * 8), 3);
    tf.dispose([...grads.values()]);
  });
});
