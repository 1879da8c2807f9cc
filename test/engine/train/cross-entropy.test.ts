// The training loss's written-out cross-entropy: the value and gradient by hand on a 2×3 case, and a target id
// outside the vocabulary refused with a message that names the mismatch (not an out-of-range gather).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crossEntropySum } from '../../../src-main/engine/train/loss';
import { describeEachBackend, toArray } from '../../helpers/backends';

describeEachBackend('crossEntropySum', () => {
  it('is Σ logsumexp − logit[target], with gradient softmax − one-hot', async () => {
    // Row 0: logits [0, 0, 0], target 1 → ln 3; gradient [1/3, −2/3, 1/3].
    // Row 1: logits [0, ln 3, 0]: p = [1/5, 3/5, 1/5], target 0 → ln 5; gradient [−4/5, 3/5, 1/5].
    const x = tf.tensor2d([[0, 0, 0], [0, Math.log(3), 0]]);
    const t = Int32Array.from([1, 0]);
    expect((await toArray(crossEntropySum(x, t)))[0]).toBeCloseTo(Math.log(3) + Math.log(5), 5);
    const g = await toArray(tf.grad((l: tf.Tensor) => crossEntropySum(l as tf.Tensor2D, t))(x));
    [1 / 3, -2 / 3, 1 / 3, -4 / 5, 3 / 5, 1 / 5].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
  });
}, { backends: ['cpu', 'wasm'] });

describe('crossEntropySum on bad targets', () => {
  it('names a target outside the vocabulary', () => {
    expect(() => crossEntropySum(tf.zeros([1, 4]) as tf.Tensor2D, Int32Array.from([4]))).toThrow(/Target token id 4 is outside the model's vocabulary \(0…3\)/);
  });
});
