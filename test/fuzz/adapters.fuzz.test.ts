// Hostile PEFT adapter folders (issue 9) loaded onto a tiny LLaMA (H 16, 2 layers, 4 heads of 4, 2 kv heads: q
// 16→16, v 16→8): adapter_config.json with fields dropped or replaced (peft_type, r, target_modules, rank_pattern,
// …), adapter_model.safetensors with tensors missing, extra, reshaped or of another dtype, adapters made for
// another base, r in the config that does not match the tensors. Each loads, or fails with a clear error naming the
// adapter's file; the model is left without the adapter either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdapter } from '../../src-main/engine/adapters/io';
import { useBackend } from '../../src-main/engine/backends/index';
import type { CausalLM } from '../../src-main/engine/model/causal-lm';
import { loadModel } from '../../src-main/engine/model/load';
import { writeSafetensorsFile } from '../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../src-main/engine/model/safetensors';
import { writeTinyModel } from '../helpers/tiny-model';
import { hostileJson, jsonText, mutatedObject, nestedArray } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';
import type { ClearErrorRule } from './fuzz-kit';

const fuzz = fuzzFamily('PEFT adapters');
const root = fuzzTempDir('adapter');
let model: CausalLM;
beforeAll(async () => {
  await useBackend('cpu');
  const tiny = await writeTinyModel(path.join(root, 'model'), { seed: 3 });
  model = await loadModel(tiny.dir);
});
afterAll(() => {
  model?.dispose();
});

const CODES = ['ADAPTER_INVALID', 'SPEC_INVALID', 'BAD_ARGUMENT', 'UNKNOWN_TARGET_MODULE', 'RANK_TOO_LARGE', 'CHECKPOINT_MISMATCH', 'SAFETENSORS_INVALID'] as const;
const OUT = { q_proj: 16, v_proj: 8 } as const;

/** LoRA r on q_proj and v_proj of both layers, as PEFT saves it (keys without the adapter name). */
function loraTensors(r: number, outOf: (m: 'q_proj' | 'v_proj') => number = (m) => OUT[m], inF = 16): StWriteTensor[] {
  const out: StWriteTensor[] = [];
  for (const layer of [0, 1]) {
    for (const m of ['q_proj', 'v_proj'] as const) {
      const key = `base_model.model.model.layers.${layer}.self_attn.${m}`;
      out.push({ name: `${key}.lora_A.weight`, dtype: 'F32', shape: [r, inF], data: new Float32Array(r * inF).fill(0.01) });
      out.push({ name: `${key}.lora_B.weight`, dtype: 'F32', shape: [outOf(m), r], data: new Float32Array(outOf(m) * r).fill(0.02) });
    }
  }
  return out;
}
const loraConfig = (r: number): Record<string, unknown> => ({
  base_model_name_or_path: 'tiny', bias: 'none', fan_in_fan_out: false, inference_mode: true, lora_alpha: 2 * r, lora_dropout: 0.05,
  peft_type: 'LORA', r, target_modules: ['q_proj', 'v_proj'], task_type: 'CAUSAL_LM', use_dora: false, use_rslora: false,
  rank_pattern: {}, alpha_pattern: {},
});

