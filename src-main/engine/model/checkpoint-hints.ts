// Explains where an expected weight shape comes from (peft-spec §7.2), for CHECKPOINT_MISMATCH messages:
// "[num_key_value_heads·head_dim, hidden_size] = [8·128, 4096]". Pass `llamaShapeHint(cfg)` as
// `loadCheckpoint(..., { shapeHint })`.

import type { ModelConfig } from './config';

type Dim = [formula: string, value: string];

function dims(cfg: ModelConfig) {
  const V: Dim = ['vocab_size', `${cfg.vocabSize}`];
  const H: Dim = ['hidden_size', `${cfg.hiddenSize}`];
  const I: Dim = ['intermediate_size', `${cfg.intermediateSize}`];
  const Q: Dim = ['num_attention_heads·head_dim', `${cfg.numAttentionHeads}·${cfg.headDim}`];
  const KV: Dim = ['num_key_value_heads·head_dim', `${cfg.numKeyValueHeads}·${cfg.headDim}`];
  return { V, H, I, Q, KV };
}

/** A function naming the config.json fields behind each llama-family weight's shape (undefined if unknown). */
export function llamaShapeHint(cfg: ModelConfig): (name: string) => string | undefined {
  const { V, H, I, Q, KV } = dims(cfg);
  const weights: Record<string, Dim[]> = {
    'q_proj.weight': [Q, H],
    'k_proj.weight': [KV, H],
    'v_proj.weight': [KV, H],
    'o_proj.weight': [H, Q],
    'gate_proj.weight': [I, H],
    'up_proj.weight': [I, H],
    'down_proj.weight': [H, I],
    'q_proj.bias': [Q],
    'k_proj.bias': [KV],
    'v_proj.bias': [KV],
    'o_proj.bias': [H],
    'gate_proj.bias': [I],
    'up_proj.bias': [I],
    'down_proj.bias': [H],
    'input_layernorm.weight': [H],
    'post_attention_layernorm.weight': [H],
  };
  return (name) => {
    let d: Dim[] | undefined;
    if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') d = [V, H];
    else if (name === 'model.norm.weight') d = [H];
    else if (/^model\.layers\.\d+\./.test(name)) d = weights[name.replace(/^model\.layers\.\d+\.(self_attn|mlp)?\.?/, '')];
    if (d === undefined) return undefined;
    return `config.json gives [${d.map((x) => x[0]).join(', ')}] = [${d.map((x) => x[1]).join(', ')}]`;
  };
}
