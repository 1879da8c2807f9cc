// (IA)³ specifics (peft-spec §4): trainable counts derived by hand from model cards, PEFT's feed-forward rule
// (plain endswith, no dot boundary), the adapter_config.json lists (saved → read gives the same adapter), and
// output scaling that scales the bias too (Qwen2 has q/k/v biases) through merge and unmerge.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { pythonJsonDumps } from '../../../src-main/engine/adapters/peft-json';
import type { Ia3Linear } from '../../../src-main/engine/adapters/ia3/layer';
import type { WrappedModulesAdapter } from '../../../src-main/engine/adapters/wrapped';
import { loadModel, readModelInfo } from '../../../src-main/engine/model/load';
import { planParameters } from '../../../src-main/engine/plan/params';
import { Rng } from '../../../src-main/engine/rng';
import { describeEachBackend, toArray } from '../../helpers/backends';
import { writeTinyModel } from '../../helpers/tiny-model';
import { expectPeftError } from '../train/helpers';

const cards = path.resolve(__dirname, '../../../resources/model-cards');
const ia3 = adapterMethod('ia3');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-ia3-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// Per layer: m of k_proj and v_proj (2·n_kv·head_dim, output scales) + I (down_proj's input scale).
//   OpenLLaMA-3B: 32 heads, no GQA, head_dim 3200/32 = 100: 2·32·100 + 8640 = 15,040; × 26 layers = 391,040.
//     all params = 3,426,473,600 + 391,040 = 3,426,864,640; 100·391,040/3,426,864,640 = 0.0114 (Python f"{x:.4f}").
//   Llama-3-8B: 8 kv heads of 128: 2·1024 + 14336 = 16,384; × 32 = 524,288; base 8,030,261,248 → 8,030,785,536, 0.0065.
//   Qwen2-0.5B (PEFT's qwen2 default is q, v, down): q 14·64 = 896, v 2·64 = 128, I 4864: 5,888 × 24 = 141,312;
//     its base is the published 494,032,768 → 494,174,080, 0.0286.
describe('trainable counts (PEFT defaults per architecture)', () => {
  it.each([
    ['open_llama_3b_v2', 'trainable params: 391,040 || all params: 3,426,864,640 || trainable%: 0.0114', ['k_proj', 'v_proj', 'down_proj']],
    ['Meta-Llama-3-8B', 'trainable params: 524,288 || all params: 8,030,785,536 || trainable%: 0.0065', ['k_proj', 'v_proj', 'down_proj']],
    ['Qwen2-0.5B', 'trainable params: 141,312 || all params: 494,174,080 || trainable%: 0.0286', ['q_proj', 'v_proj', 'down_proj']],
  ])('%s', async (card, line, shorts) => {
    const r = planParameters(await readModelInfo(path.join(cards, card)), ia3, ia3.parseConfig({}, 'method'));
    expect(r.line).toBe(line);
    expect([...new Set(r.modules.map((m) => m.split('.').pop()))]).toEqual(shorts);
    const layer0 = r.tensors.filter((t) => t.module?.startsWith('model.layers.0.')).map((t) => [t.key, t.shape]);
    expect(layer0[layer0.length - 1][0]).toBe('base_model.model.model.layers.0.mlp.down_proj.ia3_l');
  });

  it('keys and shapes: output scales (m, 1), feed-forward input scales (1, n)', async () => {
    const r = planParameters(await readModelInfo(path.join(cards, 'open_llama_3b_v2')), ia3, ia3.parseConfig({}, 'method'));
    expect(r.tensors.slice(0, 3).map((t) => [t.key, t.shape])).toEqual([
      ['base_model.model.model.layers.0.self_attn.k_proj.ia3_l', [3200, 1]],
      ['base_model.model.model.layers.0.self_attn.v_proj.ia3_l', [3200, 1]],
      ['base_model.model.model.layers.0.mlp.down_proj.ia3_l', [1, 8640]],
    ]);
  });
});

