// One backend's figures for `npm run bench` (run in its own process by bench.ts): a LoRA training step on the
// reference config, the raw matmul rate at that step's matrix sizes, and KV-cached greedy generation.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import { GREEDY, generate } from '../src-main/engine/generate/generate';
import type { parseModelConfig } from '../src-main/engine/model/config';
import { decodeFlops, loraStepFlops } from './bench-flops';
import { B, R, T, TARGETS, loraStep, timeIt } from './bench-model';

export interface BenchResult {
  backend: string;
  device: string;
  config: string;
  repeats: number;
  stepSeconds: number;
  trainTokensPerSecond: number;
  achievedGflops: number;
  flopsPerToken: number;
  flopsFormula: string;
  matmulParams: number;
  matmulGflops: number;
  /** Median over pairs timed back to back of (step GFLOP/s) / (matmul GFLOP/s). */
  stepOverMatmul: number;
  generateTokensPerSecond: number;
  generateGflops: number;
}

/**
 * The plain matmuls a step performs (forward shapes), all timed together: their FLOPs and a function that runs them
 * once. Read back one scalar (as a training step does), not every product: a large readback is slow on some GPUs.
 */
function matmulSet(cfg: ReturnType<typeof parseModelConfig>): { flops: number; run: () => Promise<void>; dispose: () => void } {
  const N = B * T;
  const H = cfg.hiddenSize;
  const shapes: [number, number, number][] = [[N, H, H], [N, H, H], [N, H, H], [N, H, H], [N, H, cfg.intermediateSize], [N, H, cfg.intermediateSize], [N, cfg.intermediateSize, H], [N - B, H, cfg.vocabSize]];
  const pairs = shapes.map(([n, k, m]) => [tf.randomNormal([n, k]), tf.randomNormal([m, k])] as const);
  return {
    flops: shapes.reduce((s, [n, k, m]) => s + 2 * n * k * m, 0),
    run: async () => {
      const total = tf.tidy(() => tf.addN(pairs.map(([a, b]) => tf.sum(tf.matMul(a, b, false, true)))));
      await total.data();
      total.dispose();
    },
    dispose: () => pairs.forEach(([a, b]) => tf.dispose([a, b])),
  };
}

async function seconds(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/**
 * Step and matmul set timed alternately, `repeats` pairs after `warmup` rounds of each (the first steps grow the
 * wasm and malloc heaps): the medians of each, and the median of the per-pair ratios (step GFLOP/s over matmul
 * GFLOP/s), which a change in the machine's load between the two measurements moves much less.
 */
async function pairedTimes(step: () => Promise<void>, mm: () => Promise<void>, repeats: number, warmup: number): Promise<{ step: number[]; mm: number[] }> {
  for (let i = 0; i < warmup; i++) {
    await step();
    await mm();
  }
  const out = { step: [] as number[], mm: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    out.step.push(await seconds(step));
    out.mm.push(await seconds(mm));
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  // 'wasm-plain': the wasm backend with its own matrix products only (no ONNX Runtime), for comparison.
  const label = process.argv[2];
  // 'wasm-malloc-defaults': the parent starts this process without the malloc settings (malloc-tunables.ts).
  if (label === 'wasm-plain') process.env.PEFT_LAB_NATIVE_MATMUL = 'off';
  const backend = (label.startsWith('wasm-') ? 'wasm' : label) as BackendName;
  const info = await useBackend(backend);
  const repeats = backend === 'cpu' ? 2 : backend === 'webgpu' ? 5 : 9;
  const { config, model, run } = loraStep();
  const flops = loraStepFlops(config, T, R, TARGETS);
  const mm = matmulSet(config);
  const times = await pairedTimes(run, mm.run, repeats, backend === 'cpu' ? 1 : 3);
  mm.dispose();
  const stepSeconds = median(times.step);
  const matmulGflops = mm.flops / median(times.mm) / 1e9;
  const stepOverMatmul = median(times.step.map((s, i) => (flops.perToken * B * T / s) / (mm.flops / times.mm[i])));
  const prompt = Array.from({ length: 16 }, (_, i) => 10 + i);
  const NEW = 64;
  const genSeconds = await timeIt(async () => {
    await generate(model, prompt, { ...GREEDY, maxNewTokens: NEW, eosTokenIds: [] });
  }, Math.max(2, Math.floor(repeats / 2)));
  let genFlops = 0;
  for (let s = prompt.length; s < prompt.length + NEW; s++) genFlops += decodeFlops(config, s);
  const result: BenchResult = {
    backend: label, device: info.device,
    config: `LLaMA hidden ${config.hiddenSize}, ${config.numHiddenLayers} layers, ${config.numAttentionHeads} heads, intermediate ${config.intermediateSize}, vocab ${config.vocabSize}; batch ${B} × seq ${T}; LoRA r ${R} on ${TARGETS.join(',')}; AdamW`,
    repeats, stepSeconds, trainTokensPerSecond: (B * T) / stepSeconds, achievedGflops: (flops.perToken * B * T) / stepSeconds / 1e9,
    flopsPerToken: flops.perToken, flopsFormula: flops.formula, matmulParams: flops.matmulParams, matmulGflops, stepOverMatmul,
    generateTokensPerSecond: NEW / genSeconds, generateGflops: genFlops / genSeconds / 1e9,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend: process.argv[2], error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
