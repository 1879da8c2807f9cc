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
  generateTokensPerSecond: number;
  generateGflops: number;
}

/** GFLOP/s of the plain matmuls a step performs (forward shapes), all timed together. */
async function matmulRate(cfg: ReturnType<typeof parseModelConfig>, repeats: number): Promise<number> {
  const N = B * T;
  const H = cfg.hiddenSize;
  const shapes: [number, number, number][] = [[N, H, H], [N, H, H], [N, H, H], [N, H, H], [N, H, cfg.intermediateSize], [N, H, cfg.intermediateSize], [N, cfg.intermediateSize, H], [N - B, H, cfg.vocabSize]];
  const pairs = shapes.map(([n, k, m]) => [tf.randomNormal([n, k]), tf.randomNormal([m, k])] as const);
  const flops = shapes.reduce((s, [n, k, m]) => s + 2 * n * k * m, 0);
  // Read back one scalar (as a training step does), not every product: a large readback is slow on some GPUs.
  const secs = await timeIt(async () => {
    const total = tf.tidy(() => tf.addN(pairs.map(([a, b]) => tf.sum(tf.matMul(a, b, false, true)))));
    await total.data();
    total.dispose();
  }, repeats);
  pairs.forEach(([a, b]) => tf.dispose([a, b]));
  return flops / secs / 1e9;
}

async function main(): Promise<void> {
  // 'wasm-plain': the wasm backend with its own matrix products only (no ONNX Runtime), for comparison.
  const label = process.argv[2];
  if (label === 'wasm-plain') process.env.PEFT_LAB_NATIVE_MATMUL = 'off';
  const backend = (label === 'wasm-plain' ? 'wasm' : label) as BackendName;
  const info = await useBackend(backend);
  const repeats = backend === 'cpu' ? 2 : 5;
  const { config, model, run } = loraStep();
  const stepSeconds = await timeIt(run, repeats);
  const flops = loraStepFlops(config, T, R, TARGETS);
  const matmulGflops = await matmulRate(config, repeats);
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
    flopsPerToken: flops.perToken, flopsFormula: flops.formula, matmulParams: flops.matmulParams, matmulGflops,
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
