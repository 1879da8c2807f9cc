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
  /** Median over rounds of (step GFLOP/s) / (matmul GFLOP/s), the matmul set being the step's forward shapes. */
  stepOverMatmul: number;
  /**
   * The step's own products (every BatchMatMul call of one step, forward and backward, recorded and replayed alone):
   * how many, their FLOPs and rate, the step's rate over theirs (median over rounds), and their time over the step's.
   */
  ownProducts: { calls: number; flops: number; gflops: number; stepOver: number; share: number };
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
 * The step and the matmul sets timed in turn, `repeats` rounds after `warmup` rounds (the first steps grow the wasm
 * and malloc heaps): each function's times, round by round, so that ratios can be taken within a round, which a
 * change in the machine's load between measurements moves much less than a ratio of medians.
 */
async function roundTimes(fns: (() => Promise<void>)[], repeats: number, warmup: number): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < repeats; i++) for (let j = 0; j < fns.length; j++) out[j].push(await seconds(fns[j]));
  return out;
}

interface Product { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }

/** Every matrix product (BatchMatMul kernel call) one call of `step` performs, forward and backward, as it ran. */
async function recordProducts(backend: string, step: () => Promise<void>): Promise<Product[]> {
  const kernel = tf.getKernel('BatchMatMul', backend);
  if (kernel === undefined) throw new Error(`no BatchMatMul kernel on ${backend}`);
  const seen: Product[] = [];
  tf.unregisterKernel('BatchMatMul', backend);
  tf.registerKernel({
    ...kernel, setupFunc: undefined,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      seen.push({ a: [...a.shape], b: [...b.shape], transposeA: args.attrs?.transposeA === true, transposeB: args.attrs?.transposeB === true });
      return kernel.kernelFunc(args);
    },
  });
  try {
    await step();
  } finally {
    tf.unregisterKernel('BatchMatMul', backend);
    tf.registerKernel(kernel);
  }
  return seen;
}

/**
 * The step's own products replayed alone on random operands of the same shapes and transposes: their FLOPs and a
 * function that runs them once. Nothing is reduced (no extra passes); one element of the last product is read back,
 * which on a GPU waits for every product queued before it.
 */
function replaySet(products: Product[]): { flops: number; calls: number; run: () => Promise<void>; dispose: () => void } {
  const operands = products.map((p) => [tf.randomNormal(p.a), tf.randomNormal(p.b)] as const);
  const flops = products.reduce((sum, p) => {
    const [n, k] = p.transposeA ? p.a.slice(-2).reverse() : p.a.slice(-2);
    const m = p.transposeB ? p.b[p.b.length - 2] : p.b[p.b.length - 1];
    const batch = Math.max(tf.util.sizeFromShape(p.a.slice(0, -2)), tf.util.sizeFromShape(p.b.slice(0, -2)));
    return sum + 2 * batch * n * k * m;
  }, 0);
  return {
    flops,
    calls: products.length,
    run: async () => {
      let last: tf.Tensor | null = null;
      products.forEach((p, i) => {
        last?.dispose();
        last = tf.matMul(operands[i][0], operands[i][1], p.transposeA, p.transposeB);
      });
      const probe = tf.tidy(() => tf.slice(tf.reshape(last!, [-1]), 0, 1));
      await probe.data();
      tf.dispose([probe, last!]);
    },
    dispose: () => operands.forEach((pair) => tf.dispose([...pair])),
  };
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
  const own = replaySet(await recordProducts(tf.getBackend(), run));
  const [stepTimes, mmTimes, ownTimes] = await roundTimes([run, mm.run, own.run], repeats, backend === 'cpu' ? 1 : 3);
  mm.dispose();
  own.dispose();
  const stepSeconds = median(stepTimes);
  const stepFlops = flops.perToken * B * T;
  const matmulGflops = mm.flops / median(mmTimes) / 1e9;
  const stepOverMatmul = median(stepTimes.map((s, i) => (stepFlops / s) / (mm.flops / mmTimes[i])));
  const ownProductsGflops = own.flops / median(ownTimes) / 1e9;
  const stepOverOwnProducts = median(stepTimes.map((s, i) => (stepFlops / s) / (own.flops / ownTimes[i])));
  const ownProductsShare = median(stepTimes.map((s, i) => ownTimes[i] / s));
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
    ownProducts: { calls: own.calls, flops: own.flops, gflops: ownProductsGflops, stepOver: stepOverOwnProducts, share: ownProductsShare },
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
