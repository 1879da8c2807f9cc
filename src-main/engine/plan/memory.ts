// Memory estimate of a training run, before it starts: frozen base weights at their storage width, the
// adapter's float32 weights, gradients and AdamW moments (16 bytes per trainable parameter), what a step holds
// for its backward pass (activations.ts: counted op by op from this engine's LLaMA step, with or without
// gradient checkpointing; within a few percent of tf.profile's peakBytes, test/engine/plan/memory-peak.test.ts),
// and the worker process itself.
import type { MemoryBreakdown } from '../../../src-shared/domain/preflight';
import type { MethodActivations, ModelShape } from '../adapters/types';
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import { baseFormat, bitsPerWeight } from '../quant/formats';
import { estimateActivationBytes } from './activations';
import { baseParameterCount } from './params';

export type MemoryEstimate = MemoryBreakdown;

/**
 * What a run worker occupies before any model tensor: Node, TensorFlow.js and its wasm heap. Measured as the
 * peak resident memory of a worker training the 36k-parameter test model here (329 MiB), rounded down.
 */
export const RUNTIME_BYTES = 320 * 1024 ** 2;

export interface MemoryInputs {
  trainableParams: number;
  baseParams: number;
  /** Storage bits per base weight (32 dense float32; 16, 8, ~4.127 packed). */
  baseBitsPerParam?: number;
  /** Exact bytes of the base weights when known (e.g. from baseWeightBytesAt); overrides baseBitsPerParam. */
  baseWeightBytes?: number;
  batchSize: number;
  seqLen: number;
  /** Recompute each decoder layer in the backward pass (training.gradientCheckpointing). */
  gradientCheckpointing?: boolean;
  /** What the method's own ops add (AdapterMethod.activations). */
  method?: MethodActivations;
}

export function estimateTrainingMemory(model: ModelShape, m: MemoryInputs): MemoryEstimate {
  const activationBytes = estimateActivationBytes(model, {
    batchSize: m.batchSize, seqLen: m.seqLen, denseBase: (m.baseBitsPerParam ?? 32) >= 32,
    gradientCheckpointing: m.gradientCheckpointing, method: m.method,
  });
  const baseWeightBytes = m.baseWeightBytes ?? Math.ceil((m.baseParams * (m.baseBitsPerParam ?? 32)) / 8);
  const adapterBytes = 4 * m.trainableParams;
  const gradientBytes = 4 * m.trainableParams;
  const optimizerBytes = 8 * m.trainableParams;
  const runtimeBytes = RUNTIME_BYTES;
  return {
    baseWeightBytes, adapterBytes, gradientBytes, optimizerBytes, activationBytes, runtimeBytes,
    totalBytes: baseWeightBytes + adapterBytes + gradientBytes + optimizerBytes + activationBytes + runtimeBytes,
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/**
 * Bytes of the frozen base at a nominal bit width: the decoder's linear layers at that width (constants
 * included; `options` picks the 4-bit variant, default NF4 with double quantisation), everything else
 * (embeddings, norms, lm_head) in float32 as Transformers leaves them unquantised.
 */
export function baseWeightBytesAt(model: ModelShape, bits: number, options?: BaseOptions): number {
  let quantized = 0;
  let bytes = 0;
  for (const m of model.arch.linearModules(model.config)) {
    if (m.layer === null) continue;
    const n = m.inFeatures * m.outFeatures;
    quantized += n;
    const b = options ? baseFormat(bits).theoryBits(m.inFeatures, options) : bitsPerWeight(bits, m.inFeatures);
    bytes += (n * b) / 8;
  }
  return Math.ceil(bytes + (baseParameterCount(model) - quantized) * 4);
}
