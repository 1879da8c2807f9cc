// RMSNorm with its written-out gradient (rms-norm.ts) against (a) values worked out by hand and (b) TensorFlow.js's
// own autodiff of the composite formula, which is an independent derivation of the same gradient.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { rmsNorm } from '../../../src-main/engine/model/rms-norm';
import { rand } from '../backends/op-cases';

const composite = (x: tf.Tensor, w: tf.Tensor, eps: number) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w);
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

beforeAll(async () => {
  await useBackend('cpu');
});

afterAll(() => tf.disposeVariables());

describe('rmsNorm', () => {
  it('normalises each row by its root mean square, then scales by the weight (worked by hand)', () => {
    // Row [3, 4]: mean of squares 12.5, rms 3.5355339; row [1, -1]: rms 1. Weight [2, 0.5]. eps 0.
    const y = rmsNorm(tf.tensor2d([[3, 4], [1, -1]]), tf.tensor1d([2, 0.5]), 0);
    const v = y.dataSync();
    expect(v[0]).toBeCloseTo((3 / Math.sqrt(12.5)) * 2, 6);
    expect(v[1]).toBeCloseTo((4 / Math.sqrt(12.5)) * 0.5, 6);
    expect(Array.from(v.slice(2))).toEqual([2, -0.5]);
  });

  it('has the gradient autodiff gives the composite formula, for the input and a frozen weight', () => {
    const x = rand([6, 16], 1, -2, 2);
    const w = rand([16], 2, 0.5, 1.5) as tf.Tensor1D;
    const dy = rand([6, 16], 3);
    const loss = (f: (x: tf.Tensor) => tf.Tensor) => (xi: tf.Tensor) => tf.sum(tf.mul(f(xi), dy));
    const ours = tf.grad(loss((xi) => rmsNorm(xi as tf.Tensor2D, w, 1e-5)))(x);
    const theirs = tf.grad(loss((xi) => composite(xi, w, 1e-5)))(x);
    expect(maxAbs(rmsNorm(x as tf.Tensor2D, w, 1e-5), composite(x, w, 1e-5))).toBeLessThan(1e-6);
    expect(maxAbs(ours, theirs)).toBeLessThan(2e-6);
    expect(tf.max(tf.abs(theirs)).dataSync()[0]).toBeGreaterThan(0.1); // not a vacuous comparison
  });

  it('gives a trainable weight (full fine-tuning) its gradient, and the input its own', () => {
    const x = rand([5, 8], 4, -2, 2);
    const dy = rand([5, 8], 5);
    const w = tf.variable(rand([8], 6, 0.5, 1.5), true, 'rms-norm-test-w') as tf.Variable<tf.Rank.R1>;
    const ours = tf.variableGrads(() => tf.sum(tf.mul(rmsNorm(x as tf.Tensor2D, w, 1e-6), dy)) as tf.Scalar, [w]);
    const theirs = tf.variableGrads(() => tf.sum(tf.mul(composite(x, w, 1e-6), dy)) as tf.Scalar, [w]);
    expect(maxAbs(ours.grads[w.name], theirs.grads[w.name])).toBeLessThan(2e-6);
    const [dxOurs] = tf.grads((xi: tf.Tensor) => tf.sum(tf.mul(rmsNorm(xi as tf.Tensor2D, w, 1e-6), dy)))([x]);
    const [dxTheirs] = tf.grads((xi: tf.Tensor) => tf.sum(tf.mul(composite(xi, w, 1e-6), dy)))([x]);
    expect(maxAbs(dxOurs, dxTheirs)).toBeLessThan(2e-6);
  });

  it('agrees with a central finite difference of the loss (float64 in JavaScript)', () => {
    // L(x) = Σ dy ⊙ rmsnorm(x) in float64, differentiated numerically at one element of each row.
    const H = 4;
    const xs = [[0.3, -1.2, 0.8, 2.0], [1.5, 0.1, -0.4, -0.9]];
    const ws = [1.1, 0.7, 1.3, 0.9];
    const dys = [[0.5, -0.25, 1, 0.75], [-1, 0.5, 0.25, -0.5]];
    const L = (rows: number[][]) => rows.reduce((s, r, i) => {
      const rs = 1 / Math.sqrt(r.reduce((a, v) => a + v * v, 0) / H + 1e-6);
      return s + r.reduce((a, v, j) => a + dys[i][j] * v * rs * ws[j], 0);
    }, 0);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(rmsNorm(xi as tf.Tensor2D, tf.tensor1d(ws), 1e-6), tf.tensor2d(dys))))(tf.tensor2d(xs)).arraySync() as number[][];
    for (const [i, j] of [[0, 1], [1, 3]]) {
      const h = 1e-6;
      const plus = xs.map((r) => [...r]);
      const minus = xs.map((r) => [...r]);
      plus[i][j] += h;
      minus[i][j] -= h;
      expect(g[i][j]).toBeCloseTo((L(plus) - L(minus)) / (2 * h), 4);
    }
  });
});
