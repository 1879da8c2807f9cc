// AdamW with PyTorch's update rule (torch.optim.AdamW, single-tensor path):
//   p ← p·(1 − lr·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
//   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
// The moments are tfjs variables so an update runs entirely on the backend; state() / load() make it
// checkpointable bit-for-bit.
import * as tf from '@tensorflow/tfjs';
import { variableFrom } from '../adapters/variables';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export class AdamW {
  /** Updates done so far (PyTorch's `step` in the state). */
  t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(private readonly params: Map<string, tf.Variable>, private readonly opts: AdamWOptions = ADAMW_DEFAULTS) {
    for (const [key, p] of params) {
      // variableFrom disposes the zeros it starts from (a variable shares its initial tensor's buffer, which would
      // otherwise stay allocated after dispose()).
      this.m.set(key, variableFrom(tf.zerosLike(p), `${key}.exp_avg`, false));
      this.v.set(key, variableFrom(tf.zerosLike(p), `${key}.exp_avg_sq`, false));
    }
  }

  step(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.opts;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, this.t));
    const stepSize = lr / bc1;
    for (const [key, p] of this.params) {
      const g = grads.get(key);
      if (!g) continue;
      const m = this.m.get(key)!;
      const v = this.v.get(key)!;
      tf.tidy(() => {
        if (wd !== 0) p.assign(tf.mul(p, 1 - lr * wd));
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** Moments by parameter key, for checkpoints (`<key>.exp_avg`, `<key>.exp_avg_sq`). */
  stateTensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const key of this.params.keys()) {
      out.set(`${key}.exp_avg`, this.m.get(key)!);
      out.set(`${key}.exp_avg_sq`, this.v.get(key)!);
    }
    return out;
  }

  load(t: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.t = t;
    for (const [name, variable] of this.stateTensors()) {
      const saved = tensors.get(name);
      if (!saved) throw new Error(`optimizer state ${name} is missing from the checkpoint`);
      variable.assign(tf.tensor(saved.data, saved.shape));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** Scales gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_); returns the norm before clipping. */
export async function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): Promise<number> {
  const normT = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
  const norm = (await normT.data())[0];
  normT.dispose();
  const coef = maxNorm / (norm + 1e-6);
  if (maxNorm > 0 && coef < 1 && Number.isFinite(norm)) {
    for (const [k, g] of grads) {
      grads.set(k, tf.mul(g, coef));
      g.dispose();
    }
  }
  return norm;
}
