// An independent, deliberately plain LlamaForCausalLM forward pass in float64 (no tfjs), written from
// peft-spec §7 and transformers' modeling_llama.py semantics: RMSNorm, rotate-half RoPE, grouped-query
// attention (head h uses kv head ⌊h / (nh/nkv)⌋), causal softmax attention, SwiGLU MLP, optional q/k/v biases,
// tied or separate lm_head. Used as the judge of the engine's logits.
import type { Weights } from './tiny-model';

type Mat = Float64Array; // row-major

function get(w: Weights, name: string): Float64Array | null {
  const t = w.get(name);
  return t ? Float64Array.from(t.data) : null;
}

/** y = x·Wᵀ (+ b) for x (T, n) and W (m, n). */
function linear(x: Mat, T: number, n: number, W: Float64Array, m: number, b: Float64Array | null): Mat {
  const y = new Float64Array(T * m);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < m; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < n; i++) s += x[t * n + i] * W[o * n + i];
      y[t * m + o] = s;
    }
  }
  return y;
}

function rmsnorm(x: Mat, T: number, H: number, w: Float64Array, eps: number): Mat {
  const y = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    let ss = 0;
    for (let i = 0; i < H; i++) ss += x[t * H + i] ** 2;
    const r = 1 / Math.sqrt(ss / H + eps);
    for (let i = 0; i < H; i++) y[t * H + i] = x[t * H + i] * r * w[i];
  }
  return y;
}

/** In-place rotate-half RoPE on a (T, heads·d) matrix; row t has position t + offset. */
function rope(x: Mat, T: number, heads: number, d: number, theta: number, offset = 0): void {
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) {
      const base = t * heads * d + h * d;
      const v = x.slice(base, base + d);
      for (let k = 0; k < d / 2; k++) {
        const ang = (t + offset) / Math.pow(theta, (2 * k) / d);
        const c = Math.cos(ang);
        const s = Math.sin(ang);
        x[base + k] = v[k] * c - v[k + d / 2] * s;
        x[base + k + d / 2] = v[k + d / 2] * c + v[k] * s;
      }
    }
  }
}

export interface ReferenceExtras {
  /** Prompt tuning: Tv virtual embedding rows (each H values) placed before the token embeddings. */
  virtual?: number[][];
  /** Prefix tuning: per layer Tp key rows and value rows (each nkv·d values, not rotated) before every attention. */
  prefix?: { keys: number[][]; values: number[][] }[];
}

/** Logits (positions × V) for the input ids, after any virtual rows (which come first in the output too). */
export function referenceLogits(cfg: Record<string, unknown>, w: Weights, ids: number[], extras: ReferenceExtras = {}): Float64Array {
  const virtual = extras.virtual ?? [];
  const Tp = extras.prefix?.[0].keys.length ?? 0;
  const T = virtual.length + ids.length;
  const V = cfg.vocab_size as number;
  const H = cfg.hidden_size as number;
  const I = cfg.intermediate_size as number;
  const nh = cfg.num_attention_heads as number;
  const nkv = (cfg.num_key_value_heads as number) ?? nh;
  const d = H / nh;
  const eps = cfg.rms_norm_eps as number;
  const theta = cfg.rope_theta as number;
  const emb = get(w, 'model.embed_tokens.weight')!;
  let x = new Float64Array(T * H);
  virtual.forEach((row, t) => x.set(row, t * H));
  ids.forEach((id, t) => x.set(emb.subarray(id * H, (id + 1) * H), (virtual.length + t) * H));
  for (let l = 0; l < (cfg.num_hidden_layers as number); l++) {
    const p = `model.layers.${l}`;
    const hN = rmsnorm(x, T, H, get(w, `${p}.input_layernorm.weight`)!, eps);
    const q = linear(hN, T, H, get(w, `${p}.self_attn.q_proj.weight`)!, nh * d, get(w, `${p}.self_attn.q_proj.bias`));
    const kNew = linear(hN, T, H, get(w, `${p}.self_attn.k_proj.weight`)!, nkv * d, get(w, `${p}.self_attn.k_proj.bias`));
    const vNew = linear(hN, T, H, get(w, `${p}.self_attn.v_proj.weight`)!, nkv * d, get(w, `${p}.self_attn.v_proj.bias`));
    rope(q, T, nh, d, theta, Tp);
    rope(kNew, T, nkv, d, theta, Tp);
    // Keys/values: the layer's prefix rows first (not rotated), then this pass's.
    const k = new Float64Array((Tp + T) * nkv * d);
    const v = new Float64Array((Tp + T) * nkv * d);
    for (let j = 0; j < Tp; j++) {
      k.set(extras.prefix![l].keys[j], j * nkv * d);
      v.set(extras.prefix![l].values[j], j * nkv * d);
    }
    k.set(kNew, Tp * nkv * d);
    v.set(vNew, Tp * nkv * d);
    const att = new Float64Array(T * nh * d);
    for (let h = 0; h < nh; h++) {
      const g = Math.floor(h / (nh / nkv));
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= Tp + i; j++) {
          let s = 0;
          for (let e = 0; e < d; e++) s += q[i * nh * d + h * d + e] * k[j * nkv * d + g * d + e];
          scores.push(s / Math.sqrt(d));
        }
        const mx = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - mx));
        const sum = ex.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= Tp + i; j++) {
          for (let e = 0; e < d; e++) att[i * nh * d + h * d + e] += (ex[j] / sum) * v[j * nkv * d + g * d + e];
        }
      }
    }
    const o = linear(att, T, nh * d, get(w, `${p}.self_attn.o_proj.weight`)!, H, get(w, `${p}.self_attn.o_proj.bias`));
    for (let i = 0; i < x.length; i++) x[i] += o[i];
    const h2 = rmsnorm(x, T, H, get(w, `${p}.post_attention_layernorm.weight`)!, eps);
    const gate = linear(h2, T, H, get(w, `${p}.mlp.gate_proj.weight`)!, I, null);
    const up = linear(h2, T, H, get(w, `${p}.mlp.up_proj.weight`)!, I, null);
    const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
    const down = linear(act, T, I, get(w, `${p}.mlp.down_proj.weight`)!, H, null);
    x = x.map((xv, i) => xv + down[i]);
  }
  const xf = rmsnorm(x, T, H, get(w, 'model.norm.weight')!, eps);
  const head = get(w, 'lm_head.weight') ?? emb;
  return linear(xf, T, H, head, V, null);
}
