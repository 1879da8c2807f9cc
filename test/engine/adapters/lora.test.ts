// LoRA behaviour as a table (PEFT's TEST_CASES style): one row per config, the same assertions for each, on every
// backend — a zero-B adapter is a no-op, merged equals unmerged, disabling restores the base, a training step
// changes only adapter tensors and leaks nothing, save → load reproduces the outputs, and the trainable count
// equals the hand-derived r·(n + m) sum.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LoraConfigInput } from '../../../src-shared/domain/methods';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { loadAdapter, saveAdapter } from '../../../src-main/engine/adapters/io';
import type { InjectedAdapter } from '../../../src-main/engine/adapters/types';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { loadModel } from '../../../src-main/engine/model/load';
import { FrozenLinear, DenseWeight } from '../../../src-main/engine/model/linear';
import { planParameters } from '../../../src-main/engine/plan/params';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';
import type { Batch } from '../../../src-main/engine/train/batching';
import { describeEachBackend } from '../../helpers/backends';
import { writeTinyModel } from '../../helpers/tiny-model';
import { Rng } from '../../../src-main/engine/rng';

// Tiny model: H = 16, I = 40, 2 layers, 4 heads of 4, 2 kv heads → q/o 16×16, k/v 8×16, gate/up 40×16, down 16×40, V = 64.
const SHAPES: Record<string, [number, number]> = { // (in, out)
  q_proj: [16, 16], k_proj: [16, 8], v_proj: [16, 8], o_proj: [16, 16], gate_proj: [16, 40], up_proj: [16, 40], down_proj: [40, 16], lm_head: [16, 64],
};
const cnt = (r: number, names: string[], layers = 2) => names.reduce((s, n) => s + r * (SHAPES[n][0] + SHAPES[n][1]) * (n === 'lm_head' ? 1 : layers), 0);

interface Row { name: string; cfg: LoraConfigInput; trainable: number; noop: boolean }
const ROWS: Row[] = [
  { name: 'q,v r=4 alpha=8', cfg: { method: 'lora', r: 4, loraAlpha: 8, targetModules: ['q_proj', 'v_proj'] }, trainable: cnt(4, ['q_proj', 'v_proj']), noop: true },
  { name: 'all-linear r=2 rsLoRA', cfg: { method: 'lora', r: 2, loraAlpha: 4, useRslora: true, targetModules: 'all-linear' },
    trainable: cnt(2, ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']), noop: true },
  { name: 'lm_head and down_proj r=3 (lm_head only when named)', cfg: { method: 'lora', r: 3, targetModules: ['down_proj', 'lm_head'] }, trainable: cnt(3, ['down_proj', 'lm_head']), noop: true },
  { name: 'full-name regex, layer 1 q/k only', cfg: { method: 'lora', r: 2, targetModules: String.raw`model\.layers\.1\.self_attn\.(q|k)_proj` }, trainable: cnt(2, ['q_proj', 'k_proj'], 1), noop: true },
  { name: 'rank_pattern v_proj→2, gaussian init', cfg: { method: 'lora', r: 4, initLoraWeights: 'gaussian', targetModules: ['q_proj', 'v_proj'], rankPattern: { v_proj: 2 } },
    trainable: cnt(4, ['q_proj']) + cnt(2, ['v_proj']), noop: true },
  { name: 'init_lora_weights=false (not a no-op)', cfg: { method: 'lora', r: 2, initLoraWeights: false, targetModules: ['o_proj'] }, trainable: cnt(2, ['o_proj']), noop: false },
];

const IDS = Int32Array.from([1, 9, 33, 4, 60, 2, 17, 8]);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lora-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function logits(model: CausalLM): Promise<Float32Array> {
  const t = model.logits({ inputIds: IDS, batchSize: 1, seqLen: IDS.length });
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Gives every B (and A) random values so the adapter changes the output. */
function randomise(adapter: InjectedAdapter, seed: number): void {
  const rng = new Rng(seed);
  for (const v of uniqueParams(adapter.trainables()).values()) {
    v.assign(tf.tensor(rng.normalArray(v.size, 0.3), v.shape));
  }
}

function batchOf(ids: Int32Array): Batch {
  const T = ids.length;
  return {
    batchSize: 1, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: T }, (_, i) => i),
    segmentIds: new Int32Array(T).fill(1), numTargetTokens: T - 1, numExamples: 1, epoch: 0,
  };
}

async function baseWeightsSnapshot(model: CausalLM): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const m of model.linearModules()) {
    const layer = model.getLinear(m.name) as unknown as { base?: FrozenLinear };
    const base = (layer.base ?? layer) as FrozenLinear;
    out.push((await (base.weight as DenseWeight).tensor.data()) as Float32Array);
  }
  out.push((await model.embedTokens.data()) as Float32Array);
  return out;
}

