// One backend's quantised-base figures for `npm run bench` (run in its own process by bench-quant.ts): for each
// base storage, the reference LoRA training step's time next to float32's on the same backend, the time the
// step spends dequantising (every decoder weight twice: forward, and again for the input gradient), and the base
// weights' memory measured from the tensors. Then the QLoRA target of issue #8 (target 4): float32 and NF4 + double
// quantisation steps alternated pair by pair, their time ratio and the base-weight bytes ratio.
// `bench-quant-child.ts BACKEND [--target-only]`: only the two bases of the target.
import * as tf from '@tensorflow/tfjs';
import type { BaseOptions } from '../src-shared/domain/base-spec';
import { BaseSpecSchema, describeBase, resolveBaseOptions } from '../src-shared/domain/base-spec';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import type { CausalLM } from '../src-main/engine/model/causal-lm';
import { PROJECTIONS } from '../src-main/engine/model/causal-lm';
import type { FrozenLinear } from '../src-main/engine/model/linear';
import { measureBaseWeights } from '../src-main/engine/quant/measure';
import { QUANT_BASES, loraStep, median } from './bench-model';


export interface QuantStepResult {
  base: string;
  stepSeconds: number;
  /** Seconds per step spent dequantising (two dequantisations of every decoder weight). */
  dequantSeconds: number;
  baseWeightBytes: number;
  linearBytes: number;
  bitsPerWeight: number;
}

/** Target 4 of issue #8: a step on a 4-bit base costs ≤ 1.25× the fp32 step; its base weights ≤ 0.14× the fp32 bytes. */
export interface QloraTarget {
  /** The 4-bit base compared (QLoRA's: NF4 + double quantisation, blocks of 64). */
  base: string;
  repeats: number;
  fp32StepSeconds: number;
  qloraStepSeconds: number;
  /** Median over the pairs of (4-bit step / fp32 step), each pair timed back to back. */
  stepRatio: number;
  /** Every frozen base tensor: quantised decoder linears + float32 embeddings, norms, lm_head. */
  fp32Bytes: number;
  qloraBytes: number;
  /** The decoder's linear weights alone (what is quantised). */
  fp32LinearBytes: number;
  qloraLinearBytes: number;
}

export interface QuantBenchResult {
  backend: string;
  device: string;
  repeats: number;
  /** One per QUANT_BASES entry, in order; empty with --target-only. */
  results: QuantStepResult[];
  qlora: QloraTarget;
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
  const { model, run, dispose } = loraStep(base);
  return { base, model, step: run, dispose };
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

/** fp32 and 4-bit steps timed in pairs (alternating which goes first), after a warm-up of each. */
async function qloraTarget(fp32: Subject, q: Subject, repeats: number): Promise<QloraTarget> {
  await fp32.step();
  await q.step();
  const tf32: number[] = [];
  const tq: number[] = [];
  const time = async (s: Subject, into: number[]) => {
    const t0 = performance.now();
    await s.step();
    into.push((performance.now() - t0) / 1000);
  };
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      await time(fp32, tf32);
      await time(q, tq);
    } else {
      await time(q, tq);
      await time(fp32, tf32);
    }
  }
  const m32 = measureBaseWeights(fp32.model);
  const m4 = measureBaseWeights(q.model);
  return {
    base: describeBase(q.base), repeats, fp32StepSeconds: median(tf32), qloraStepSeconds: median(tq), stepRatio: median(tq.map((t, i) => t / tf32[i])),
    fp32Bytes: m32.bytes, qloraBytes: m4.bytes, fp32LinearBytes: m32.linearBytes, qloraLinearBytes: m4.linearBytes,
  };
}

const isQlora = (b: BaseOptions) => b.bits === 4 && b.quantType === 'nf4' && b.doubleQuant;

async function main(): Promise<void> {
  const backend = process.argv[2] as BackendName;
  const targetOnly = process.argv.includes('--target-only');
  const info = await useBackend(backend);
  const repeats = backend === 'wasm' ? 5 : 1; // webgpu on a software adapter takes ~10 s a step
  const targetRepeats = backend === 'wasm' ? 9 : 3;
  const all = QUANT_BASES.map((b) => resolveBaseOptions(BaseSpecSchema.parse(b)));
  if (targetOnly) {
    const [fp32, q] = [all.find((b) => b.bits === 32)!, all.find(isQlora)!].map(setUp);
    const qlora = await qloraTarget(fp32, q, targetRepeats);
    fp32.dispose();
    q.dispose();
    const out: QuantBenchResult = { backend, device: info.device, repeats: targetRepeats, results: [], qlora };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const subjects = all.map(setUp);
  const stepSeconds = await roundRobin(subjects, (s) => s.step(), repeats);
  const dequantSeconds = await roundRobin(subjects, (s) => (s.base.bits === 32 ? Promise.resolve() : dequantAll(s.model)), repeats);
  const results = subjects.map((s, i): QuantStepResult => {
    const memory = measureBaseWeights(s.model);
    return {
      base: describeBase(s.base), stepSeconds: stepSeconds[i], dequantSeconds: s.base.bits === 32 ? 0 : dequantSeconds[i],
      baseWeightBytes: memory.bytes, linearBytes: memory.linearBytes, bitsPerWeight: memory.bitsPerWeight,
    };
  });
  const qlora = await qloraTarget(subjects[0], subjects.find((s) => isQlora(s.base))!, targetRepeats);
  for (const s of subjects) s.dispose();
  const out: QuantBenchResult = { backend, device: info.device, repeats, results, qlora };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend: process.argv[2], error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
