// The pre-flight memory estimate against what a training step really holds: tf.profile's peakBytes over one AdamW
// update (after a warm-up update, so the optimizer's moments exist) on a tiny LoRA model, at two batch × length
// sizes, with and without gradient checkpointing, on the cpu backend. The estimate of the tensors (everything but
// the runtime) must be within 1.2× of the measured peak, and so must its step-only part (activations and
// gradients) against the peak minus what was held before the step; checkpointing must lower the measured peak.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { useBackend } from '../../../src-main/engine/backends/index';
import { architectureFor } from '../../../src-main/engine/model/architectures/registry';
import { parseModelConfig } from '../../../src-main/engine/model/config';
import { buildModel } from '../../../src-main/engine/model/load';
import { estimateTrainingMemory } from '../../../src-main/engine/plan/memory';
import { planParameters } from '../../../src-main/engine/plan/params';
import { Rng } from '../../../src-main/engine/rng';
import type { Batch } from '../../../src-main/engine/train/batching';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';

const CONFIG = parseModelConfig({
  model_type: 'llama', vocab_size: 96, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256, rms_norm_eps: 1e-6, tie_word_embeddings: false,
}, 'test');
const SHAPE = { config: CONFIG, arch: architectureFor(CONFIG) };
const LORA = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: ['q_proj', 'v_proj', 'down_proj'] };

function randomBatch(B: number, T: number): Batch {
  const rng = new Rng(4);
  const ids = Int32Array.from({ length: B * T }, () => 1 + Math.floor(rng.uniform() * (CONFIG.vocabSize - 1)));
  return {
    batchSize: B, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: B * T }, (_, i) => i % T),
    segmentIds: new Int32Array(B * T).fill(1), numTargetTokens: B * (T - 1), numExamples: B, epoch: 0,
  };
}

interface Measured { peak: number; before: number; estimate: number; stepEstimate: number }

async function measure(B: number, T: number, gradientCheckpointing: boolean): Promise<Measured> {
  const rng = new Rng(2);
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of SHAPE.arch.expectedWeights(CONFIG)) w.set(name, { shape, data: rng.normalArray(shape.reduce((a, b) => a * b, 1), 0.1) });
  const model = buildModel(CONFIG, SHAPE.arch, w);
  const method = adapterMethod('lora');
  const cfg = method.parseConfig(LORA, 'test');
  const adapter = method.inject(model, cfg, { seed: 1 });
  const params = uniqueParams(adapter.trainables());
  const optimizer = new AdamW(params);
  const batch = randomBatch(B, T);
  const o = (step: number) => ({ step, lr: 1e-3, seed: 1, maxGradNorm: 1, gradientCheckpointing });
  try {
    await trainStep(model, params, optimizer, [batch], o(0));
    const before = tf.memory().numBytes;
    const profile = await tf.profile(async () => {
      await trainStep(model, params, optimizer, [batch], o(1));
    });
    const report = planParameters(SHAPE, method, cfg);
    const e = estimateTrainingMemory(SHAPE, {
      trainableParams: report.trainable, baseParams: report.base, batchSize: B, seqLen: T, gradientCheckpointing, method: method.activations?.(SHAPE, cfg),
    });
    return { peak: profile.peakBytes, before, estimate: e.totalBytes - e.runtimeBytes, stepEstimate: e.activationBytes + e.gradientBytes };
  } finally {
    optimizer.dispose();
    adapter.remove();
    model.dispose();
  }
}

describe('memory estimate vs tf.profile peakBytes [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  for (const [B, T] of [[2, 16], [4, 96]] as const) {
    it(`batch ${B} × ${T} tokens: within 1.2× with and without gradient checkpointing, and lower with it`, async () => {
      const plain = await measure(B, T, false);
      const checkpointed = await measure(B, T, true);
      for (const [what, m] of [['without', plain], ['with', checkpointed]] as const) {
        const total = m.peak / m.estimate;
        const step = (m.peak - m.before) / m.stepEstimate;
        expect(total, `${what} checkpointing: peak ${m.peak} B, estimate ${m.estimate} B`).toBeLessThanOrEqual(1.2);
        expect(total, `${what} checkpointing: peak ${m.peak} B, estimate ${m.estimate} B`).toBeGreaterThanOrEqual(1 / 1.2);
        expect(step, `${what} checkpointing: step ${m.peak - m.before} B, estimate ${m.stepEstimate} B`).toBeLessThanOrEqual(1.2);
        expect(step, `${what} checkpointing: step ${m.peak - m.before} B, estimate ${m.stepEstimate} B`).toBeGreaterThanOrEqual(1 / 1.2);
      }
      expect(checkpointed.before).toBe(plain.before);
      expect(checkpointed.peak).toBeLessThan(plain.peak);
    }, 120_000);
  }
});