let n = 0;
async function writeAdapter(config: unknown, tensors: StWriteTensor[]): Promise<string> {
  const dir = path.join(root, `a${n++}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'adapter_config.json'), typeof config === 'string' ? config : jsonText(config));
  await writeSafetensorsFile(path.join(dir, 'adapter_model.safetensors'), tensors);
  return dir;
}

/** Loads (then removes) or fails clearly; the model's trainable set is unchanged afterwards. */
async function loadOrExplain(dir: string, rule: ClearErrorRule = { codes: CODES, mentions: [dir] }): Promise<boolean> {
  const adapter = await acceptOrClear(() => loadAdapter(dir, model), rule);
  adapter?.remove();
  expect(model.linearModules().every((m) => m.name === 'lm_head' || model.getLinear(m.name).constructor.name === 'FrozenLinear')).toBe(true);
  return adapter !== null;
}

describe('PEFT adapters: generated input', () => {
  it('adapter_config.json with fields dropped, nulled or replaced (valid r = 2 tensors)', async () => {
    const extra = ['layers_to_transform', 'exclude_modules', 'modules_to_save', 'init_lora_weights', 'use_mora', 'mora_type', 'num_virtual_tokens'];
    await fuzz.check(fc.asyncProperty(mutatedObject(loraConfig(2), extra), async (cfg) => {
      await loadOrExplain(await writeAdapter(cfg, loraTensors(2)));
      return true;
    }), 60);
  });

  it('any JSON as adapter_config.json', async () => {
    await fuzz.check(fc.asyncProperty(hostileJson, async (cfg) => {
      await loadOrExplain(await writeAdapter(cfg, loraTensors(2)));
      return true;
    }), 40);
  });

  it('tensors dropped, added, reshaped or retyped', async () => {
    const edit = fc.record({
      index: fc.nat(),
      action: fc.constantFrom('drop', 'reshape', 'retype', 'add', 'rename'),
      dim: fc.integer({ min: 0, max: 20 }),
    });
    await fuzz.check(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
      let ts = loraTensors(2);
      for (const e of edits) {
        const i = e.index % ts.length;
        const t = ts[i];
        if (e.action === 'drop') ts = ts.filter((_, j) => j !== i);
        else if (e.action === 'reshape') ts[i] = { ...t, shape: [e.dim, 2], data: new Float32Array(e.dim * 2) };
        else if (e.action === 'retype') ts[i] = { ...t, dtype: 'I32', data: new Int32Array(t.data.byteLength / 4) };
        else if (e.action === 'add') ts = [...ts, { name: `base_model.model.extra${e.dim}.weight`, dtype: 'F32', shape: [1], data: new Float32Array(1) }];
        else ts[i] = { ...t, name: `${t.name}.x${e.dim}` };
      }
      await loadOrExplain(await writeAdapter(loraConfig(2), ts));
      return true;
    }), 60);
  });

  it('r in the config against tensors of another rank: loads only when they agree', async () => {
    await fuzz.check(fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), async (rConfig, rTensors) => {
      const dir = await writeAdapter(loraConfig(rConfig), loraTensors(rTensors));
      const loaded = await loadOrExplain(dir);
      expect(loaded).toBe(rConfig === rTensors);
      return true;
    }), 30);
  });
});

describe('PEFT adapters: corpus', () => {
  const cfg = loraConfig(2);
  fuzz.corpus([
    { name: 'unknown peft_type', config: { ...cfg, peft_type: 'SUPERLORA' }, says: ['SUPERLORA', 'supported'] },
    { name: 'peft_type nested 50,000 lists deep (was a RangeError building the message)', config: { ...cfg, peft_type: nestedArray(50_000) }, says: ['peft_type'] },
    { name: 'r = 0', config: { ...cfg, r: 0 }, says: ['r'] },
    { name: 'r as a string', config: { ...cfg, r: '2' }, says: ['r'] },
    { name: 'target_modules naming a module the model lacks', config: { ...cfg, target_modules: ['c_attn'] }, says: ['c_attn'] },
    { name: 'target_modules an invalid regex', config: { ...cfg, target_modules: '(q_proj' }, says: ['(q_proj'] },
    { name: 'rank_pattern key an invalid regex (was an uncaught SyntaxError)', config: { ...cfg, rank_pattern: { '(': 4 } }, says: ['rank_pattern', '('] },
    { name: 'alpha_pattern key an invalid regex (was an uncaught SyntaxError)', config: { ...cfg, alpha_pattern: { 'q_proj[': 4 } }, says: ['alpha_pattern'] },
    { name: 'use_dora', config: { ...cfg, use_dora: true }, says: ['use_dora'] },
    { name: 'bias "all"', config: { ...cfg, bias: 'all' }, says: ['bias'] },
    { name: 'r larger than the module allows', config: { ...cfg, r: 64 }, says: ['r'] },
    { name: 'adapter_config.json is a list', config: [cfg], says: ['JSON object'] },
    { name: 'adapter_config.json is not JSON', config: '{"peft_type": "LORA", "r": ', says: ['JSON'] },
  ], async (c) => {
    const dir = await writeAdapter(c.config, loraTensors(2));
    await expectRefused(() => loadAdapter(dir, model), { codes: CODES, mentions: [path.join(dir, 'adapter_config.json'), ...c.says] });
  });

  fuzz.corpus([
    { name: 'made for a base with hidden size 32 (wrong base)', tensors: loraTensors(2, (m) => 2 * OUT[m], 32), says: ['shape [2, 32]', '[2, 16]'] },
    { name: 'rank 4 tensors for r = 2 in the config', tensors: loraTensors(4), says: ['shape [4, 16]', '[2, 16]'] },
    { name: 'missing v_proj lora_B of layer 1', tensors: loraTensors(2).filter((t) => !t.name.includes('layers.1.self_attn.v_proj.lora_B')), says: ['layers.1.self_attn.v_proj.lora_B.weight', 'missing'] },
    { name: 'an extra k_proj tensor', tensors: [...loraTensors(2), { name: 'base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight', dtype: 'F32' as const, shape: [2, 16], data: new Float32Array(32) }], says: ['k_proj'] },
    { name: 'lora_A stored as int32', tensors: loraTensors(2).map((t, i) => (i === 0 ? { ...t, dtype: 'I32' as const, data: new Int32Array(32) } : t)), says: ['I32'] },
  ], async (c) => {
    const dir = await writeAdapter(cfg, c.tensors);
    await expectRefused(() => loadAdapter(dir, model), { codes: CODES, mentions: [path.join(dir, 'adapter_model.safetensors'), ...c.says] });
  });

  it('a folder without adapter_model.safetensors names the file', async () => {
    const dir = await writeAdapter(cfg, loraTensors(2));
    fs.rmSync(path.join(dir, 'adapter_model.safetensors'));
    await expectRefused(() => loadAdapter(dir, model), { codes: ['FILE_NOT_FOUND'], mentions: [path.join(dir, 'adapter_model.safetensors')] });
    fuzz.count(1);
  });
});
