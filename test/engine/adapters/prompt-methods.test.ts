// Prompt tuning, prefix tuning and full fine-tuning on every backend: the forward with virtual tokens / a
// key-value prefix equals an independent float64 reference fed the same embeddings / keys and values; KV-cached
// decoding equals a full pass; disabling restores the base; training moves only the method's tensors and
// leaks nothing; save → load gives identical logits; the counts equal PEFT's formulas.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { loadAdapter, saveAdapter } from '../../../src-main/engine/adapters/io';
import type { InjectedAdapter } from '../../../src-main/engine/adapters/types';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { KVCache } from '../../../src-main/engine/model/kv-cache';
import { loadModel, readModelInfo } from '../../../src-main/engine/model/load';
import { planParameters } from '../../../src-main/engine/plan/params';
import type { Batch } from '../../../src-main/engine/train/batching';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';
import { describeEachBackend } from '../../helpers/backends';
import { referenceLogits } from '../../helpers/reference-llama';
import type { TinyModel } from '../../helpers/tiny-model';
import { writeTinyModel } from '../../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-prompt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const IDS = [1, 9, 33, 4, 60, 2, 17];
// Tiny model: H 16, 2 layers, 4 heads of 4, 2 kv heads → kv dim d = 8.
let tiny: TinyModel;
beforeAll(async () => {
  tiny = await writeTinyModel(path.join(root, 'model'), { seed: 31 });
});

async function rows(t: tf.Tensor, width: number): Promise<number[][]> {
  const d = Array.from(await t.data());
  return Array.from({ length: d.length / width }, (_, i) => d.slice(i * width, (i + 1) * width));
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

async function logits(model: CausalLM, ids = IDS): Promise<Float32Array> {
  const t = model.logits({ inputIds: Int32Array.from(ids), batchSize: 1, seqLen: ids.length });
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

function batchOf(ids: number[]): Batch {
  const T = ids.length;
  return { batchSize: 1, seqLen: T, inputIds: Int32Array.from(ids), labels: Int32Array.from(ids), positionIds: Int32Array.from(ids.keys()),
    segmentIds: new Int32Array(T).fill(1), numTargetTokens: T - 1, numExamples: 1, epoch: 0 };
}

/** The reference fed what the adapter puts into the model. */
async function referenceFor(name: string, adapter: InjectedAdapter): Promise<Float64Array> {
  const V = tiny.config.vocab_size as number;
  const vars = adapter.trainables();
  if (name === 'prompt') {
    const full = referenceLogits(tiny.config, tiny.weights, IDS, { virtual: await rows(vars.get('prompt_embeddings')!, 16) });
    return full.slice(full.length - IDS.length * V); // the virtual positions' logits are not part of the output
  }
  const table = await (adapter.peftTensors ? adapter.peftTensors() : Promise.resolve(new Map([['prompt_embeddings', { shape: vars.get('prompt_embeddings')!.shape, data: (await vars.get('prompt_embeddings')!.data()) as Float32Array }]])));
  const { shape, data } = table.get('prompt_embeddings')!;
  const [T, width] = shape; // [Tp, 2·L·d], row t viewed as [2L, nkv, hd]: 2l = key of layer l, 2l+1 = value
  const prefix = [0, 1].map((l) => ({
    keys: Array.from({ length: T }, (_, t) => Array.from(data.slice(t * width + 2 * l * 8, t * width + 2 * l * 8 + 8))),
    values: Array.from({ length: T }, (_, t) => Array.from(data.slice(t * width + (2 * l + 1) * 8, t * width + (2 * l + 1) * 8 + 8))),
  }));
  return referenceLogits(tiny.config, tiny.weights, IDS, { prefix });
}

const ROWS = [
  // trainable: prompt T·H = 5·16; prefix T·2·L·d = 5·2·2·8; with projection (h = 6): T·d + d·h + h + h·2Ld + 2Ld = 40 + 48 + 6 + 192 + 32.
  { name: 'prompt', cfg: { method: 'prompt', numVirtualTokens: 5 }, trainable: 80 },
  { name: 'prompt (sample-vocab init)', cfg: { method: 'prompt', numVirtualTokens: 3, init: 'sample-vocab' }, trainable: 48 },
  { name: 'prefix', cfg: { method: 'prefix', numVirtualTokens: 5 }, trainable: 160 },
  { name: 'prefix with projection', cfg: { method: 'prefix', numVirtualTokens: 5, prefixProjection: true, encoderHiddenSize: 6 }, trainable: 318 },
] as const;

describeEachBackend('prompt-learning methods', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const model = await loadModel(tiny.dir);
      const base = await logits(model);
      const method = adapterMethod(row.cfg.method);
      const cfg = method.parseConfig(row.cfg, 'method');
      expect(planParameters(model, method, cfg).trainable).toBe(row.trainable);
      let adapter: InjectedAdapter | null = method.inject(model, cfg, { seed: 4 });
      try {
        const withAdapter = await logits(model);
        expect(maxRel(withAdapter, await referenceFor(row.cfg.method, adapter))).toBeLessThan(5e-5);
        expect(maxRel(withAdapter, base)).toBeGreaterThan(1e-3);
        adapter.setEnabled(false);
        expect(await logits(model)).toEqual(base);
        adapter.setEnabled(true);

        // Decoding with the cache: prefill 3 tokens, then one at a time, equals the full pass.
        const cache = new KVCache(2, 1);
        const V = 64;
        let pos = 0;
        for (const chunk of [IDS.slice(0, 3), ...IDS.slice(3).map((i) => [i])]) {
          const t = model.logits({ inputIds: Int32Array.from(chunk), batchSize: 1, seqLen: chunk.length, cache });
          expect(maxRel(await t.data(), withAdapter.subarray(pos * V, (pos + chunk.length) * V))).toBeLessThan(1e-5);
          t.dispose();
          pos += chunk.length;
        }
        cache.dispose();

        expect(() => adapter!.merge()).toThrow(/nothing to merge/);
        const dir = path.join(root, `saved-${Math.random()}`);
        await saveAdapter(dir, adapter, model, 'tiny');
        adapter.remove();
        adapter = null;
        expect(await logits(model)).toEqual(base);
        adapter = await loadAdapter(dir, model);
        expect(maxRel(await logits(model), withAdapter)).toBeLessThan(1e-6);

        // Training moves the method's tensors only and leaks nothing.
        const params = uniqueParams(adapter.trainables());
        const opt = new AdamW(params);
        await trainStep(model, params, opt, [batchOf(IDS)], { step: 0, lr: 1e-2, seed: 1, maxGradNorm: 1 });
        const before = tf.memory().numTensors;
        const embed = (await model.embedTokens.data()).slice();
        const first = await trainStep(model, params, opt, [batchOf(IDS)], { step: 1, lr: 1e-2, seed: 1, maxGradNorm: 1 });
        let last = first;
        for (let s = 2; s < 8; s++) last = await trainStep(model, params, opt, [batchOf(IDS)], { step: s, lr: 1e-2, seed: 1, maxGradNorm: 1 });
        expect(tf.memory().numTensors).toBe(before);
        expect(last.loss).toBeLessThan(first.loss);
        expect(await model.embedTokens.data()).toEqual(embed);
        opt.dispose();
      } finally {
        adapter?.remove();
        model.dispose();
      }
    });
  }
}, { backends: ['cpu', 'wasm', 'webgpu'] });

