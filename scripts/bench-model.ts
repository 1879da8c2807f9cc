// The bench's reference model and batch (issue #2): LLaMA-style, hidden 256, 4 layers, 8 heads, intermediate 688,
// vocab 4096, random N(0, 0.02) weights; a batch of 8 × 128 random tokens. Shared by the bench children.
import type { BaseOptions, BaseSpecInput } from '../src-shared/domain/base-spec';
import type { CausalLM } from '../src-main/engine/model/causal-lm';
import { architectureFor } from '../src-main/engine/model/architectures/registry';
import type { ModelConfig } from '../src-main/engine/model/config';
import { parseModelConfig } from '../src-main/engine/model/config';
import { buildModel } from '../src-main/engine/model/load';
import { Rng } from '../src-main/engine/rng';
import type { Batch } from '../src-main/engine/train/batching';
import { adapterMethod } from '../src-main/engine/adapters/index';
import { AdamW } from '../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../src-main/engine/train/step';

export const B = 8;
export const T = 128;
export const R = 8;
export const TARGETS = ['q_proj', 'v_proj'];
export const CONFIG = {
  model_type: 'llama', vocab_size: 4096, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4,
  num_attention_heads: 8, num_key_value_heads: 8, max_position_embeddings: 512, rms_norm_eps: 1e-6, tie_word_embeddings: false,
};

/** The base storages the quantised-base bench compares (bench-quant-child.ts), float32 first. */
export const QUANT_BASES: BaseSpecInput[] = [
  { bits: 32 }, { bits: 16, halfType: 'bf16' }, { bits: 8, int8Threshold: 6 }, { bits: 8, int8Threshold: 0 },
  { bits: 4, quantType: 'nf4', doubleQuant: true }, { bits: 4, quantType: 'nf4', doubleQuant: false }, { bits: 4, quantType: 'fp4', doubleQuant: false },
];

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median seconds of `repeats` calls after one warm-up call (kernel compilation, buffer allocation). */
export async function timeIt(fn: () => Promise<void>, repeats: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

/** The reference model with random weights, its decoder linears stored as `base` asks (default float32). */
export function randomModel(base?: BaseOptions): { config: ModelConfig; model: CausalLM } {
  const config = parseModelConfig(CONFIG, 'bench config');
  const arch = architectureFor(config);
  const rng = new Rng(1);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of arch.expectedWeights(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    weights.set(name, { shape, data: name.endsWith('norm.weight') ? new Float32Array(n).fill(1) : rng.normalArray(n, 0.02) });
  }
  return { config, model: buildModel(config, arch, weights, { base }) };
}

export function randomBatch(V: number): Batch {
  const rng = new Rng(2);
  const ids = Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * V));
  return {
    batchSize: B, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: B * T }, (_, i) => i % T),
    segmentIds: new Int32Array(B * T).fill(1), numTargetTokens: B * (T - 1), numExamples: B, epoch: 0,
  };
}

/** The reference LoRA step (r R on TARGETS, AdamW) on the current backend: `run()` performs one update. */
export function loraStep(base?: BaseOptions): { config: ModelConfig; model: CausalLM; run: () => Promise<void>; dispose: () => void } {
  const { config, model } = randomModel(base);
  const method = adapterMethod('lora');
  const adapter = method.inject(model, method.parseConfig({ r: R, loraAlpha: 16, targetModules: TARGETS }, 'bench'), { seed: 1 });
  const params = uniqueParams(adapter.trainables());
  const opt = new AdamW(params);
  const batch = randomBatch(config.vocabSize);
  let step = 0;
  const run = async () => {
    await trainStep(model, params, opt, [batch], { step: step++, lr: 1e-4, seed: 1, maxGradNorm: 1 });
  };
  return { config, model, run, dispose: () => { opt.dispose(); adapter.remove(); model.dispose(); } };
}
