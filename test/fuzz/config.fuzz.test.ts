// Hostile config.json files (issue 9): any JSON at the top, a valid LLaMA config with fields dropped, nulled or
// replaced by hostile values, head/kv-head/hidden combinations, and text that is not JSON. Each is refused with
// CONFIG_INVALID naming the file and the field, or accepted as a config whose sizes are consistent (heads divisible
// by kv heads, even head_dim, …). Sizes that would need absurd memory are refused before anything is allocated.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src-main/engine/backends/index';
import { parseModelConfig, readModelConfig } from '../../src-main/engine/model/config';
import type { ModelConfig } from '../../src-main/engine/model/config';
import { loadModel } from '../../src-main/engine/model/load';
import { writeSafetensorsFile } from '../../src-main/engine/model/safetensors';
import { tinyConfig } from '../helpers/tiny-model';
import { hostileJson, hostileNumber, mutatedObject, nestedArray, utf8 } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('config.json');
const dir = fuzzTempDir('config');

const LABEL = '/models/fuzz/config.json';
const RULE = { codes: ['CONFIG_INVALID'] as const, mentions: [LABEL] };
const base = tinyConfig();
const OPTIONAL_KEYS = ['head_dim', 'rope_scaling', 'rope_parameters', 'sliding_window', 'use_sliding_window', 'attention_bias', 'mlp_bias',
  'pad_token_id', 'torch_dtype', 'dtype'];

/** What an accepted config must satisfy, whatever the input was. */
function checkConsistent(c: ModelConfig): void {
  for (const n of [c.vocabSize, c.hiddenSize, c.intermediateSize, c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads, c.headDim]) {
    expect(Number.isSafeInteger(n) && n >= 1, `size ${n}`).toBe(true);
  }
  expect(c.numAttentionHeads % c.numKeyValueHeads).toBe(0);
  expect(c.headDim % 2).toBe(0);
  if (c.raw.head_dim === undefined || c.raw.head_dim === null) expect(c.headDim * c.numAttentionHeads).toBe(c.hiddenSize);
  expect(c.rmsNormEps > 0 && c.rmsNormEps < 1).toBe(true);
  expect(Number.isFinite(c.ropeTheta) && c.ropeTheta > 0).toBe(true);
  for (const id of [...c.eosTokenIds, c.bosTokenId ?? 0, c.padTokenId ?? 0]) expect(Number.isSafeInteger(id) && id >= 0).toBe(true);
}

/** The error names the file and, for a field problem, the field. */
function parseOrExplain(json: unknown): Promise<ModelConfig | null> {
  return acceptOrClear(() => {
    const c = parseModelConfig(json, LABEL);
    checkConsistent(c);
    return c;
  }, RULE);
}

describe('config.json: generated input', () => {
  it('any JSON value as the whole file', async () => {
    await fuzz.check(fc.asyncProperty(hostileJson, async (json) => {
      await parseOrExplain(json);
      return true;
    }), 200);
  });

  it('a valid config with fields dropped, nulled or replaced by hostile values', async () => {
    await fuzz.check(fc.asyncProperty(mutatedObject(base, OPTIONAL_KEYS), async (json) => {
      const r = await acceptOrClear(() => parseModelConfig(json, LABEL), RULE);
      if (r) checkConsistent(r);
      else {
        // The message names one of the fields that was changed.
        const err = await expectRefused(() => parseModelConfig(json, LABEL), RULE);
        expect(err.details?.field ?? err.message, err.message).toBeTruthy();
      }
      return true;
    }), 400);
  });

  it('heads / kv heads / hidden / head_dim combinations: consistent or refused naming the field', async () => {
    const size = fc.oneof(fc.integer({ min: 1, max: 64 }), hostileNumber);
    await fuzz.check(fc.asyncProperty(size, size, size, fc.option(size, { nil: undefined }), async (hidden, heads, kv, headDim) => {
      const json = { ...base, hidden_size: hidden, num_attention_heads: heads, num_key_value_heads: kv, ...(headDim === undefined ? {} : { head_dim: headDim }) };
      const r = await acceptOrClear(() => parseModelConfig(json, LABEL), RULE);
      if (r) checkConsistent(r);
      else {
        const err = await expectRefused(() => parseModelConfig(json, LABEL), RULE);
        expect(['hidden_size', 'num_attention_heads', 'num_key_value_heads', 'head_dim']).toContain(err.details?.field);
      }
      return true;
    }), 400);
  });

  it('file text that is not a JSON object (random bytes, truncation, BOMs) is refused naming the file', async () => {
    const good = JSON.stringify(base, null, 2);
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.slice(0, n)),
      fc.constantFrom('\ufeff' + good, '\ufffe' + good, '', '[]', 'null', '{"model_type": "llama",}'),
    );
    const file = path.join(dir, 'config.json');
    await fuzz.check(fc.asyncProperty(text, async (t) => {
      fs.writeFileSync(file, t);
      await acceptOrClear(async () => checkConsistent(await readModelConfig(dir)), { codes: ['CONFIG_INVALID'], mentions: [file] });
      return true;
    }), 150);
  });
});

/**
 * A one-layer model folder (vocab, hidden and MLP width 4, one head, no tying) with head_dim `d`: the tensors
 * LLaMA's naming asks for, spelled out here (zeros), so the checkpoint matches whatever head_dim the config names.
 */
