// One backend's quantised-base figures for `npm run bench` (run in its own process by bench-quant.ts): for each
// base storage, the reference LoRA training step's time next to float32's on the same backend, the time the
// step spends dequantising (every decoder weight twice: forward, and again for the input gradient), and the base
// weights' memory measured from the tensors.
import * as tf from '@tensorflow/tfjs';
import type { BaseOptions } from '../src-shared/domain/base-spec';
import { BaseSpecSchema, describeBase, resolveBaseOptions } from '../src-shared/domain/base-spec';
import { adapterMethod } from '../src-main/engine/adapters/index';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import type { CausalLM } from '../src-main/engine/model/causal-lm';
import { PROJECTIONS } from '../src-main/engine/model/causal-lm';
import type { FrozenLinear } from '../src-main/engine/model/linear';
import { measureBaseWeights } from '../src-main/engine/quant/measure';
import { AdamW } from '../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../src-main/engine/train/step';
import { QUANT_BASES, R, TARGETS, median, randomBatch, randomModel } from './bench-model';


export interface QuantStepResult {
  base: string;
  stepSeconds: number;
  /** Seconds per step spent dequantising (two dequantisations of every decoder weight). */
  dequantSeconds: number;
  baseWeightBytes: number;
  linearBytes: number;
  bitsPerWeight: number;
}

export interface QuantBenchResult {
  backend: string;
  device: string;
  repeats: number;
  results: QuantStepResult[];
}

/** Dequantises every decoder weight twice, as a step does, and waits for the result. */
async function dequantAll(model: CausalLM): Promise<void> {
  const total = tf.tidy(() => {
    const sums: tf.Tensor[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const layer of model.layers) {
        for (const name of PROJECTIONS) {
          const proj = layer.proj[name] as FrozenLinear & { base?: FrozenLinear }; // q, v carry LoRA: their frozen layer is .base
          sums.push(tf.sum((proj.base ?? proj).weight.materialize()));
        }
      }
    }
    return tf.addN(sums);
  });
  await total.data();
  total.dispose();
}

interface Subject {
  base: BaseOptions;
  model: CausalLM;
  step: () => Promise<void>;
  dispose: () => void;
}

function setUp(base: BaseOptions): Subject {
  const { config, model } = randomModel(base);
  const method = adapterMethod('lora');
  const adapter = method.inject(model, method.parseConfig({ r: R, loraAlpha: 16, targetModules: TARGETS }, 'bench'), { seed: 1 });
  const params = uniqueParams(adapter.trainables());
  const opt = new AdamW(params);
  const batch = randomBatch(config.vocabSize);
  let n = 0;
  const step = async () => {
    await trainStep(model, params, opt, [batch], { step: n++, lr: 1e-4, seed: 1, maxGradNorm: 1 });
  };
  return { base, model, step, dispose: () => { opt.dispose(); adapter.remove(); model.dispose(); } };
}

/** Seconds of `fn(subject)` for every subject: round-robin over the subjects so that load drift hits all alike. */
async function roundRobin(subjects: Subject[], fn: (s: Subject) => Promise<void>, repeats: number): Promise<number[]> {
  const times = subjects.map(() => [] as number[]);
  for (const s of subjects) await fn(s); // warm-up: kernels compiled, buffers allocated
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < subjects.length; i++) {
      const t0 = performance.now();
      await fn(subjects[i]);
      times[i].push((performance.now() - t0) / 1000);
    }
  }
  return times.map(median);
}

async function main(): Promise<void> {
  const backend = process.argv[2] as BackendName;
  const info = await useBackend(backend);
  const repeats = backend === 'wasm' ? 5 : 1; // webgpu on a software adapter takes ~10 s a step
  const subjects = QUANT_BASES.map((b) => setUp(resolveBaseOptions(BaseSpecSchema.parse(b))));
  const stepSeconds = await roundRobin(subjects, (s) => s.step(), repeats);
  const dequantSeconds = await roundRobin(subjects, (s) => (s.base.bits === 32 ? Promise.resolve() : dequantAll(s.model)), repeats);
  const results = subjects.map((s, i): QuantStepResult => {
    const memory = measureBaseWeights(s.model);
    return {
      base: describeBase(s.base), stepSeconds: stepSeconds[i], dequantSeconds: s.base.bits === 32 ? 0 : dequantSeconds[i],
      baseWeightBytes: memory.bytes, linearBytes: memory.linearBytes, bitsPerWeight: memory.bitsPerWeight,
    };
  });
  for (const s of subjects) s.dispose();
  const out: QuantBenchResult = { backend, device: info.device, repeats, results };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend: process.argv[2], error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
