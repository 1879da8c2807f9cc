// silu(gate) ⊙ up with its written-out gradient (swiglu.ts) against values worked by hand and TensorFlow.js's autodiff
// of the composite formula (an independent derivation of the same gradient).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { swiglu } from '../../../src-main/engine/model/swiglu';
import { rand } from '../backends/op-cases';

beforeAll(async () => {
  await useBackend('cpu');
});

const composite = (g: tf.Tensor, u: tf.Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);

describe('swiglu', () => {
  it('matches values worked by hand: silu(0) = 0 with slope ½, silu(2) = 2σ(2) with slope σ(2)(1 + 2(1 − σ(2)))', () => {
    const g = tf.tensor2d([[0, 2]]);
    const u = tf.tensor2d([[3, -1.5]]);
    const s2 = 1 / (1 + Math.exp(-2));
    const y = swiglu(g, u).dataSync();
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(2 * s2 * -1.5, 6);
    const [dg, du] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(swiglu(a as tf.Tensor2D, b as tf.Tensor2D)))([g, u]).map((t) => t.dataSync());
    expect(dg[0]).toBeCloseTo(0.5 * 3, 6);
    expect(dg[1]).toBeCloseTo(s2 * (1 + 2 * (1 - s2)) * -1.5, 6);
    expect(du[0]).toBe(0);
    expect(du[1]).toBeCloseTo(2 * s2, 6);
  });

  it('has the gradients autodiff gives the composite formula, for gate and up', () => {
    const g = rand([5, 12], 1, -6, 6);
    const u = rand([5, 12], 2);
    const dy = rand([5, 12], 3);
    const loss = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy));
    const ours = tf.grads(loss((a, b) => swiglu(a as tf.Tensor2D, b as tf.Tensor2D)))([g, u]);
    const theirs = tf.grads(loss(composite))([g, u]);
    ours.forEach((t, i) => {
      expect(tf.max(tf.abs(tf.sub(t, theirs[i]))).dataSync()[0], `gradient ${i}`).toBeLessThan(1e-6);
      expect(tf.max(tf.abs(theirs[i])).dataSync()[0]).toBeGreaterThan(0.1);
    });
    expect(tf.max(tf.abs(tf.sub(swiglu(g as tf.Tensor2D, u as tf.Tensor2D), composite(g, u)))).dataSync()[0]).toBe(0);
  });
});
