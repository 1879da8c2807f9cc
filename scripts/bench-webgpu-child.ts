// The webgpu backend's figures for bench-webgpu.ts (issue #8 target 8), in a process of its own; prints one JSON line.
// 1. Per-kernel profile of one LoRA training step on the reference config. With the 'timestamp-query' feature,
//    tfjs's own GPU timing (tf.profile → kernelTimeMs). Without it (Dawn's OpenGL backend on Mesa llvmpipe has
//    none), by replay: every registered webgpu kernel is wrapped for one step to record its name, input
//    shapes/dtypes and attrs; then each distinct call is replayed alone on random inputs of those shapes (several
//    calls, completion awaited by reading back a 1-element result, that read's own cost subtracted) and
//    time per call × calls per step is summed per kernel name.
// 2. Matmul programs: the step's matmul shapes timed under each WEBGPU_MATMUL_PROGRAM_TYPE and the
//    WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL values that change a choice for these shapes (each result
//    checked against the default program's), then the whole step under the best setting against the default.
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { useBackend } from '../src-main/engine/backends/index';
import { loraStep, median } from './bench-model';

export interface KernelRow { name: string; calls: number; msPerStep: number; share: number }
export interface MatmulShape { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean; calls: number; program: Record<string, number | string> }
export interface MatmulSetting { label: string; programType: number; threshold: number }
export interface WebgpuBenchResult {
  backend: 'webgpu';
  device: string;
  isGpu: boolean;
  timestampQuery: boolean;
  method: 'timestamp-query' | 'replay';
  stepMs: number;
  kernelSumMs: number;
  kernelCalls: number;
  signatures: number;
  kernels: KernelRow[];
  settings: MatmulSetting[];
  matmuls: MatmulShape[];
  /** Sum over the step's matmuls of time × calls, per setting label (invalid settings left out). */
  matmulMsPerStep: Record<string, number>;
  step: { defaultMs: number[]; best: string; bestMs: number[] };
}

/** One distinct kernel call; `list`: the inputs are an array (AddN, Concat, Pack), not named. */
interface Signature { name: string; inputs: [string, { shape: number[]; dtype: tf.DataType }][]; list: boolean; attrs: NamedAttrMap; calls: number }
interface WebGPUBackendLike { supportTimestampQuery: boolean; uploadToGPU(dataId: object): void; device: GPUDevice }

const PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';
const THRESHOLD_FLAG = 'WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL';
const MATMULS = new Set(['BatchMatMul', '_FusedMatMul']);
/** Most workgroups per dispatch dimension; MatMulReduceProgram puts every output element in one dimension. */
const MAX_WORKGROUPS_PER_DIM = 65535;

async function setupStep(): Promise<{ run: () => Promise<void>; device: string; isGpu: boolean }> {
  const info = await useBackend('webgpu');
  const { run } = loraStep();
  return { run, device: info.device, isGpu: info.isGpu };
}

const started = performance.now();
const log = (msg: string) => process.stderr.write(`bench-webgpu: ${((performance.now() - started) / 1000).toFixed(0)} s: ${msg}\n`);

const gpuBackend = (): WebGPUBackendLike => tf.backend() as unknown as WebGPUBackendLike;

/** Runs `fn` once with every webgpu kernel wrapped; returns the distinct calls (top-level kernels only). */
async function recordKernels(fn: () => Promise<void>): Promise<Signature[]> {
  const sigs = new Map<string, Signature>();
  const originals = tf.getKernelsForBackend('webgpu').map((k) => ({ ...k }));
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const inputs = Object.entries(args.inputs)
          .filter((e): e is [string, TensorInfo] => e[1] != null)
          .map(([n, t]) => [n, { shape: [...t.shape], dtype: t.dtype }] as Signature['inputs'][number]);
        const attrs = { ...(args.attrs ?? {}) };
        const key = `${k.kernelName} ${JSON.stringify(inputs)} ${JSON.stringify(attrs)}`;
        const sig = sigs.get(key) ?? { name: k.kernelName, inputs, list: Array.isArray(args.inputs), attrs, calls: 0 };
        sig.calls++;
        sigs.set(key, sig);
        return k.kernelFunc(args);
      },
    });
  }
  try {
    await fn();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel(k);
    }
  }
  return [...sigs.values()];
}

/** Random inputs of the recorded shapes, on the GPU (as a step's intermediates are): floats in [0.5, 1.5), integer
 * inputs (indices, segment ids) 0, so every index is valid. */
function makeInputs(sig: Signature): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [name, { shape, dtype }] of sig.inputs) {
    const t = dtype === 'float32' ? tf.randomUniform(shape, 0.5, 1.5) : tf.zeros(shape, dtype);
    gpuBackend().uploadToGPU(t.dataId);
    out[name] = t;
  }
  return sig.list ? Object.values(out) as unknown as tf.NamedTensorMap : out;
}

