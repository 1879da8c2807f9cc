// A LoRA-wrapped linear layer (PEFT `lora/layer.py` Linear; peft-spec §1.3–1.5):
//   y = base(x) + (B · A · dropout(x)) · s,  s = alpha/r (or alpha/√r with rsLoRA),
//   ΔW = s · B·A  (m, n);  merge: W ← W + ΔW, unmerge: W ← W − ΔW.
// Legend: N rows, n in_features, m out_features, r rank.
import * as tf from '@tensorflow/tfjs';
import type { ForwardContext, FrozenLinear, LinearLayer } from '../../model/linear';
import { mixSeed } from '../../rng';

export class LoraLinear implements LinearLayer {
  enabled = true;
  merged = false;

  constructor(
    readonly base: FrozenLinear,
    readonly A: tf.Variable, // (r, n)
    readonly B: tf.Variable, // (m, r)
    readonly scaling: number,
    readonly dropout: number,
    /** Distinguishes this layer's dropout stream from every other layer's. */
    readonly seedSalt: number,
  ) {}

  get info() {
    return this.base.info;
  }

  forward(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.base.forward(x); // (N, m)
      if (!this.enabled || this.merged) return y;
      const xd = ctx.training && this.dropout > 0 ? tf.dropout(x, this.dropout, undefined, mixSeed(ctx.seed, this.seedSalt)) : x;
      const ax = tf.matMul(xd, this.A, false, true); // (N, r)
      const bax = tf.matMul(ax, this.B, false, true); // (N, m)
      return tf.add(y, this.scaling === 1 ? bax : tf.mul(bax, this.scaling)) as tf.Tensor2D;
    });
  }

  variables(): tf.Variable[] {
    return [...this.base.variables(), this.A, this.B];
  }

  /** ΔW = s·B·A, (m, n). */
  deltaWeight(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.B, this.A), this.scaling) as tf.Tensor2D);
  }

  merge(): void {
    if (this.merged) return;
    const delta = this.deltaWeight();
    this.base.weight = this.base.weight.addDelta(delta);
    delta.dispose();
    this.merged = true;
  }

  unmerge(): void {
    if (!this.merged) return;
    const delta = tf.tidy(() => tf.neg(this.deltaWeight()) as tf.Tensor2D);
    this.base.weight = this.base.weight.addDelta(delta);
    delta.dispose();
    this.merged = false;
  }

  /** Frees the adapter's tensors; the base layer lives on. */
  dispose(): void {
    this.A.dispose();
    this.B.dispose();
  }
}
