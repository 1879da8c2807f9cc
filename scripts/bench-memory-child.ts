// One configuration of the memory bench (bench-memory.ts), in its own process so that its peak RSS is its own:
// the reference model (bench-model.ts) with LoRA r 8 on q,v and AdamW, one update of `batch × seq` random tokens
// after a warm-up update, with or without gradient checkpointing. Prints one JSON line.
//   tsx scripts/bench-memory-child.ts <backend> <batch> <seq> <on|off>
import * as tf from '@tensorflow/tfjs';
import { adapterMethod } from '../src-main/engine/adapters/index';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import { architectureFor } from '../src-main/engine/model/architectures/registry';
import { estimateTrainingMemory } from '../src-main/engine/plan/memory';
import { planParameters } from '../src-main/engine/plan/params';
import { Rng } from '../src-main/engine/rng';
import type { Batch } from '../src-main/engine/train/batching';
import { AdamW } from '../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../src-main/engine/train/step';
import { R, TARGETS, median, randomModel } from './bench-model';

export interface MemoryBenchResult {
  backend: string;
  batch: number;
  seq: number;
  checkpointing: boolean;
  /** tf.memory().numBytes before the measured update (weights, adapter, optimizer moments). */
  heldBefore: number;
  /** tf.profile(...).peakBytes of the update: every tensor counted, as tfjs counts memory. */
  peakBytes: number;
  /** Peak of the distinct backend buffers over the update (tensors sharing a buffer counted once). */
  bufferPeakBytes: number;
  /** Peak resident memory of this process (the whole run: Node, tfjs, model, the two updates). */
  rssPeakBytes: number;
  /** The pre-flight estimate: tensors (total − runtime), its step-only part (activations + gradients), total. */
  estimateTensorBytes: number;
  estimateStepBytes: number;
  estimateTotalBytes: number;
  /** Median seconds of an (unprofiled) update. */
  stepSeconds: number;
}

function batchOf(B: number, T: number, vocab: number): Batch {
  const rng = new Rng(2);
  const ids = Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * vocab));
  return {
    batchSize: B, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: B * T }, (_, i) => i % T),
    segmentIds: new Int32Array(B * T).fill(1), numTargetTokens: B * (T - 1), numExamples: B, epoch: 0,
  };
}

interface EngineBuffers {
  state: { tensorInfo: WeakMap<object, { bytes: number }> };
  trackTensor(t: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

/**
 * Follows the distinct buffers the engine allocates and frees (tfjs has no such counter: numBytes counts every
 * tensor, so a reshape or a kept clone counts again on backends where it shares its input's buffer).
 */
function watchBuffers(start: number): { peak: () => number; stop: () => void } {
  const engine = tf.engine() as unknown as EngineBuffers;
  const track = engine.trackTensor;
  const remove = engine.removeDataId;
  let live = start;
  let peak = start;
  engine.trackTensor = (t, backend) => {
    const fresh = !engine.state.tensorInfo.has(t.dataId);
    track.call(engine, t, backend);
    if (!fresh) return;
    live += engine.state.tensorInfo.get(t.dataId)?.bytes ?? 0;
    peak = Math.max(peak, live);
  };
  engine.removeDataId = (dataId, backend) => {
    live -= engine.state.tensorInfo.get(dataId)?.bytes ?? 0;
    remove.call(engine, dataId, backend);
  };
  return { peak: () => peak, stop: () => Object.assign(engine, { trackTensor: track, removeDataId: remove }) };
}

async function main(): Promise<void> {
  const [backend, b, s, gc] = process.argv.slice(2);
  const B = Number(b);
  const T = Number(s);
  const checkpointing = gc === 'on';
  await useBackend(backend as BackendName);
  const { config, model } = randomModel();
  const shape = { config, arch: architectureFor(config) };
  const method = adapterMethod('lora');
  const cfg = method.parseConfig({ r: R, loraAlpha: 16, targetModules: TARGETS }, 'bench');
  const adapter = method.inject(model, cfg, { seed: 1 });
  const params = uniqueParams(adapter.trainables());
  const optimizer = new AdamW(params);
  const batch = batchOf(B, T, config.vocabSize);
  let step = 0;
  const update = () => trainStep(model, params, optimizer, [batch], { step: step++, lr: 1e-4, seed: 1, maxGradNorm: 1, gradientCheckpointing: checkpointing });
  await update(); // warm-up: kernels, the optimizer's moments
  const times: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await update();
    times.push((performance.now() - t0) / 1000);
  }
  const heldBefore = tf.memory().numBytes;
  const buffers = watchBuffers(heldBefore);
  const profile = await tf.profile(async () => {
    await update();
  });
  buffers.stop();
  const report = planParameters(shape, method, cfg);
  const e = estimateTrainingMemory(shape, {
    trainableParams: report.trainable, baseParams: report.base, batchSize: B, seqLen: T,
    gradientCheckpointing: checkpointing, method: method.activations?.(shape, cfg),
  });
  const result: MemoryBenchResult = {
    backend, batch: B, seq: T, checkpointing, heldBefore, peakBytes: profile.peakBytes, bufferPeakBytes: buffers.peak(),
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
    estimateTensorBytes: e.totalBytes - e.runtimeBytes, estimateStepBytes: e.activationBytes + e.gradientBytes, estimateTotalBytes: e.totalBytes,
    stepSeconds: median(times),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend: process.argv[2], error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
