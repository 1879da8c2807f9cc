// The matmul of a frozen packed weight, with its dequantised copy alive only for a moment. Legend: N rows,
// n in_features, m out_features.
//
// y = x·Ŵᵀ where Ŵ (m, n) is dequantised inside the forward pass and freed when the pass ends (tf.customGrad runs
// its forward in a tidy and records nothing of it on the tape). The weight is frozen, so the only gradient is the
// input's, dx = dy·Ŵ (what bitsandbytes' backward computes, straight through any activation quantisation): the
// backward pass dequantises Ŵ again rather than keeping a float32 copy of every layer alive until backprop.
import * as tf from '@tensorflow/tfjs';

/** (N, n), (m, n) → (N, m). */
export type FrozenForward = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

const plainForward: FrozenForward = (x, w) => tf.matMul(x, w, false, true);

export function matmulDequantized(x: tf.Tensor2D, dequantize: () => tf.Tensor2D, forward: FrozenForward = plainForward): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const value = forward(args[0] as tf.Tensor2D, dequantize()); // (N, m)
    const gradFunc = (dy: tf.Tensor) => tf.tidy(() => tf.matMul(dy as tf.Tensor2D, dequantize())); // (N, m)·(m, n) → (N, n)
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor2D;
}
