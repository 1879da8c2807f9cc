// The LLaMA-family decoder (LlamaForCausalLM semantics, transformers `modeling_llama.py`; peft-spec §7):
//   h = x + o_proj(attn(rmsnorm₁(x)));  out = h + down(silu(gate(rmsnorm₂(h))) ⊙ up(rmsnorm₂(h)))
// with rotate-half RoPE, grouped-query attention and a causal (segment-aware) mask; RMSNorm in float32.
// Legend: B batch, T new tokens, S keys (past + T), N = B·T, H hidden, nh heads, nkv kv-heads, r = nh/nkv,
//         d head_dim, V vocab.
import * as tf from '@tensorflow/tfjs';
import type { Architecture, LinearModuleInfo } from './architectures/types';
import type { ModelConfig } from './config';
import type { KVCache } from './kv-cache';
import type { ForwardContext, LinearLayer } from './linear';
import { INFERENCE } from './linear';
import { buildAttentionMask, defaultPositions } from './mask';
import { RotaryEmbedding, applyRotary } from './rope';

export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

export interface DecoderLayer {
  inputNorm: tf.Tensor1D;
  postNorm: tf.Tensor1D;
  proj: Record<ProjectionName, LinearLayer>;
}

export interface ForwardInput {
  /** (B·T) token ids, row-major. */
  inputIds: Int32Array;
  batchSize: number;
  seqLen: number;
  /** (B·T) RoPE positions; default past…past+T−1. */
  positionIds?: Int32Array;
  /** (B·T) segment ids (0 = padding); default all 1. */
  segmentIds?: Int32Array;
  /** Incremental decoding: keys/values of earlier tokens; appended to in place. */
  cache?: KVCache;
}

export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true); // (N, 1)
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), w) as tf.Tensor2D;
  });
}

export class CausalLM {
  private readonly rope: RotaryEmbedding;
  private readonly infos: Map<string, LinearModuleInfo>;

  constructor(
    readonly config: ModelConfig,
    readonly arch: Architecture,
    readonly embedTokens: tf.Tensor2D,
    readonly layers: DecoderLayer[],
    readonly finalNorm: tf.Tensor1D,
    public lmHead: LinearLayer,
  ) {
    this.rope = new RotaryEmbedding(config);
    this.infos = new Map(arch.linearModules(config).map((m) => [m.name, m]));
  }

  /** Every linear module in `named_modules()` order. */
  linearModules(): LinearModuleInfo[] {
    return [...this.infos.values()];
  }

  getLinear(name: string): LinearLayer {
    const slot = this.slot(name);
    return slot.layer === null ? this.lmHead : this.layers[slot.layer].proj[slot.proj];
  }

  /** Replaces a linear module (adapters wrap the base layer this way). */
  setLinear(name: string, layer: LinearLayer): void {
    const slot = this.slot(name);
    if (slot.layer === null) this.lmHead = layer;
    else this.layers[slot.layer].proj[slot.proj] = layer;
  }

  private slot(name: string): { layer: number | null; proj: ProjectionName } {
    const info = this.infos.get(name);
    if (!info) throw new Error(`no linear module named ${name}`);
    return { layer: info.layer, proj: info.shortName as ProjectionName };
  }