function runOnce(name: string, inputs: tf.NamedTensorMap, attrs: NamedAttrMap): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Waits until the GPU has done everything queued so far: a fresh 1-element result read back. */
async function makeSync(): Promise<{ sync: () => Promise<void>; costMs: number }> {
  const probe = tf.ones([4]);
  gpuBackend().uploadToGPU(probe.dataId);
  const sync = async () => {
    const r = tf.add(probe, 1);
    await r.data();
    r.dispose();
  };
  const costs: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await sync();
    costs.push(performance.now() - t0);
  }
  return { sync, costMs: median(costs.slice(2)) };
}

/** Median ms per call of `call` alone: a warm-up (shader compile), then 3 rounds of n calls + one sync. */
async function timePerCall(call: () => void, sync: { sync: () => Promise<void>; costMs: number }, targetMs = 40): Promise<number> {
  call();
  await sync.sync();
  let t0 = performance.now();
  call();
  await sync.sync();
  const single = Math.max(0.01, performance.now() - t0 - sync.costMs);
  const n = Math.max(1, Math.min(50, Math.round(targetMs / single)));
  const perCall: number[] = [];
  for (let round = 0; round < 3; round++) {
    t0 = performance.now();
    for (let i = 0; i < n; i++) call();
    await sync.sync();
    perCall.push(Math.max(0, performance.now() - t0 - sync.costMs) / n);
  }
  return median(perCall);
}

