// The LLaMA MLP's gated activation silu(gate) ⊙ up (transformers `LlamaMLP`: act_fn(gate_proj(x)) * up_proj(x)),
// with its gradient written out (issue #8: autodiff of sigmoid and two products spends eight passes over (N, I)
// backward, this spends six). With s = σ(g) and a = g·s = silu(g):
//   d up = dy ⊙ a,   d gate = (dy ⊙ up) ⊙ silu'(g),   silu'(g) = s + g·s·(1 − s) = s + a − a·s.
// It keeps s, a and up (autodiff also kept g: one (N, I) tensor fewer).
import * as tf from '@tensorflow/tfjs';

export function swiglu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((gArg, uArg, save) => {
    const [g, u] = [gArg, uArg] as tf.Tensor[];
    const s = tf.sigmoid(g);
    const a = tf.mul(g, s);
    (save as tf.GradSaveFunc)([s, a, u]);
    return {
      value: tf.mul(a, u),
      // In a tidy: tfjs calls a custom gradient outside one and keeps whatever it leaves until the backward ends.
      gradFunc: (dy, [sig, act, upSaved]) => tf.tidy(() => {
        const dAct = tf.mul(dy, upSaved);
        const dGate = tf.mul(dAct, tf.sub(tf.add(sig, act), tf.mul(act, sig)));
        return [dGate, tf.mul(dy, act)];
      }),
    };
  });
  return op(gate, up) as tf.Tensor2D;
}