describeEachBackend('LoRA', () => {
  let modelDir: string;
  let baseLogits: Float32Array;
  beforeAll(async () => {
    modelDir = (await writeTinyModel(path.join(root, `m-${Math.random()}`), { seed: 21 })).dir;
    const m = await loadModel(modelDir);
    baseLogits = await logits(m);
    m.dispose();
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const model = await loadModel(modelDir);
      const method = adapterMethod('lora');
      const cfg = method.parseConfig(row.cfg, 'method');
      expect(planParameters(model, method, cfg).trainable).toBe(row.trainable);
      let adapter: InjectedAdapter | null = method.inject(model, cfg, { seed: 5 });
      try {
        let created = 0;
        for (const v of uniqueParams(adapter.trainables()).values()) created += v.size;
        expect(created).toBe(row.trainable);

        // Step 0: B = 0 makes the adapter an exact no-op.
        const initial = await logits(model);
        if (row.noop) expect(maxAbsDiff(initial, baseLogits)).toBe(0);
        else expect(maxAbsDiff(initial, baseLogits)).toBeGreaterThan(1e-3);

        randomise(adapter, 7);
        const unmerged = await logits(model);
        expect(unmerged.every(Number.isFinite)).toBe(true);
        expect(maxAbsDiff(unmerged, baseLogits)).toBeGreaterThan(1e-3);
        adapter.setEnabled(false);
        expect(maxAbsDiff(await logits(model), baseLogits)).toBe(0);
        adapter.setEnabled(true);

        // Save → load onto the same base gives the same outputs.
        const dir = path.join(root, `adapter-${Math.random()}`);
        await saveAdapter(dir, adapter, model, 'tiny');
        adapter.remove();
        adapter = null;
        adapter = await loadAdapter(dir, model);
        expect(maxAbsDiff(await logits(model), unmerged)).toBe(0);

        // A training step changes adapter tensors only and leaks no tensor.
        const params = uniqueParams(adapter.trainables());
        const opt = new AdamW(params);
        const before = await baseWeightsSnapshot(model);
        await trainStep(model, params, opt, [batchOf(IDS)], { step: 0, lr: 1e-2, seed: 1, maxGradNorm: 1 }); // first step compiles kernels
        const adapterBefore = await Promise.all([...params.values()].map(async (v) => (await v.data()) as Float32Array));
        const tensorsBefore = tf.memory().numTensors;
        const r = await trainStep(model, params, opt, [batchOf(IDS)], { step: 1, lr: 1e-2, seed: 1, maxGradNorm: 1 });
        expect(tf.memory().numTensors).toBe(tensorsBefore);
        expect(Number.isFinite(r.loss)).toBe(true);
        const after = await baseWeightsSnapshot(model);
        after.forEach((w, i) => expect(maxAbsDiff(w, before[i])).toBe(0));
        const adapterAfter = await Promise.all([...params.values()].map(async (v) => (await v.data()) as Float32Array));
        adapterAfter.forEach((w, i) => expect(maxAbsDiff(w, adapterBefore[i])).toBeGreaterThan(0));
        opt.dispose();

        // Merged equals unmerged; unmerging restores the base weights up to rounding.
        const trained = await logits(model);
        adapter.merge();
        expect(maxAbsDiff(await logits(model), trained)).toBeLessThan(1e-4);
        adapter.unmerge();
        expect(maxAbsDiff(await logits(model), trained)).toBeLessThan(1e-4);
        adapter.setEnabled(false);
        expect(maxAbsDiff(await logits(model), baseLogits)).toBeLessThan(1e-4);
      } finally {
        adapter?.remove();
        model.dispose();
      }
    });
  }

  it('merge_and_unload: a merged adapter removed from the model leaves the merged weights', async () => {
    const model = await loadModel(modelDir);
    const method = adapterMethod('lora');
    const adapter = method.inject(model, method.parseConfig({ r: 2, targetModules: ['v_proj'] }, 'method'), { seed: 1 });
    randomise(adapter, 3);
    const withAdapter = await logits(model);
    adapter.merge();
    adapter.remove();
    expect(model.getLinear('model.layers.0.self_attn.v_proj')).toBeInstanceOf(FrozenLinear);
    expect(maxAbsDiff(await logits(model), withAdapter)).toBeLessThan(1e-4);
    model.dispose();
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
