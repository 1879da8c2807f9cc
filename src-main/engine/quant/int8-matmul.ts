// LLM.int8's activation side (peft-spec §2.8; bitsandbytes `autograd/_functions.py` MatMul8bitLt,
// `backends/default/ops.py` int8_vectorwise_quant, int8_mixed_scaled_mm). Legend: N tokens, n in, m out.
//
// With threshold τ > 0, outlier columns are the input features where some |X_tj| ≥ τ. Those outlier entries are
// zeroed, each row is quantised to int8 by its own absmax (SCA_t, round half to even), the outlier columns of
// CA are set to 0, and the int8 product is dequantised:  Y = (CA·CBᵀ) · SCA·SCB / 127² + X[:, out]·Ŵ[:, out]ᵀ,
// with Ŵ = CB·SCB/127. The outlier columns thus keep the activations' full precision (float32 here; bitsandbytes
// uses fp16). τ = 0 disables the decomposition: every column goes through int8.
// Both terms are one product: Y = X̃·Ŵᵀ with X̃ = CA·SCA/127 + X ⊙ outlierColumns (equal up to float32 rounding
// of the order of summation), so the int8 layer costs one dequantisation and one matmul, like the 4-bit one.
import * as tf from '@tensorflow/tfjs';

/** X̃: the activations as the int8 path sees them, outlier columns at full precision. (N, n) → (N, n). */
export function int8Activations(x: tf.Tensor2D, threshold: number): tf.Tensor2D {
  return tf.tidy(() => {
    const abs = tf.abs(x);
    const outlier = threshold > 0 ? tf.greaterEqual(abs, threshold) : null; // (N, n)
    const kept = outlier ? tf.where(outlier, tf.zerosLike(x), x) : x; // outlier entries zeroed
    const sca = tf.max(tf.abs(kept), 1, true); // (N, 1)
    const scale = tf.where(tf.greater(sca, 0), tf.div(127, sca), tf.zerosLike(sca)); // 127/SCA_t, 0 for a zero row
    const ca = tf.round(tf.mul(kept, scale)); // (N, n) integers in [−127, 127]
    const deq = tf.mul(ca, tf.div(sca, 127)); // CA·SCA/127
    if (!outlier) return deq as tf.Tensor2D;
    const cols = tf.max(tf.cast(outlier, 'float32'), 0, true); // (1, n): 1 in outlier columns
    return tf.add(tf.mul(deq, tf.sub(1, cols)), tf.mul(x, cols)) as tf.Tensor2D;
  });
}

/** The LLM.int8 forward: (N, n), Ŵ (m, n) → (N, m). */
export function int8Forward(threshold: number): (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D {
  return (x, w) => tf.tidy(() => tf.matMul(int8Activations(x, threshold), w, false, true));
}