async function writeOneHeadModel(name: string, d: number, config: Record<string, unknown>): Promise<string> {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  const L = 'model.layers.0';
  const shapes: [string, number[]][] = [
    ['model.embed_tokens.weight', [4, 4]], [`${L}.self_attn.q_proj.weight`, [d, 4]], [`${L}.self_attn.k_proj.weight`, [d, 4]],
    [`${L}.self_attn.v_proj.weight`, [d, 4]], [`${L}.self_attn.o_proj.weight`, [4, d]], [`${L}.mlp.gate_proj.weight`, [4, 4]],
    [`${L}.mlp.up_proj.weight`, [4, 4]], [`${L}.mlp.down_proj.weight`, [4, 4]], [`${L}.input_layernorm.weight`, [4]],
    [`${L}.post_attention_layernorm.weight`, [4]], ['model.norm.weight', [4]], ['lm_head.weight', [4, 4]],
  ];
  const tensors = shapes.map(([tensor, shape]) => ({ name: tensor, dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
  await writeSafetensorsFile(path.join(folder, 'model.safetensors'), tensors);
  return folder;
}

describe('config.json: corpus', () => {
  const small = { ...base, vocab_size: 4, hidden_size: 4, intermediate_size: 4, num_hidden_layers: 1, num_attention_heads: 1, num_key_value_heads: 1 };
  fuzz.corpus([
    { name: 'missing vocab_size', json: { ...base, vocab_size: undefined }, field: 'vocab_size' },
    { name: 'hidden_size as a string', json: { ...base, hidden_size: '16' }, field: 'hidden_size' },
    { name: 'hidden_size 0', json: { ...base, hidden_size: 0 }, field: 'hidden_size' },
    { name: 'negative layers', json: { ...base, num_hidden_layers: -2 }, field: 'num_hidden_layers' },
    { name: 'fractional heads', json: { ...base, num_attention_heads: 2.5 }, field: 'num_attention_heads' },
    { name: 'hidden not divisible by heads', json: { ...base, hidden_size: 18 }, field: 'hidden_size' },
    { name: 'heads not divisible by kv heads', json: { ...base, num_key_value_heads: 3 }, field: 'num_key_value_heads' },
    { name: 'more kv heads than heads', json: { ...base, num_key_value_heads: 8 }, field: 'num_key_value_heads' },
    { name: 'vocab of 10^12 (absurd)', json: { ...base, vocab_size: 1e12 }, field: 'vocab_size' },
    { name: 'rms_norm_eps negative', json: { ...base, rms_norm_eps: -1e-6 }, field: 'rms_norm_eps' },
    { name: 'rope_theta 0', json: { ...base, rope_theta: 0 }, field: 'rope_theta' },
    { name: 'rope_scaling a list', json: { ...base, rope_scaling: [2] }, field: 'rope_scaling' },
    { name: 'eos_token_id list with a negative id', json: { ...base, eos_token_id: [2, -1] }, field: 'eos_token_id' },
    { name: 'model_type nested 50,000 deep (was a RangeError while building the message)', json: { ...base, model_type: nestedArray(50_000) }, field: 'model_type' },
    { name: 'head_dim 100,000 (regression: was accepted; the first forward pass then allocates a 40 GB RoPE rotation table)', json: { ...small, head_dim: 100_000 }, field: 'head_dim' },
    { name: 'hidden 200,000 over 1 head (derived head_dim 200,000)', json: { ...small, hidden_size: 200_000 }, field: 'hidden_size' },
  ], async (c) => {
    const err = await expectRefused(() => parseModelConfig(c.json, LABEL), RULE);
    expect(err.details?.field, err.message).toBe(c.field);
    expect(err.message).toContain(`"${c.field}"`);
  });

  it('a checkpoint that matches an absurd head_dim is refused before the model is built', async () => {
    await useBackend('cpu');
    // Within the limit: loads (a 4096 × 4096 rotation table is 64 MiB).
    const ok = await writeOneHeadModel('head-dim-4096', 4096, { ...small, head_dim: 4096 });
    (await loadModel(ok)).dispose();
    // 100,000: the 3.2 MB checkpoint matches, but the first forward pass would build a 40 GB rotation table.
    const d = await writeOneHeadModel('head-dim-100000', 100_000, { ...small, head_dim: 100_000 });
    const before = process.memoryUsage().arrayBuffers;
    await expectRefused(() => loadModel(d), { codes: ['CONFIG_INVALID'], mentions: [path.join(d, 'config.json'), 'head_dim'] });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 1024 * 1024);
    fuzz.count(2);
  });
});

describe('config.json: utf-8', () => {
  it('a config.json with invalid UTF-8 inside a string still parses or is refused clearly', async () => {
    const file = path.join(dir, 'config.json');
    const bytes = utf8(JSON.stringify({ ...base, architectures: ['LlamaForCausalLMé'] }));
    bytes[bytes.indexOf(0xc3)] = 0xff;
    fs.writeFileSync(file, bytes);
    await acceptOrClear(() => readModelConfig(dir), { codes: ['CONFIG_INVALID'], mentions: [file] });
    fuzz.count(1);
  });
});
