// Rotary position embedding in Hugging Face's rotate-half form (transformers `LlamaRotaryEmbedding`,
// `apply_rotary_pos_emb`; peft-spec §7.1): q' = q⊙cos + rotate_half(q)⊙sin, rotate_half(v) = [−v₂, v₁],
// inv_freq_k = 1/θ^(2k/d). Scaling: linear (positions / factor), llama3 (per-frequency smoothing) and
// dynamic NTK (θ grows with the sequence length beyond max_position_embeddings).
// Legend: B batch, h heads, T tokens, d head_dim, P positions in the table.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';

export function ropeInvFreq(cfg: ModelConfig, seqLen: number): Float64Array {
  const d = cfg.headDim;
  const s = cfg.ropeScaling;
  let theta = cfg.ropeTheta;
  if (s?.ropeType === 'dynamic' && seqLen > cfg.maxPositionEmbeddings) {
    // HF `_compute_dynamic_ntk_parameters`: base · ((factor·L/max) − (factor − 1))^(d/(d−2)).
    const f = s.factor;
    theta = theta * Math.pow((f * seqLen) / cfg.maxPositionEmbeddings - (f - 1), d / (d - 2));
  }
  const inv = new Float64Array(d / 2);
  for (let k = 0; k < d / 2; k++) inv[k] = 1 / Math.pow(theta, (2 * k) / d);
  if (s?.ropeType === 'llama3') applyLlama3(inv, s, cfg);
  if (s?.ropeType === 'linear') for (let k = 0; k < inv.length; k++) inv[k] /= s.factor;
  return inv;
}

function applyLlama3(inv: Float64Array, s: NonNullable<ModelConfig['ropeScaling']>, cfg: ModelConfig): void {
  const factor = s.factor;
  const low = s.lowFreqFactor ?? 1;
  const high = s.highFreqFactor ?? 4;
  const oldCtx = s.originalMaxPositionEmbeddings ?? cfg.maxPositionEmbeddings;
  const lowWavelen = oldCtx / low;
  const highWavelen = oldCtx / high;
  for (let k = 0; k < inv.length; k++) {
    const wavelen = (2 * Math.PI) / inv[k];
    if (wavelen > lowWavelen) {
      inv[k] = inv[k] / factor;
    } else if (wavelen >= highWavelen) {
      const smooth = (oldCtx / wavelen - low) / (high - low);
      inv[k] = (1 - smooth) * (inv[k] / factor) + smooth * inv[k];
    }
  }
}

/** cos/sin tables for positions 0…P−1, each (P, d) with the half-duplicated layout [f₀…f_{d/2−1}, f₀…]. */
export function ropeTables(cfg: ModelConfig, positions: number, seqLenForScaling = positions): { cos: Float32Array; sin: Float32Array } {
  const d = cfg.headDim;
  const inv = ropeInvFreq(cfg, seqLenForScaling);
  // HF computes inv_freq and the angles in float32.
  const inv32 = Float32Array.from(inv);
  const cos = new Float32Array(positions * d);
  const sin = new Float32Array(positions * d);
  for (let p = 0; p < positions; p++) {
    for (let k = 0; k < d / 2; k++) {
      const angle = Math.fround(p * inv32[k]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * d + k] = c;
      cos[p * d + k + d / 2] = c;
      sin[p * d + k] = s;
      sin[p * d + k + d / 2] = s;
    }
  }
  return { cos, sin };
}

/** Holds the (P, d) cos/sin tables as tensors, grown on demand. */
export class RotaryEmbedding {
  private cos: tf.Tensor2D | null = null;
  private sin: tf.Tensor2D | null = null;
  private rotation: tf.Tensor2D | null = null;
  private size = 0;
  private scaledFor = 0;

  constructor(private readonly cfg: ModelConfig) {}

  /** cos, sin gathered at the given positions (B·T ids, row-major): each (B, 1, T, d). */
  lookup(positionIds: Int32Array, B: number, T: number): { cos: tf.Tensor4D; sin: tf.Tensor4D; rotation: tf.Tensor2D } {
    let maxPos = 0;
    for (let i = 0; i < positionIds.length; i++) if (positionIds[i] > maxPos) maxPos = positionIds[i];
    this.ensure(maxPos + 1);
    return tf.tidy(() => {
      const flat = tf.tensor1d(positionIds, 'int32');
      const d = this.cfg.headDim;
      const cos = tf.gather(this.cos!, flat).reshape([B, 1, T, d]) as tf.Tensor4D;
      const sin = tf.gather(this.sin!, flat).reshape([B, 1, T, d]) as tf.Tensor4D;
      return { cos, sin, rotation: this.rotation! };
    });
  }

  /** Tables cover positions 0…size−1 (grown in powers of two); dynamic NTK rescales beyond max_position_embeddings. */
  private ensure(needed: number): void {
    const dynamic = this.cfg.ropeScaling?.ropeType === 'dynamic';
    const scaleLen = dynamic && needed > this.cfg.maxPositionEmbeddings ? needed : 0;
    if (this.cos && needed <= this.size && scaleLen === this.scaledFor) return;
    this.cos?.dispose();
    this.sin?.dispose();
    let size = 256;
    while (size < needed) size *= 2;
    const { cos, sin } = ropeTables(this.cfg, size, scaleLen || this.cfg.maxPositionEmbeddings);
    this.cos = tf.keep(tf.tensor2d(cos, [size, this.cfg.headDim]));
    this.sin = tf.keep(tf.tensor2d(sin, [size, this.cfg.headDim]));
    this.size = size;
    this.scaledFor = scaleLen;
    this.rotation ??= tf.keep(rotateHalfMatrix(this.cfg.headDim));
  }

  dispose(): void {
    this.cos?.dispose();
    this.sin?.dispose();
    this.rotation?.dispose();
    this.cos = this.sin = this.rotation = null;
    this.size = 0;
  }
}

/** The (d, d) matrix R with x·R = rotate_half(x) = [−x₂, x₁] for the halves x = [x₁, x₂]: one ±1 per column. */
export function rotateHalfMatrix(d: number): tf.Tensor2D {
  const half = d / 2;
  const r = new Float32Array(d * d);
  for (let j = 0; j < half; j++) {
    r[(j + half) * d + j] = -1; // column j (first half of the output) takes −x[j + d/2]
    r[j * d + j + half] = 1; // column j + d/2 takes x[j]
  }
  return tf.tensor2d(r, [d, d]);
}

/**
 * q⊙cos + rotate_half(q)⊙sin for q (B, h, T, d) and cos/sin (B, 1, T, d). rotate_half is a product with the
 * signed permutation `rotation` (rotateHalfMatrix): exact (one ±1 term per output), one sgemm forward and one
 * backward, where splitting and concatenating halves (or reversing them) cost slow strided copies on wasm.
 */
export function applyRotary(q: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D, rotation: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, h, T, d] = q.shape;
    const rotated = tf.matMul(q.reshape([B * h * T, d]), rotation).reshape([B, h, T, d]);
    return tf.add(tf.mul(q, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  });
}