async function replaySignature(sig: Signature, sync: Awaited<ReturnType<typeof makeSync>>): Promise<number> {
  const inputs = makeInputs(sig);
  try {
    return await timePerCall(() => tf.dispose(runOnce(sig.name, inputs, sig.attrs)), sync);
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

function toRows(by: Map<string, { calls: number; ms: number }>): { rows: KernelRow[]; sum: number } {
  const sum = [...by.values()].reduce((s, k) => s + k.ms, 0);
  const rows = [...by].map(([name, k]) => ({ name, calls: k.calls, msPerStep: k.ms, share: sum > 0 ? k.ms / sum : 0 }));
  return { rows: rows.sort((a, b) => b.msPerStep - a.msPerStep), sum };
}

async function profileByReplay(sigs: Signature[], sync: Awaited<ReturnType<typeof makeSync>>): Promise<Map<string, { calls: number; ms: number }>> {
  const by = new Map<string, { calls: number; ms: number }>();
  for (const sig of sigs) {
    let ms: number;
    try {
      ms = await replaySignature(sig, sync);
    } catch (err) {
      process.stderr.write(`bench-webgpu: replay of ${sig.name} failed (${(err as Error).message}); counted as 0\n`);
      ms = 0;
    }
    const e = by.get(sig.name) ?? { calls: 0, ms: 0 };
    e.calls += sig.calls;
    e.ms += ms * sig.calls;
    by.set(sig.name, e);
  }
  return by;
}

async function profileByTimestamps(run: () => Promise<void>): Promise<Map<string, { calls: number; ms: number }>> {
  const info = await tf.profile(run);
  const by = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = by.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    by.set(k.name, e);
  }
  return by;
}

function withSetting<T>(s: MatmulSetting, fn: () => T): T {
  const env = tf.env();
  const before = [env.getNumber(PROGRAM_FLAG), env.getNumber(THRESHOLD_FLAG)];
  env.set(PROGRAM_FLAG, s.programType);
  env.set(THRESHOLD_FLAG, s.threshold);
  try {
    return fn();
  } finally {
    env.set(PROGRAM_FLAG, before[0]);
    env.set(THRESHOLD_FLAG, before[1]);
  }
}

const DEFAULT: MatmulSetting = { label: 'auto (default, threshold 8)', programType: -1, threshold: -1 };
const SETTINGS: MatmulSetting[] = [
  DEFAULT,
  { label: 'Reduce (0)', programType: 0, threshold: -1 },
  { label: 'SplitK (1)', programType: 1, threshold: -1 },
  { label: 'SmallOutputSize (2)', programType: 2, threshold: -1 },
  { label: 'Packed (3)', programType: 3, threshold: -1 },
  ...[32, 64, 256, 1024].map((t) => ({ label: `auto, threshold ${t}`, programType: -1, threshold: t })),
];

function matmulDims(sig: Signature): { batch: number; m: number; n: number } {
  const [a, b] = [sig.inputs.find(([k]) => k === 'a'), sig.inputs.find(([k]) => k === 'b')].map((e) => e?.[1].shape ?? []);
  const ta = sig.attrs.transposeA === true;
  const tb = sig.attrs.transposeB === true;
  const batch = Math.max(a.slice(0, -2).reduce((x, y) => x * y, 1), b.slice(0, -2).reduce((x, y) => x * y, 1));
  return { batch, m: ta ? a[a.length - 1] : a[a.length - 2], n: tb ? b[b.length - 2] : b[b.length - 1] };
}

/** Largest |x − y| relative to the largest |y|; Infinity when the shapes differ or x has NaN where y has not. */
async function relativeError(x: tf.Tensor, y: Float32Array): Promise<number> {
  const xs = await x.data();
  if (xs.length !== y.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 1e-6;
  for (let i = 0; i < y.length; i++) {
    const d = Math.abs(xs[i] - y[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(y[i]));
  }
  return maxDiff / maxRef;
}

async function timeMatmul(sig: Signature, sync: Awaited<ReturnType<typeof makeSync>>): Promise<MatmulShape> {
  const inputs = makeInputs(sig);
  const program: Record<string, number | string> = {};
  const dims = matmulDims(sig);
  try {
    const [ref] = withSetting(DEFAULT, () => runOnce(sig.name, inputs, sig.attrs));
    const refData = (await ref.data()) as Float32Array;
    ref.dispose();
    for (const s of SETTINGS) {
      if (s.programType === 0 && dims.batch * dims.m * dims.n > MAX_WORKGROUPS_PER_DIM) {
        program[s.label] = 'n/a (one workgroup per output element: over the dispatch limit)';
        continue;
      }
      const device = gpuBackend().device;
      device.pushErrorScope('validation');
      let out: tf.Tensor;
      try {
        [out] = withSetting(s, () => runOnce(sig.name, inputs, sig.attrs));
      } catch (e) {
        await device.popErrorScope();
        program[s.label] = `n/a (${(e as Error).message})`;
        continue;
      }
      const err = await relativeError(out, refData);
      out.dispose();
      const gpuError = await device.popErrorScope();
      if (gpuError !== null || !(err < 1e-3)) {
        program[s.label] = gpuError !== null ? `invalid (${gpuError.message.split('\n')[0]})` : `wrong (relative error ${err.toExponential(1)})`;
        continue;
      }
      program[s.label] = await timePerCall(() => withSetting(s, () => tf.dispose(runOnce(sig.name, inputs, sig.attrs))), sync);
    }
  } finally {
    tf.dispose(Object.values(inputs));
  }
  const shape = (k: string) => sig.inputs.find(([n]) => n === k)?.[1].shape ?? [];
  return { a: shape('a'), b: shape('b'), transposeA: sig.attrs.transposeA === true, transposeB: sig.attrs.transposeB === true, calls: sig.calls, program };
}

async function timeSteps(run: () => Promise<void>, a: MatmulSetting, b: MatmulSetting, pairs: number): Promise<{ a: number[]; b: number[] }> {
  const times = { a: [] as number[], b: [] as number[] };
  const env = tf.env();
  for (let i = 0; i < pairs; i++) {
    for (const [s, list] of (i % 2 === 0 ? [[a, times.a], [b, times.b]] : [[b, times.b], [a, times.a]]) as [MatmulSetting, number[]][]) {
      env.set(PROGRAM_FLAG, s.programType);
      env.set(THRESHOLD_FLAG, s.threshold);
      const t0 = performance.now();
      await run();
      list.push(performance.now() - t0);
    }
  }
  env.set(PROGRAM_FLAG, DEFAULT.programType);
  env.set(THRESHOLD_FLAG, DEFAULT.threshold);
  return times;
}

async function main(): Promise<void> {
  const pairs = Number(process.env.BENCH_WEBGPU_PAIRS ?? 5);
  const { run, device, isGpu } = await setupStep();
  const timestampQuery = gpuBackend().supportTimestampQuery;
  await run();
  await run();
  const wall: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
  }
  log(`step ${median(wall).toFixed(0)} ms; recording its kernels`);
  const sigs = await recordKernels(run);
  log(`${sigs.length} distinct kernel calls; profiling by ${timestampQuery ? 'timestamp queries' : 'replay'}`);
  const sync = await makeSync();
  const by = timestampQuery ? await profileByTimestamps(run) : await profileByReplay(sigs, sync);
  const { rows, sum } = toRows(by);
  log('timing the matmul programs');
  const matmuls: MatmulShape[] = [];
  for (const sig of sigs.filter((s) => MATMULS.has(s.name))) matmuls.push(await timeMatmul(sig, sync));
  const matmulMsPerStep: Record<string, number> = {};
  for (const s of SETTINGS) {
    const all = matmuls.map((m) => m.program[s.label]);
    if (all.every((x): x is number => typeof x === 'number')) matmulMsPerStep[s.label] = matmuls.reduce((acc, m) => acc + (m.program[s.label] as number) * m.calls, 0);
  }
  const best = SETTINGS.filter((s) => s.label in matmulMsPerStep).sort((x, y) => matmulMsPerStep[x.label] - matmulMsPerStep[y.label])[0] ?? DEFAULT;
  log(`step: default vs ${best.label}`);
  const steps = await timeSteps(run, DEFAULT, best, best === DEFAULT ? 1 : pairs);
  const result: WebgpuBenchResult = {
    backend: 'webgpu', device, isGpu, timestampQuery, method: timestampQuery ? 'timestamp-query' : 'replay',
    stepMs: median(wall), kernelSumMs: sum, kernelCalls: sigs.reduce((s, x) => s + x.calls, 0), signatures: sigs.length,
    kernels: rows, settings: SETTINGS, matmuls, matmulMsPerStep,
    step: { defaultMs: steps.a, best: best.label, bestMs: best === DEFAULT ? steps.a : steps.b },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend: 'webgpu', error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
