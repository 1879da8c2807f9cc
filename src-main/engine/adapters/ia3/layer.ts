// An (IA)³-wrapped linear layer (PEFT `ia3/layer.py` Linear; peft-spec §4):
//   output scaling, l (m, 1):        y = base(x) ⊙ lᵀ          (the bias is scaled too)
//   input scaling (feed-forward), l (1, n): y = base(x ⊙ l)
//   merge: W ← W ⊙ l (rows for (m, 1), columns for (1, n)), b ← b ⊙ l for output scaling;
//   unmerge: W ← W ⊘ (l + 1e−8), b ← b ⊘ (l + 1e−8), as PEFT (exact only up to rounding).
// The weight changes through BaseWeight.addDelta with Δ = W ⊙ (l − 1) (merge) or W ⊙ (1/(l + 1e−8) − 1) (unmerge),
// W read with materialize(), so packed base formats work unchanged.
// Legend: N rows, n in_features, m out_features.
import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from '../../model/linear';
import { FrozenLinear } from '../../model/linear';
import type { AdapterLinear } from '../wrapped';

const UNMERGE_EPS = 1e-8;

export class Ia3Linear implements AdapterLinear {
  enabled = true;
  merged = false;

  constructor(
    private frozen: FrozenLinear,
    readonly l: tf.Variable, // (m, 1) or (1, n)
    readonly feedforward: boolean,
  ) {}

  /** The base layer; merging into a layer with a bias replaces it (the bias tensor is scaled too). */
  get base(): FrozenLinear {
    return this.frozen;
  }

  get info() {
    return this.frozen.info;
  }

  forward(x: tf.Tensor2D, _ctx: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.enabled || this.merged) return this.frozen.forward(x);
      if (this.feedforward) return this.frozen.forward(tf.mul(x, this.l) as tf.Tensor2D); // (N, n) ⊙ (1, n)
      const m = this.info.outFeatures;
      return tf.mul(this.frozen.forward(x), tf.reshape(this.l, [1, m])) as tf.Tensor2D; // (N, m) ⊙ (1, m)
    });
  }

  variables(): tf.Variable[] {
    return [...this.frozen.variables(), this.l];
  }

  merge(): void {
    if (this.merged) return;
    this.rescale(() => this.l);
    this.merged = true;
  }

  unmerge(): void {
    if (!this.merged) return;
    this.rescale(() => tf.reciprocal(tf.add(this.l, UNMERGE_EPS)));
    this.merged = false;
  }

  /** W ← W ⊙ f (broadcast as l), and b ← b ⊙ f for output scaling. */
  private rescale(factor: () => tf.Tensor): void {
    const delta = tf.tidy(() => {
      const W = this.frozen.weight.materialize(); // (m, n)
      return tf.mul(W, tf.sub(factor(), 1)) as tf.Tensor2D; // W ⊙ (f − 1)
    });
    const weight = this.frozen.weight.addDelta(delta);
    delta.dispose();
    const bias = this.frozen.bias;
    if (this.feedforward || !bias) {
      this.frozen.weight = weight;
      return;
    }
    // FrozenLinear's bias is fixed at construction, so a scaled bias means a new base layer (same info and weight).
    const scaled = tf.tidy(() => tf.mul(bias, tf.reshape(factor(), [this.info.outFeatures])) as tf.Tensor1D);
    this.frozen = new FrozenLinear(this.frozen.info, weight, scaled);
    bias.dispose();
  }

  /** Frees the adapter's tensors; the base layer lives on. */
  dispose(): void {
    this.l.dispose();
  }
}
