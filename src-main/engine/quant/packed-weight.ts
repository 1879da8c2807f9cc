// What every packed (4/8/16-bit) frozen weight shares: it is held as int32 words plus float32 constants on the
// backend, dequantised just in time inside each matmul (frozen-matmul.ts), measured from the tensors it actually
// holds, and merged by dequantise → add → re-quantise. Legend: m out_features, n in_features.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import type { BaseWeight } from '../model/linear';
import { matmulDequantized } from './frozen-matmul';
import type { FrozenForward } from './frozen-matmul';

/** Bytes of device memory held by these tensors (tfjs stores int32 and float32 in 4 bytes each). */
export function tensorBytes(tensors: tf.Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.size * 4, 0);
}

/** A synchronous read (cpu, wasm, tensorflow); webgpu in Node cannot read synchronously. */
export function readFloatsSync(t: tf.Tensor, what: string): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } catch (e) {
    throw new PeftLabError('BACKEND_UNAVAILABLE',
      `${what} re-quantises the weight in JavaScript, which needs a synchronous read; the ${tf.getBackend()} backend ` +
        `cannot read synchronously here (${(e as Error).message}). Merge on the wasm or cpu backend (--backend wasm), ` +
        'or keep the adapter unmerged.');
  }
}

export abstract class PackedWeight implements BaseWeight {
  readonly shape: [number, number];

  protected constructor(shape: [number, number]) {
    this.shape = [shape[0], shape[1]];
  }

  /** Every tensor this weight owns (shared constant tables are not owned). */
  protected abstract tensors(): tf.Tensor[];
  /** A human-readable name of the storage format, e.g. "nf4 + double quantisation, blocksize 64". */
  abstract readonly format: string;
  /** The dense float32 weight (m, n) as a new tensor; call inside a tidy. */
  abstract dequantize(): tf.Tensor2D;
  /** The same format holding new values (row-major float32 (m, n)). */
  protected abstract repack(data: Float32Array): PackedWeight;

  /** Measured: the bytes of the tensors held, per weight, in bits. */
  get bitsPerWeight(): number {
    return (this.byteSize() * 8) / (this.shape[0] * this.shape[1]);
  }

  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return this.matmulWith(x); // (N, n) → (N, m)
  }

  /** x·Ŵᵀ with a custom forward (LLM.int8's activation quantisation); the backward is always dy·Ŵ. */
  protected matmulWith(x: tf.Tensor2D, forward?: FrozenForward): tf.Tensor2D {
    return matmulDequantized(x, () => this.dequantize(), forward);
  }

  materialize(): tf.Tensor2D {
    return tf.tidy(() => this.dequantize());
  }

  byteSize(): number {
    return tensorBytes(this.tensors());
  }

  addDelta(delta: tf.Tensor2D): BaseWeight {
    const sum = tf.tidy(() => tf.add(this.dequantize(), delta));
    try {
      const next = this.repack(readFloatsSync(sum, `merging into a ${this.format} base weight`).slice());
      this.dispose();
      return next;
    } finally {
      sum.dispose();
    }
  }

  dispose(): void {
    for (const t of this.tensors()) t.dispose();
  }
}