  /** Token embeddings: (B·T) ids → (N, H). */
  embed(ids: Int32Array): tf.Tensor2D {
    return tf.tidy(() => tf.gather(this.embedTokens, tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
  }

  /** Final hidden states after the last RMSNorm: (N, H). */
  hidden(input: ForwardInput, ctx: ForwardContext = INFERENCE): tf.Tensor2D {
    const { batchSize: B, seqLen: T, cache } = input;
    const past = cache?.length ?? 0;
    const positions = input.positionIds ?? defaultPositions(B, T, past);
    if (cache) cache.advance(T, input.segmentIds);
    const mask = buildAttentionMask({
      B, T, past,
      querySegments: input.segmentIds,
      keySegments: cache ? cache.segments : input.segmentIds,
      slidingWindow: this.config.slidingWindow,
    });
    return tf.tidy(() => {
      const maskT = tf.tensor4d(mask, [B, 1, T, past + T]);
      const { cos, sin } = this.rope.lookup(positions, B, T);
      let x = this.embed(input.inputIds); // (N, H)
      for (let l = 0; l < this.layers.length; l++) {
        x = this.decoderLayer(l, x, { B, T, maskT, cos, sin, cache }, ctx);
      }
      return rmsNorm(x, this.finalNorm, this.config.rmsNormEps);
    });
  }

  /** Logits for every position: (B, T, V). */
  logits(input: ForwardInput, ctx: ForwardContext = INFERENCE): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.hidden(input, ctx);
      return this.lmHead.forward(h, ctx).reshape([input.batchSize, input.seqLen, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  private decoderLayer(l: number, x: tf.Tensor2D, a: AttnArgs, ctx: ForwardContext): tf.Tensor2D {
    const layer = this.layers[l];
    const eps = this.config.rmsNormEps;
    const attnOut = this.attention(l, rmsNorm(x, layer.inputNorm, eps), a, ctx);
    const h = tf.add(x, attnOut) as tf.Tensor2D;
    const n2 = rmsNorm(h, layer.postNorm, eps);
    const gate = layer.proj.gate_proj.forward(n2, ctx); // (N, I)
    const up = layer.proj.up_proj.forward(n2, ctx); // (N, I)
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D; // silu(gate) ⊙ up
    return tf.add(h, layer.proj.down_proj.forward(act, ctx)) as tf.Tensor2D;
  }

  private attention(l: number, x: tf.Tensor2D, a: AttnArgs, ctx: ForwardContext): tf.Tensor2D {
    const { B, T } = a;
    const cfg = this.config;
    const nh = cfg.numAttentionHeads;
    const nkv = cfg.numKeyValueHeads;
    const d = cfg.headDim;
    const r = nh / nkv;
    const p = this.layers[l].proj;
    const heads = (t: tf.Tensor2D, n: number) => t.reshape([B, T, n, d]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const q = applyRotary(heads(p.q_proj.forward(x, ctx), nh), a.cos, a.sin); // (B, nh, T, d)
    let k = applyRotary(heads(p.k_proj.forward(x, ctx), nkv), a.cos, a.sin); // (B, nkv, T, d)
    let v = heads(p.v_proj.forward(x, ctx), nkv); // (B, nkv, T, d)
    if (a.cache) ({ k, v } = a.cache.append(l, k, v)); // (B, nkv, S, d)
    const S = k.shape[2];
    // GQA without copying K/V: head h = kv·r + j, so (B, nh, T, d) → (B, nkv, r·T, d) is a plain reshape.
    const qg = q.reshape([B, nkv, r * T, d]);
    const scores = tf.mul(tf.matMul(qg, k, false, true), 1 / Math.sqrt(d)); // (B, nkv, r·T, S)
    const masked = tf.add(scores.reshape([B, nh, T, S]), a.maskT); // (B, nh, T, S)
    const probs = tf.softmax(masked, -1).reshape([B, nkv, r * T, S]);
    const o = tf.matMul(probs, v).reshape([B, nh, T, d]); // (B, nh, T, d)
    const merged = o.transpose([0, 2, 1, 3]).reshape([B * T, nh * d]) as tf.Tensor2D; // (N, nh·d)
    return p.o_proj.forward(merged, ctx);
  }

  dispose(): void {
    this.rope.dispose();
    this.embedTokens.dispose();
    this.finalNorm.dispose();
    for (const layer of this.layers) {
      layer.inputNorm.dispose();
      layer.postNorm.dispose();
      for (const name of PROJECTIONS) layer.proj[name].dispose();
    }
    this.lmHead.dispose();
  }
}

interface AttnArgs {
  B: number;
  T: number;
  maskT: tf.Tensor4D;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  cache?: KVCache;
}
