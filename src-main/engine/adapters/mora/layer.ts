// A MoRA-wrapped linear layer (MoRA fork `lora/layer.py` Linear with use_mora; peft-spec §3.2–3.4):
//   y = base(x) + D(M · C(dropout(x))),  no scaling (lora_alpha is unused),
//   ΔW = D·M·C (m, n) (block diagonal for type 6);  merge: W ← W + ΔW, unmerge: W ← W − ΔW.
// The type (C and D) is a MoraVariant; ReMoRA swaps it after folding ΔW into the base for good (`restart`).
// Legend: N rows, n in_features, m out_features, R = r̂.
import * as tf from '@tensorflow/tfjs';
import type { ForwardContext, FrozenLinear } from '../../model/linear';
import { mixSeed } from '../../rng';
import type { AdapterLinear } from '../wrapped';
import type { MoraGeometry } from './geometry';
import { moraGeometry } from './geometry';
import type { MoraOperator, MoraVariant } from './variant';

export class MoraLinear implements AdapterLinear {
  enabled = true;
  merged = false;
  readonly geometry: MoraGeometry;
  private op: MoraOperator;

  constructor(
    readonly base: FrozenLinear,
    readonly M: tf.Variable, // (R, R)
    private currentVariant: MoraVariant,
    readonly dropout: number,
    /** Distinguishes this layer's dropout stream from every other layer's. */
    readonly seedSalt: number,
  ) {
    this.geometry = moraGeometry(base.info.inFeatures, base.info.outFeatures, M.shape[0]);
    this.op = currentVariant.create(this.geometry);
  }

  get info() {
    return this.base.info;
  }

  get variant(): MoraVariant {
    return this.currentVariant;
  }

  forward(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.base.forward(x); // (N, m)
      if (!this.enabled || this.merged) return y;
      const xd = ctx.training && this.dropout > 0 ? tf.dropout(x, this.dropout, undefined, mixSeed(ctx.seed, this.seedSalt)) : x;
      return tf.add(y, this.op.forward(xd as tf.Tensor2D, this.M as tf.Tensor2D)) as tf.Tensor2D; // (N, m)
    });
  }

  variables(): tf.Variable[] {
    return [...this.base.variables(), this.M];
  }

  /** ΔW (m, n). */
  deltaWeight(): tf.Tensor2D {
    return this.op.deltaWeight(this.M as tf.Tensor2D);
  }

  merge(): void {
    if (this.merged) return;
    this.addToBase(1);
    this.merged = true;
  }

  unmerge(): void {
    if (!this.merged) return;
    this.addToBase(-1);
    this.merged = false;
  }

  /**
   * ReMoRA: keeps ΔW in the base weights for good (merged unless already merged), resets M to zero and
   * continues with `next` type. The layer is unmerged afterwards (its M is zero, so the output is unchanged).
   */
  restart(next: MoraVariant): void {
    if (!this.merged) this.addToBase(1);
    this.merged = false;
    tf.tidy(() => this.M.assign(tf.zerosLike(this.M)));
    if (next !== this.currentVariant) {
      this.op.dispose();
      this.currentVariant = next;
      this.op = next.create(this.geometry);
    }
  }

  private addToBase(sign: 1 | -1): void {
    const delta = tf.tidy(() => (sign === 1 ? this.deltaWeight() : tf.neg(this.deltaWeight())) as tf.Tensor2D);
    this.base.weight = this.base.weight.addDelta(delta);
    delta.dispose();
  }

  /** Frees the adapter's tensors; the base layer lives on. */
  dispose(): void {
    this.M.dispose();
    this.op.dispose();
  }
}
