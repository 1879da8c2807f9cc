// rotate_half as the model computes it (a product with a signed permutation) equals its definition
// [−x₂, x₁] for x = [x₁, x₂], and applyRotary equals q⊙cos + rotate_half(q)⊙sin written out by hand.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyRotary, rotateHalfMatrix } from '../../../src-main/engine/model/rope';
import { describeEachBackend, toArray } from '../../helpers/backends';

describeEachBackend('rotary embedding', () => {
  it('rotates halves exactly: x·R = [−x₂, x₁]', async () => {
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6], [-0.5, 0.25, 7, 1e-3, -9, 11]]);
    expect(await toArray(tf.matMul(x, rotateHalfMatrix(6)))).toEqual([-4, -5, -6, 1, 2, 3, -1e-3, 9, -11, -0.5, 0.25, 7].map(Math.fround));
  });

  it('applies q⊙cos + rotate_half(q)⊙sin', async () => {
    // d = 4, one head, two positions; cos/sin chosen by hand.
    const q = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    const cos = tf.tensor4d([1, 0.5, 1, 0.5, 0, 0, 0, 0], [1, 1, 2, 4]);
    const sin = tf.tensor4d([0, 0.5, 0, 0.5, 1, 1, 1, 1], [1, 1, 2, 4]);
    // position 0: [1, 1, 3, 2] + [−3, −4, 1, 2]⊙[0, .5, 0, .5] = [1, −1, 3, 3]; position 1: [−7, −8, 5, 6]
    expect(await toArray(applyRotary(q, cos, sin, rotateHalfMatrix(4)))).toEqual([1, -1, 3, 3, -7, -8, 5, 6]);
  });
});

describe('rotateHalfMatrix', () => {
  it('has one ±1 per column and nothing else', async () => {
    const r = await rotateHalfMatrix(8).data();
    expect(Array.from(r).filter((v) => v !== 0).sort()).toEqual([-1, -1, -1, -1, 1, 1, 1, 1]);
  });
});
