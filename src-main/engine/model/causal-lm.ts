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
import type { PromptHook } from './prompt-hook';
import { promptLayout } from './prompt-hook';
import { recomputed } from './recompute';
import { rmsNorm } from './rms-norm';
import { swiglu } from './swiglu';
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

export class CausalLM {
  private readonly rope: RotaryEmbedding;
  /** Set by a prompt-learning adapter (prompt or prefix tuning); null otherwise. */
  promptHook: PromptHook | null = null;
  private readonly infos: Map<string, LinearModuleInfo>;

  constructor(
    readonly config: ModelConfig,
    readonly arch: Architecture,
    /** Replaceable by full fine-tuning (which trains every parameter as a variable). */
    public embedTokens: tf.Tensor2D,
    readonly layers: DecoderLayer[],
    public finalNorm: tf.Tensor1D,
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

  /** Final hidden states after the last RMSNorm: (N, H), one row per real input token. */
  hidden(input: ForwardInput, ctx: ForwardContext = INFERENCE): tf.Tensor2D {
    const { batchSize: B, seqLen: T, cache } = input;
    const past = cache?.length ?? 0;
    const hook = past === 0 && this.promptHook?.enabled ? this.promptHook : null;
    const Tv = hook?.virtualTokenCount ?? 0;
    const Tp = hook?.prefixLength ?? 0;
    const Tq = Tv + T; // query tokens of this pass
    const given = input.positionIds ?? defaultPositions(B, T, past);
    const lay = hook ? promptLayout(B, T, Tv, Tp, given, input.segmentIds) : { positions: given, querySegments: input.segmentIds, keySegments: input.segmentIds };
    if (cache) cache.advance(Tp + Tq, lay.keySegments);
    const mask = buildAttentionMask({
      B, T: Tq, past: past + Tp,
      querySegments: lay.querySegments,
      keySegments: cache ? cache.segments : lay.keySegments,
      slidingWindow: this.config.slidingWindow,
    });
    return tf.tidy(() => {
      const maskT = tf.tensor4d(mask, [B, 1, Tq, past + Tp + Tq]);
      const { cos, sin, rotation } = this.rope.lookup(lay.positions, B, Tq);
      // The queries' tables carry the attention scale 1/√d: (q·s)·kᵀ = (q·kᵀ)·s, paid on (B, 1, T, d) once per
      // pass instead of on every layer's (B, nh, T, S) scores, forward and backward.
      const scale = 1 / Math.sqrt(this.config.headDim);
      const cosQ = tf.mul(cos, scale) as tf.Tensor4D;
      const sinQ = tf.mul(sin, scale) as tf.Tensor4D;
      let x = this.embed(input.inputIds); // (B·T, H)
      const H = this.config.hiddenSize;
      const virtual = hook?.virtualTokens(ctx);
      if (virtual) {
        const v = tf.broadcastTo(virtual.expandDims(0), [B, Tv, H]); // (B, Tv, H)
        x = tf.concat([v, x.reshape([B, T, H])], 1).reshape([B * Tq, H]) as tf.Tensor2D; // (B·Tq, H)
      }
      const prefix = hook?.prefix(ctx) ?? null;
      const recompute = ctx.training && ctx.gradientCheckpointing === true && !cache;
      for (let l = 0; l < this.layers.length; l++) {
        const pre = prefix ? { k: prefix.keys[l], v: prefix.values[l] } : undefined;
        const a: AttnArgs = { B, T: Tq, maskT, cos, sin, cosQ, sinQ, rotation, cache, prefix: pre };
        x = recompute ? this.recomputedLayer(l, x, a, ctx) : this.decoderLayer(l, x, a, ctx);
      }
      const h = rmsNorm(x, this.finalNorm, this.config.rmsNormEps); // (B·Tq, H)
      return Tv ? (h.reshape([B, Tq, H]).slice([0, Tv, 0], [B, T, H]).reshape([B * T, H]) as tf.Tensor2D) : h;
    });
  }

  /** Logits for every position: (B, T, V). */
  logits(input: ForwardInput, ctx: ForwardContext = INFERENCE): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.hidden(input, ctx);
      return this.lmHead.forward(h, ctx).reshape([input.batchSize, input.seqLen, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Every trainable variable decoder layer `l` reads (its norms under full fine-tuning, its adapters). */
  layerVariables(l: number): tf.Variable[] {
    const layer = this.layers[l];
    const vars = new Set<tf.Variable>();
    for (const norm of [layer.inputNorm, layer.postNorm]) if (norm instanceof tf.Variable) vars.add(norm);
    for (const name of PROJECTIONS) for (const v of layer.proj[name].variables()) vars.add(v);
    return [...vars];
  }

  /** decoderLayer with gradient checkpointing: the layer input (and prefix) kept, its activations recomputed. */
  private recomputedLayer(l: number, x: tf.Tensor2D, a: AttnArgs, ctx: ForwardContext): tf.Tensor2D {
    const inputs = a.prefix ? [x, a.prefix.k, a.prefix.v] : [x];
    return recomputed((xs, [maskT, cos, sin, cosQ, sinQ]) => {
      const prefix = a.prefix ? { k: xs[1] as tf.Tensor3D, v: xs[2] as tf.Tensor3D } : undefined;
      const [c, s, cq, sq] = [cos, sin, cosQ, sinQ] as tf.Tensor4D[];
      const args = { ...a, prefix, maskT: maskT as tf.Tensor4D, cos: c, sin: s, cosQ: cq, sinQ: sq };
      return this.decoderLayer(l, xs[0] as tf.Tensor2D, args, ctx);
    }, inputs, [a.maskT, a.cos, a.sin, a.cosQ, a.sinQ], this.layerVariables(l));
  }

  private decoderLayer(l: number, x: tf.Tensor2D, a: AttnArgs, ctx: ForwardContext): tf.Tensor2D {
    const layer = this.layers[l];
    const eps = this.config.rmsNormEps;
    const attnOut = this.attention(l, rmsNorm(x, layer.inputNorm, eps), a, ctx);
    const h = tf.add(x, attnOut) as tf.Tensor2D;
    const n2 = rmsNorm(h, layer.postNorm, eps);
    const gate = layer.proj.gate_proj.forward(n2, ctx); // (N, I)
    const up = layer.proj.up_proj.forward(n2, ctx); // (N, I)
    const act = swiglu(gate, up); // silu(gate) ⊙ up
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
    const q = applyRotary(heads(p.q_proj.forward(x, ctx), nh), a.cosQ, a.sinQ, a.rotation); // (B, nh, T, d), scaled by 1/√d
    let k = applyRotary(heads(p.k_proj.forward(x, ctx), nkv), a.cos, a.sin, a.rotation); // (B, nkv, T, d)
    let v = heads(p.v_proj.forward(x, ctx), nkv); // (B, nkv, T, d)
    if (a.prefix) {
      // Prefix tuning: the layer's virtual keys/values (not rotated: they stand for an already-computed cache).
      const Tp = a.prefix.k.shape[1];
      k = tf.concat([tf.broadcastTo(a.prefix.k.expandDims(0), [B, nkv, Tp, d]), k], 2) as tf.Tensor4D; // (B, nkv, Tp+T, d)
      v = tf.concat([tf.broadcastTo(a.prefix.v.expandDims(0), [B, nkv, Tp, d]), v], 2) as tf.Tensor4D;
    }
    if (a.cache) ({ k, v } = a.cache.append(l, k, v)); // (B, nkv, S, d)
    const S = k.shape[2];
    // GQA without copying K/V: head h = kv·r + j, so (B, nh, T, d) → (B, nkv, r·T, d) is a plain reshape.
    const qg = q.reshape([B, nkv, r * T, d]);
    const scores = tf.matMul(qg, k, false, true); // (B, nkv, r·T, S), already scaled (cosQ, sinQ)
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
  /** Prefix tuning's keys/values for this layer, each (nkv, Tp, d). */
  prefix?: { k: tf.Tensor3D; v: tf.Tensor3D };
  maskT: tf.Tensor4D;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  /** cos and sin times 1/√head_dim, for the queries. */
  cosQ: tf.Tensor4D;
  sinQ: tf.Tensor4D;
  /** rotate_half as a (d, d) signed permutation (rope.ts). */
  rotation: tf.Tensor2D;
  cache?: KVCache;
}
