// RMSNorm (LlamaRMSNorm; peft-spec §7): y = x · rs · w per row, rs = 1/√(mean(x²) + ε), in float32, with its
// gradient written out instead of taken through square, mean, add, rsqrt and two broadcast products by autodiff
// (issue #8: autodiff spends ten passes over (N, H) and a ones-tensor on the mean's gradient; this is six).
// For one row of H features, with g = dy ⊙ w:
//   ∂rs/∂x_i = −rs³ · x_i / H,   so   dx = rs · (g − x · rs² · Σ_j(g_j x_j) / H),   dw = Σ_rows dy ⊙ x · rs.
// The weight gets a gradient only when it is a trainable variable (full fine-tuning); a frozen weight is closed over,
// so no pass is spent on a gradient nobody reads.
import * as tf from '@tensorflow/tfjs';

export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  const H = x.shape[1];
  const scale = (xi: tf.Tensor) => tf.rsqrt(tf.add(tf.mean(tf.square(xi), -1, true), eps)); // (N, 1)
  // In a tidy: tfjs calls a custom gradient outside one and keeps whatever it leaves until the backward pass ends.
  const dx = (dy: tf.Tensor, wi: tf.Tensor, xs: tf.Tensor, rs: tf.Tensor) => tf.tidy(() => {
    const g = tf.mul(dy, wi);
    const c = tf.mul(tf.sum(tf.mul(g, xs), -1, true), tf.div(tf.square(rs), H)); // (N, 1)
    return tf.mul(tf.sub(g, tf.mul(xs, c)), rs);
  });
  if (!(w instanceof tf.Variable && w.trainable)) {
    const op = tf.customGrad((xArg, save) => {
      const xi = xArg as tf.Tensor;
      const rs = scale(xi);
      // w is saved too, not only closed over: the tape keeps saved tensors alive until the backward pass, a weight
      // made inside the differentiated function would be disposed by then.
      (save as tf.GradSaveFunc)([xi, rs, w]);
      return { value: tf.mul(tf.mul(xi, rs), w), gradFunc: (dy, [xs, r, ws]) => dx(dy, ws, xs, r) };
    });
    return op(x) as tf.Tensor2D;
  }
  const op = tf.customGrad((xArg, wArg, save) => {
    const [xi, wi] = [xArg, wArg] as tf.Tensor[];
    const rs = scale(xi);
    (save as tf.GradSaveFunc)([xi, rs, wi]);
    return {
      value: tf.mul(tf.mul(xi, rs), wi),
      gradFunc: (dy, [xs, r, ws]) => [dx(dy, ws, xs, r), tf.tidy(() => tf.sum(tf.mul(dy, tf.mul(xs, r)), 0))],
    };
  });
  return op(x, w) as tf.Tensor2D;
}
