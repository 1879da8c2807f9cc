// Expected values follow the LlamaConfig defaults table of peft-spec §7.1 and the Mistral/Qwen2 notes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, readModelConfig } from '../../../src-main/engine/model/config';
import { peftError, tempDir } from './st-fixtures';

const dir = tempDir();

/** OpenLLaMA-3B as described in peft-spec §9: no num_key_value_heads, no rope_theta, pad 0. */
const openLlama3b = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 3200,
  intermediate_size: 8640,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 26,
  pad_token_id: 0,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  vocab_size: 32000,
};

const tiny = { model_type: 'llama', vocab_size: 16, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2, num_attention_heads: 2 };

describe('parseModelConfig: valid configs', () => {
  it('fills LlamaConfig defaults for OpenLLaMA-3B', () => {
    const c = parseModelConfig(openLlama3b, 'open_llama_3b/config.json');
    expect(c).toMatchObject({
      modelType: 'llama',
      architectures: ['LlamaForCausalLM'],
      vocabSize: 32000,
      hiddenSize: 3200,
      intermediateSize: 8640,
      numHiddenLayers: 26,
      numAttentionHeads: 32,
      numKeyValueHeads: 32, // absent → num_attention_heads
      headDim: 100, // 3200 / 32
      hiddenAct: 'silu',
      maxPositionEmbeddings: 2048,
      rmsNormEps: 1e-6,
      ropeTheta: 10000, // absent → default
      ropeScaling: null,
      tieWordEmbeddings: false,
      attentionBias: false,
      mlpBias: false,
      bosTokenId: 1,
      eosTokenIds: [2],
      padTokenId: 0,
      torchDtype: 'float16',
      slidingWindow: null,
    });
    expect(c.raw).toBe(openLlama3b);
  });

  it('uses the defaults of §7.1 for a minimal llama config', () => {
    const c = parseModelConfig(tiny, 'tiny');
    expect(c).toMatchObject({
      numKeyValueHeads: 2,
      headDim: 4,
      hiddenAct: 'silu',
      maxPositionEmbeddings: 2048,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenIds: [2],
      padTokenId: null,
      torchDtype: null,
      architectures: [],
    });
  });

  it('reads a Llama-3 style config: GQA, explicit head_dim, llama3 rope scaling, eos list, v5 dtype', () => {
    const c = parseModelConfig({
      ...tiny,
      hidden_size: 16,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 6,
      eos_token_id: [128001, 128008, 128009],
      bos_token_id: 128000,
      rope_theta: 500000.0,
      rope_scaling: { rope_type: 'llama3', factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192 },
      dtype: 'bfloat16',
      tie_word_embeddings: true,
    }, 'llama3');
    expect(c.numKeyValueHeads).toBe(2);
    expect(c.headDim).toBe(6);
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
    expect(c.ropeTheta).toBe(500000);
    expect(c.ropeScaling).toEqual({ ropeType: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    expect(c.torchDtype).toBe('bfloat16');
    expect(c.tieWordEmbeddings).toBe(true);
  });

  it('reads v5 rope_parameters and v4 rope_scaling with "type"', () => {
    const v5 = parseModelConfig({ ...tiny, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } }, 'v5');
    expect(v5.ropeTheta).toBe(1e6);
    expect(v5.ropeScaling).toBeNull();
    const v5lin = parseModelConfig({ ...tiny, rope_parameters: { rope_type: 'linear', factor: 2, rope_theta: 5e5 } }, 'v5');
    expect(v5lin.ropeScaling).toEqual({ ropeType: 'linear', factor: 2 });
    expect(v5lin.ropeTheta).toBe(5e5);
    const v4 = parseModelConfig({ ...tiny, rope_scaling: { type: 'dynamic', factor: 4 } }, 'v4');
    expect(v4.ropeScaling).toEqual({ ropeType: 'dynamic', factor: 4 });
  });

  it('llama attention_bias and mlp_bias', () => {
    const c = parseModelConfig({ ...tiny, attention_bias: true, mlp_bias: true }, 'b');
    expect([c.attentionBias, c.mlpBias]).toEqual([true, true]);
  });

  it('mistral: sliding_window, default 4096 when absent, null when null', () => {
    const base = { ...tiny, model_type: 'mistral', num_key_value_heads: 1 };
    expect(parseModelConfig({ ...base, sliding_window: 32 }, 'm').slidingWindow).toBe(32);
    expect(parseModelConfig(base, 'm').slidingWindow).toBe(4096);
    expect(parseModelConfig({ ...base, sliding_window: null }, 'm').slidingWindow).toBeNull();
    const m = parseModelConfig({ ...base, attention_bias: true }, 'm');
    expect([m.attentionBias, m.mlpBias, m.maxPositionEmbeddings]).toEqual([false, false, 131072]);
  });

  it('qwen2: q/k/v bias always, rms 1e-6, untied unless set, window only with use_sliding_window', () => {
    const base = { ...tiny, model_type: 'qwen2' };
    const q = parseModelConfig({ ...base, sliding_window: 4096 }, 'q');
    expect(q).toMatchObject({ attentionBias: true, mlpBias: false, rmsNormEps: 1e-6, tieWordEmbeddings: false, slidingWindow: null, bosTokenId: null, eosTokenIds: [] });
    expect(parseModelConfig({ ...base, attention_bias: false }, 'q').attentionBias).toBe(true);
    expect(parseModelConfig({ ...base, tie_word_embeddings: true }, 'q').tieWordEmbeddings).toBe(true);
    expect(parseModelConfig({ ...base, use_sliding_window: true, sliding_window: 64 }, 'q').slidingWindow).toBe(64);
  });

  it('infers model_type from architectures when absent', () => {
    const { model_type: _omit, ...rest } = tiny;
    expect(parseModelConfig({ ...rest, architectures: ['MistralForCausalLM'] }, 'x').modelType).toBe('mistral');
  });
});

describe('parseModelConfig: invalid configs → CONFIG_INVALID naming the field', () => {
  const rows: [string, Record<string, unknown>, string][] = [
    ['unsupported model_type', { ...tiny, model_type: 'gpt2' }, 'model_type'],
    ['missing vocab_size', { ...tiny, vocab_size: undefined }, 'vocab_size'],
    ['missing hidden_size', { ...tiny, hidden_size: undefined }, 'hidden_size'],
    ['missing intermediate_size', { ...tiny, intermediate_size: undefined }, 'intermediate_size'],
    ['missing num_hidden_layers', { ...tiny, num_hidden_layers: undefined }, 'num_hidden_layers'],
    ['missing num_attention_heads', { ...tiny, num_attention_heads: undefined }, 'num_attention_heads'],
    ['zero layers', { ...tiny, num_hidden_layers: 0 }, 'num_hidden_layers'],
    ['negative vocab', { ...tiny, vocab_size: -5 }, 'vocab_size'],
    ['fractional hidden size', { ...tiny, hidden_size: 8.5 }, 'hidden_size'],
    ['string size', { ...tiny, intermediate_size: '12' }, 'intermediate_size'],
    ['absurd hidden size', { ...tiny, hidden_size: 2_000_000, num_attention_heads: 2 }, 'hidden_size'],
    ['heads not divisible by kv heads', { ...tiny, num_attention_heads: 4, num_key_value_heads: 3 }, 'num_key_value_heads'],
    ['hidden not divisible by heads', { ...tiny, hidden_size: 10, num_attention_heads: 4 }, 'hidden_size'],
    ['odd head_dim (explicit)', { ...tiny, head_dim: 5 }, 'head_dim'],
    ['odd head_dim (derived)', { ...tiny, hidden_size: 6, num_attention_heads: 2 }, 'hidden_size'],
    ['gelu activation', { ...tiny, hidden_act: 'gelu' }, 'hidden_act'],
    ['rms_norm_eps not positive', { ...tiny, rms_norm_eps: 0 }, 'rms_norm_eps'],
    ['rope_theta negative', { ...tiny, rope_theta: -1 }, 'rope_theta'],
    ['unsupported rope scaling', { ...tiny, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope_scaling.rope_type'],
    ['rope scaling without factor', { ...tiny, rope_scaling: { type: 'linear' } }, 'rope_scaling.factor'],
    ['llama3 scaling missing fields', { ...tiny, rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'rope_scaling.low_freq_factor'],
    ['bad eos id', { ...tiny, eos_token_id: [2, 'x'] }, 'eos_token_id'],
    ['tie_word_embeddings not boolean', { ...tiny, tie_word_embeddings: 'yes' }, 'tie_word_embeddings'],
  ];

  it.each(rows)('%s', async (_title, json, field) => {
    const err = await peftError(() => parseModelConfig(json, '/models/x/config.json'), 'CONFIG_INVALID');
    expect(err.message).toContain('/models/x/config.json');
    expect(err.message).toContain(`"${field}"`);
  });

  it('lists the supported model types', async () => {
    const err = await peftError(() => parseModelConfig({ ...tiny, model_type: 'gpt2' }, 'c'), 'CONFIG_INVALID');
    expect(err.message).toMatch(/llama.*mistral.*qwen2/);
  });

  it('rejects a non-object', async () => {
    await peftError(() => parseModelConfig([1], 'c'), 'CONFIG_INVALID');
  });
});

describe('readModelConfig', () => {
  it('reads dir/config.json', async () => {
    const d = path.join(dir, 'ok');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify(openLlama3b, null, 2));
    expect((await readModelConfig(d)).hiddenSize).toBe(3200);
  });

  it('missing file → FILE_NOT_FOUND naming the path; bad JSON → CONFIG_INVALID', async () => {
    const d = path.join(dir, 'empty');
    fs.mkdirSync(d);
    const e1 = await peftError(() => readModelConfig(d), 'FILE_NOT_FOUND');
    expect(e1.message).toContain(path.join(d, 'config.json'));
    fs.writeFileSync(path.join(d, 'config.json'), '{"model_type": "llama",');
    const e2 = await peftError(() => readModelConfig(d), 'CONFIG_INVALID');
    expect(e2.message).toContain(path.join(d, 'config.json'));
  });
});