describe('feed-forward modules and the saved config', () => {
  // Tiny llama: q/o 16→16, k/v 16→8, gate/up 16→40, down 40→16, 2 layers.
  let tiny: string;
  beforeAll(() => {
    tiny = path.join(root, 'meta');
    fs.mkdirSync(tiny);
    fs.writeFileSync(path.join(tiny, 'config.json'), JSON.stringify({
      model_type: 'llama', vocab_size: 64, hidden_size: 16, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
    }));
  });
  const shapes = async (cfg: Record<string, unknown>) =>
    Object.fromEntries(ia3.plan(await readModelInfo(tiny), ia3.parseConfig(cfg, 'method')).map((t) => [t.key.replace('base_model.model.model.layers.', '').replace('.ia3_l', ''), t.shape]));

  it('list entries match by plain endswith (no dot boundary), a string as a full-name regex', async () => {
    // "own_proj" is a suffix of "down_proj" only: PEFT's endswith has no dot boundary.
    expect(await shapes({ targetModules: ['up_proj', 'down_proj'], feedforwardModules: ['down_proj'] })).toMatchObject({ '0.mlp.up_proj': [40, 1], '0.mlp.down_proj': [1, 40] });
    expect(await shapes({ targetModules: 'all-linear', feedforwardModules: ['own_proj'] })).toMatchObject({ '0.mlp.down_proj': [1, 40], '0.mlp.up_proj': [40, 1], '0.self_attn.q_proj': [16, 1] });
    expect(await shapes({ targetModules: 'all-linear', feedforwardModules: String.raw`model\.layers\.0\.mlp\.down_proj` }))
      .toMatchObject({ '0.mlp.down_proj': [1, 40], '1.mlp.down_proj': [16, 1] });
  });

  it('refuses feed-forward modules outside the targets (PEFT\'s subset rule) or matching nothing', async () => {
    await expectPeftError(async () => shapes({ targetModules: ['k_proj'], feedforwardModules: ['down_proj'] }), 'SPEC_INVALID', 'subset');
    await expectPeftError(async () => shapes({ targetModules: 'all-linear', feedforwardModules: ['mlp.gate'] }), 'UNKNOWN_TARGET_MODULE', 'feedforwardModules');
  });

  it.each([
    [{}, ['down_proj', 'k_proj', 'v_proj'], ['down_proj']],
    [{ targetModules: 'all-linear', feedforwardModules: ['down_proj'] }, ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj'], ['down_proj']],
    [{ targetModules: ['q_proj', 'v_proj'] }, ['q_proj', 'v_proj'], []], // the default feed-forward module is not a target
    // Only layer 0's down_proj is feed-forward: short names would mix both kinds, so the full names are saved.
    [{ targetModules: 'all-linear', feedforwardModules: ['layers.0.mlp.down_proj'] }, [0, 1].flatMap((i) => ['mlp.down_proj', 'mlp.gate_proj', 'mlp.up_proj', 'self_attn.k_proj', 'self_attn.o_proj', 'self_attn.q_proj', 'self_attn.v_proj'].map((s) => `model.layers.${i}.${s}`)), ['model.layers.0.mlp.down_proj']],
  ])('adapter_config.json for %j names the same modules and reads back to the same adapter', async (cfg, targets, ff) => {
    const info = await readModelInfo(tiny);
    const parsed = ia3.parseConfig(cfg, 'method');
    const json = JSON.parse(pythonJsonDumps(ia3.peftConfig(info, parsed, 'tiny'))) as Record<string, unknown>;
    expect(json).toEqual({
      auto_mapping: null, base_model_name_or_path: 'tiny', fan_in_fan_out: false, feedforward_modules: ff, inference_mode: true,
      init_ia3_weights: true, modules_to_save: null, peft_type: 'IA3', revision: null, target_modules: targets, task_type: 'CAUSAL_LM',
    });
    expect(ia3.matchesPeftConfig(json)).toBe(true);
    expect(ia3.plan(info, ia3.fromPeftConfig(json, 'adapter_config.json'))).toEqual(ia3.plan(info, parsed));
  });
});

describeEachBackend('IA3 output scaling scales the bias too (Qwen2: q/k/v carry biases)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = (await writeTinyModel(path.join(root, `qwen-${Math.random()}`), { modelType: 'qwen2', seed: 9 })).dir;
  });

  it('merge folds l into W and b, unmerge divides it out again', async () => {
    const model = await loadModel(dir);
    const adapter = ia3.inject(model, ia3.parseConfig({ targetModules: ['q_proj', 'k_proj', 'down_proj'] }, 'method'), { seed: 1 }) as WrappedModulesAdapter<unknown>;
    try {
      const rng = new Rng(3);
      for (const v of adapter.trainables().values()) tf.tidy(() => v.assign(tf.add(tf.tensor(rng.normalArray(v.size, 0.3), v.shape), 1)));
      const ids = Int32Array.from([1, 5, 9, 3, 7]);
      const logits = async () => {
        const t = model.logits({ inputIds: ids, batchSize: 1, seqLen: ids.length });
        const d = await toArray(t);
        t.dispose();
        return d;
      };
      const q = adapter.wrapped().get('model.layers.0.self_attn.q_proj') as Ia3Linear;
      const b0 = await toArray(q.base.bias!);
      const l = await toArray(q.l);
      const unmerged = await logits();
      adapter.merge();
      const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
      expect(diff(await logits(), unmerged)).toBeLessThan(1e-4);
      expect(diff(await toArray(q.base.bias!), b0.map((b, i) => b * l[i]))).toBeLessThan(1e-6); // b ⊙ l
      adapter.unmerge();
      expect(diff(await toArray(q.base.bias!), b0)).toBeLessThan(1e-5);
      expect(diff(await logits(), unmerged)).toBeLessThan(1e-4);
    } finally {
      adapter.remove();
      model.dispose();
    }
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