describe('full fine-tuning', () => {
  it('trains every parameter, counts the base once, and saves a model folder that reloads to the same logits', async () => {
    const info = await readModelInfo(tiny.dir);
    const method = adapterMethod('full');
    const report = planParameters(info, method, method.parseConfig({}, 'm'));
    // Base: embed 64·16 + lm_head 64·16 + 2·(16·16·2 + 8·16·2 + 3·16·40 + 2·16) + 16 = 2048 + 2·2720 + 16 = 7,504.
    expect(report.trainable).toBe(7504);
    expect(report.all).toBe(7504);
    expect(report.line).toBe('trainable params: 7,504 || all params: 7,504 || trainable%: 100.0000');
    const model = await loadModel(tiny.dir);
    const adapter = method.inject(model, method.parseConfig({}, 'm'), { seed: 1 });
    const params = uniqueParams(adapter.trainables());
    expect([...params.values()].reduce((n, v) => n + v.size, 0)).toBe(7504);
    const opt = new AdamW(params);
    const first = await trainStep(model, params, opt, [batchOf(IDS)], { step: 0, lr: 1e-2, seed: 1, maxGradNorm: 1 });
    let last = first;
    for (let s = 1; s < 6; s++) last = await trainStep(model, params, opt, [batchOf(IDS)], { step: s, lr: 1e-2, seed: 1, maxGradNorm: 1 });
    expect(last.loss).toBeLessThan(first.loss);
    const trained = await logits(model);
    const out = path.join(root, 'full-out');
    await saveAdapter(out, adapter, model, 'tiny', tiny.dir);
    opt.dispose();
    adapter.remove();
    expect(maxRel(await logits(model), trained)).toBeGreaterThan(1e-3); // removing restores the base weights
    model.dispose();
    const reloaded = await loadModel(out);
    expect(maxRel(await logits(reloaded), trained)).toBeLessThan(1e-6);
    reloaded.dispose();
  });
});
