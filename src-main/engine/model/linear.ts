// Linear layers of a frozen base model and the storage of their weights.
// Legend: N = rows (batch·tokens flattened), n = in_features, m = out_features.
// A BaseWeight is how the frozen matrix is held (dense float32 here; packed 4/8/16-bit formats plug in with the
// same interface), a LinearLayer is anything that maps (N, n) → (N, m): the frozen base or an adapter around it.
import * as tf from '@tensorflow/tfjs';
import type { LinearModuleInfo } from './architectures/types';

export interface ForwardContext {
  /** Training mode: dropout active. */
  training: boolean;
  /** Base seed of this forward pass (run seed mixed with step); layers derive their own from it. */
  seed: number;
  /** Training: recompute each decoder layer during backprop instead of keeping its activations (recompute.ts). */
  gradientCheckpointing?: boolean;
}

export const INFERENCE: ForwardContext = { training: false, seed: 0 };

export interface BaseWeight {
  /** (m, n), PyTorch layout. */
  readonly shape: [number, number];
  /** Storage bits per weight, constants included (32 for dense float32). */
  readonly bitsPerWeight: number;
  /** x·Wᵀ: (N, n) → (N, m). */
  matmul(x: tf.Tensor2D): tf.Tensor2D;
  /** Dense float32 copy of W (m, n); the caller owns and disposes it. */
  materialize(): tf.Tensor2D;
  /** Bytes held in memory for this weight. */
  byteSize(): number;
  /** W + Δ as a new weight of the same format (packed formats dequantise, add, re-quantise); disposes this one. */
  addDelta(delta: tf.Tensor2D): BaseWeight;
  dispose(): void;
}

/** A float32 matrix kept as one tensor. `shared` weights (tied lm_head) are not disposed by this object. */
export class DenseWeight implements BaseWeight {
  readonly shape: [number, number];
  readonly bitsPerWeight = 32;
  constructor(readonly tensor: tf.Tensor2D, private readonly shared = false) {
    this.shape = tensor.shape as [number, number];
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(x, this.tensor, false, true); // (N, n)·(m, n)ᵀ → (N, m)
  }
  materialize(): tf.Tensor2D {
    return this.tensor.clone();
  }
  byteSize(): number {
    return this.shared ? 0 : this.shape[0] * this.shape[1] * 4;
  }
  /** A shared (tied) weight is copied, not changed in place: merging into lm_head unties it from the embeddings. */
  addDelta(delta: tf.Tensor2D): BaseWeight {
    const next = new DenseWeight(tf.keep(tf.add(this.tensor, delta) as tf.Tensor2D));
    this.dispose();
    return next;
  }
  dispose(): void {
    if (!this.shared) this.tensor.dispose();
  }
}

export interface LinearLayer {
  readonly info: LinearModuleInfo;
  /** (N, n) → (N, m) */
  forward(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** Every trainable variable `forward` may read (gradient checkpointing differentiates with respect to them). */
  variables(): tf.Variable[];
  dispose(): void;
}

/** The frozen base layer: y = x·Wᵀ + b. Gets no gradient (its tensors are not variables). */
export class FrozenLinear implements LinearLayer {
  constructor(
    readonly info: LinearModuleInfo,
    public weight: BaseWeight,
    readonly bias: tf.Tensor1D | null,
  ) {}

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.weight.matmul(x); // (N, m)
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** None for a frozen base; full fine-tuning makes the weight and bias variables. */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    if (this.weight instanceof DenseWeight && this.weight.tensor instanceof tf.Variable) out.push(this.weight.tensor);
    if (this.bias instanceof tf.Variable) out.push(this.bias);
    return out;
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

