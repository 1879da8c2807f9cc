// The same LoRA training (tiny LLaMA with GQA, all-linear r 4, dropout, 4 AdamW updates with accumulation) on
// every backend gives the cpu reference's losses and adapter values within float32 tolerance.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { useBackend } from '../../../src-main/engine/backends/index';
import { loadModel } from '../../../src-main/engine/model/load';
import type { Batch } from '../../../src-main/engine/train/batching';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';
import { describeEachBackend } from '../../helpers/backends';
import { writeTinyModel } from '../../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-agree-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let modelDir: string;

function batch(ids: number[][]): Batch {
  const B = ids.length;
  const T = Math.max(...ids.map((r) => r.length));
  const flat = (f: (r: number[], t: number) => number) => Int32Array.from(ids.flatMap((r) => Array.from({ length: T }, (_, t) => f(r, t))));
  return {
    batchSize: B, seqLen: T,
    inputIds: flat((r, t) => r[t] ?? 0), labels: flat((r, t) => (t < r.length ? r[t] : -100)),
    positionIds: flat((r, t) => (t < r.length ? t : 0)), segmentIds: flat((r, t) => (t < r.length ? 1 : 0)),
    numTargetTokens: 0, numExamples: B, epoch: 0,
  };
}

const BATCHES = [batch([[1, 5, 9, 13, 17, 2], [1, 7, 3, 2]]), batch([[1, 40, 41, 42, 43, 44, 2], [1, 60]])];

async function run(): Promise<{ losses: number[]; adapter: Float32Array[] }> {
  const model = await loadModel(modelDir);
  const method = adapterMethod('lora');
  const adapter = method.inject(model, method.parseConfig({ r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: 'all-linear' }, 'm'), { seed: 3 });
  const params = uniqueParams(adapter.trainables());
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  const losses: number[] = [];
  for (let step = 0; step < 4; step++) {
    const r = await trainStep(model, params, opt, BATCHES, { step, lr: 5e-3, seed: 9, maxGradNorm: 1 });
    losses.push(r.loss);
  }
  const values = await Promise.all([...params.values()].map(async (v) => (await v.data()) as Float32Array));
  opt.dispose();
  adapter.remove();
  model.dispose();
  return { losses, adapter: values };
}

let reference: Awaited<ReturnType<typeof run>>;
beforeAll(async () => {
  modelDir = (await writeTinyModel(path.join(root, 'm'), { numHeads: 4, numKvHeads: 2, seed: 8 })).dir;
  await useBackend('cpu');
  reference = await run();
});

describeEachBackend('LoRA training agrees with the cpu reference', () => {
  it('losses and adapter values after 4 updates', async () => {
    const got = await run();
    got.losses.forEach((l, i) => expect(Math.abs(l - reference.losses[i])).toBeLessThan(1e-4 * Math.max(1, reference.losses[i])));
    expect(reference.losses[3]).toBeLessThan(reference.losses[0]);
    got.adapter.forEach((a, i) => {
      let err = 0;
      for (let j = 0; j < a.length; j++) err = Math.max(err, Math.abs(a[j] - reference.adapter[i][j]));
      // Adam divides by √v: parameters with near-zero gradients move by up to lr per update whatever the gradient's
      // size, so rounding differences in tiny gradients show up as differences of a small fraction of lr (5e-3).
      expect(err).toBeLessThan(1e-3);
    });
  });
}, { backends: ['wasm', 'webgpu'] });
