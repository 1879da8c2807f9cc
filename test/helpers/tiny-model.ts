// Tiny LLaMA-family checkpoints for tests, written as real Hugging Face folders (config.json + safetensors).
// Tensor names and shapes are spelled out here from peft-spec §7.2 (not taken from the engine), so a test that
// loads these files checks the engine's naming independently. Values are seeded N(0, std); with F16/BF16 storage
// the returned float32 values are the rounded ones, so references see exactly what the file holds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { f16ToF32, f32ToBf16, f32ToF16, bf16ToF32 } from '../../src-main/engine/model/dtype';
import type { StWriteTensor } from '../../src-main/engine/model/safetensors';
import { writeSafetensorsFile } from '../../src-main/engine/model/safetensors';
import { Rng } from '../../src-main/engine/rng';

export interface TinyModelOptions {
  modelType?: 'llama' | 'mistral' | 'qwen2';
  vocabSize?: number;
  hiddenSize?: number;
  intermediateSize?: number;
  numLayers?: number;
  numHeads?: number;
  numKvHeads?: number;
  tie?: boolean;
  attentionBias?: boolean;
  ropeTheta?: number;
  rmsNormEps?: number;
  dtype?: 'F32' | 'F16' | 'BF16';
  shards?: number;
  seed?: number;
  std?: number;
  bosTokenId?: number;
  eosTokenId?: number;
}

export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

export interface TinyModel {
  dir: string;
  config: Record<string, unknown>;
  weights: Weights;
}

export function tinyConfig(o: TinyModelOptions = {}): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    architectures: [o.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : o.modelType === 'mistral' ? 'MistralForCausalLM' : 'LlamaForCausalLM'],
    model_type: o.modelType ?? 'llama',
    vocab_size: o.vocabSize ?? 64,
    hidden_size: o.hiddenSize ?? 16,
    intermediate_size: o.intermediateSize ?? 40,
    num_hidden_layers: o.numLayers ?? 2,
    num_attention_heads: o.numHeads ?? 4,
    num_key_value_heads: o.numKvHeads ?? 2,
    max_position_embeddings: 128,
    rms_norm_eps: o.rmsNormEps ?? 1e-6,
    rope_theta: o.ropeTheta ?? 10000,
    hidden_act: 'silu',
    tie_word_embeddings: o.tie ?? false,
    bos_token_id: o.bosTokenId ?? 1,
    eos_token_id: o.eosTokenId ?? 2,
    torch_dtype: o.dtype === 'F16' ? 'float16' : o.dtype === 'BF16' ? 'bfloat16' : 'float32',
  };
  if (o.attentionBias !== undefined) cfg.attention_bias = o.attentionBias;
  return cfg;
}

/** name → shape for a tiny config, written out by hand from the HF layout. */
export function tinyShapes(cfg: Record<string, unknown>): Map<string, number[]> {
  const V = cfg.vocab_size as number;
  const H = cfg.hidden_size as number;
  const I = cfg.intermediate_size as number;
  const nh = cfg.num_attention_heads as number;
  const nkv = cfg.num_key_value_heads as number;
  const d = H / nh;
  const qwen = cfg.model_type === 'qwen2';
  const bias = qwen || cfg.attention_bias === true;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [V, H]);
  for (let i = 0; i < (cfg.num_hidden_layers as number); i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [H]);
    m.set(`${p}.self_attn.q_proj.weight`, [nh * d, H]);
    m.set(`${p}.self_attn.k_proj.weight`, [nkv * d, H]);
    m.set(`${p}.self_attn.v_proj.weight`, [nkv * d, H]);
    m.set(`${p}.self_attn.o_proj.weight`, [H, nh * d]);
    if (bias) {
      m.set(`${p}.self_attn.q_proj.bias`, [nh * d]);
      m.set(`${p}.self_attn.k_proj.bias`, [nkv * d]);
      m.set(`${p}.self_attn.v_proj.bias`, [nkv * d]);
      if (!qwen) m.set(`${p}.self_attn.o_proj.bias`, [H]);
    }
    m.set(`${p}.post_attention_layernorm.weight`, [H]);
    m.set(`${p}.mlp.gate_proj.weight`, [I, H]);
    m.set(`${p}.mlp.up_proj.weight`, [I, H]);
    m.set(`${p}.mlp.down_proj.weight`, [H, I]);
  }
  m.set('model.norm.weight', [H]);
  if (!cfg.tie_word_embeddings) m.set('lm_head.weight', [V, H]);
  return m;
}

function roundTo(dtype: 'F32' | 'F16' | 'BF16', x: Float32Array): Float32Array {
  if (dtype === 'F16') return f16ToF32(f32ToF16(x));
  if (dtype === 'BF16') return bf16ToF32(f32ToBf16(x));
  return x;
}

export function tinyWeights(cfg: Record<string, unknown>, o: TinyModelOptions = {}): Weights {
  const rng = new Rng(o.seed ?? 1);
  const std = o.std ?? 0.2;
  const w: Weights = new Map();
  for (const [name, shape] of tinyShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith('norm.weight')) {
      data = Float32Array.from({ length: n }, () => 1 + 0.1 * rng.normal());
    } else if (name === 'model.embed_tokens.weight') {
      data = rng.normalArray(n, 1); // unit-scale embeddings, as trained models roughly have after RMSNorm
    } else {
      data = rng.normalArray(n, std);
    }
    w.set(name, { shape, data: roundTo(o.dtype ?? 'F32', data) });
  }
  return w;
}

function toWrite(name: string, t: { shape: number[]; data: Float32Array }, dtype: 'F32' | 'F16' | 'BF16'): StWriteTensor {
  const data = dtype === 'F16' ? f32ToF16(t.data) : dtype === 'BF16' ? f32ToBf16(t.data) : t.data;
  return { name, dtype, shape: t.shape, data };
}

/** Writes config.json and the weights (one file or `shards` files with an index) into `dir`. */
export async function writeTinyModel(dir: string, o: TinyModelOptions = {}): Promise<TinyModel> {
  fs.mkdirSync(dir, { recursive: true });
  const config = tinyConfig(o);
  const weights = tinyWeights(config, o);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const dtype = o.dtype ?? 'F32';
  const names = [...weights.keys()];
  const shards = o.shards ?? 1;
  if (shards === 1) {
    await writeSafetensorsFile(path.join(dir, 'model.safetensors'), names.map((n) => toWrite(n, weights.get(n)!, dtype)), { format: 'pt' });
    return { dir, config, weights };
  }
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const mine = names.filter((_, i) => i % shards === s);
    for (const n of mine) {
      weightMap[n] = file;
      total += weights.get(n)!.data.length * (dtype === 'F32' ? 4 : 2);
    }
    await writeSafetensorsFile(path.join(dir, file), mine.map((n) => toWrite(n, weights.get(n)!, dtype)), { format: 'pt' });
  }
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  return { dir, config, weights };
}
