// The demo base model's architecture and its random initialisation, written as a Hugging Face folder.
// Initialisation as transformers' LlamaPreTrainedModel._init_weights: every linear weight and the embedding
// ~ N(0, initializer_range = 0.02), RMSNorm weights 1. Tensor names and shapes: peft-spec §7.2 (HF LLaMA layout);
// the tied lm_head has no tensor of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StWriteTensor } from '../../../src-main/engine/model/safetensors';
import { writeSafetensorsFile } from '../../../src-main/engine/model/safetensors';
import { Rng } from '../../../src-main/engine/rng';

export const ARCH = { hidden: 128, layers: 4, heads: 4, intermediate: 344, maxPositions: 256, initializerRange: 0.02 };

export function demoConfig(vocabSize: number): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: ARCH.hidden,
    intermediate_size: ARCH.intermediate,
    num_hidden_layers: ARCH.layers,
    num_attention_heads: ARCH.heads,
    num_key_value_heads: ARCH.heads,
    max_position_embeddings: ARCH.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    initializer_range: ARCH.initializerRange,
    tie_word_embeddings: true,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
  };
}

/** name → shape, in the order the tensors are written. */
export function demoShapes(vocabSize: number): [string, number[]][] {
  const { hidden: H, intermediate: I, layers } = ARCH;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [vocabSize, H]]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    out.push(
      [`${p}.input_layernorm.weight`, [H]],
      [`${p}.self_attn.q_proj.weight`, [H, H]],
      [`${p}.self_attn.k_proj.weight`, [H, H]],
      [`${p}.self_attn.v_proj.weight`, [H, H]],
      [`${p}.self_attn.o_proj.weight`, [H, H]],
      [`${p}.post_attention_layernorm.weight`, [H]],
      [`${p}.mlp.gate_proj.weight`, [I, H]],
      [`${p}.mlp.up_proj.weight`, [I, H]],
      [`${p}.mlp.down_proj.weight`, [H, I]],
    );
  }
  out.push(['model.norm.weight', [H]]);
  return out;
}

export function parameterCount(vocabSize: number): number {
  return demoShapes(vocabSize).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}

/** Writes config.json and a seeded random model.safetensors (F32) into `dir`, and copies the tokenizer files. */
export async function writeInitialModel(dir: string, vocabSize: number, seed: number, tokenizerDir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const tensors: StWriteTensor[] = demoShapes(vocabSize).map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = name.endsWith('norm.weight') ? new Float32Array(n).fill(1) : rng.normalArray(n, ARCH.initializerRange);
    return { name, dtype: 'F32', shape, data };
  });
  await writeSafetensorsFile(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(demoConfig(vocabSize), null, 2) + '\n');
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(tokenizerDir, f), path.join(dir, f));
}
