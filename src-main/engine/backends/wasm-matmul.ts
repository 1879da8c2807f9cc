// The wasm backend's BatchMatMul is 7–10× slower when an operand is transposed (measured here at the sizes of
// a LoRA step: 2.4–3.0 GFLOP/s with transposeB against 19–37 GFLOP/s without). Every linear layer computes
// x·Wᵀ, and every backward pass multiplies by a transpose, so this wrapper transposes the operand explicitly
// (O(k·m) copies, cheap beside the O(n·k·m) product) and calls the fast path.
// Legend: batch dims ..., a (…, n, k), b (…, k, m).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

/** Rows (or columns) of the product below which the strided transposed path is kept. */
const MIN_REUSE = 16;

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

export function replaceBatchMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original === undefined || transpose === undefined) return;
  const wrapped: KernelConfig = {
    ...original, // keeps setupFunc, which binds the wasm function
    kernelFunc: (args) => {
      const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
      const A = args.inputs.a as TensorInfo;
      const B = args.inputs.b as TensorInfo;
      // Output rows n and columns m; a transpose copies k·m (or n·k) values, so it pays off only when the
      // product reuses them often enough (single-row decoding steps keep the strided path).
      const n = A.shape[A.shape.length - (transposeA ? 1 : 2)];
      const m = B.shape[B.shape.length - (transposeB ? 2 : 1)];
      const fixB = !!transposeB && n >= MIN_REUSE;
      const fixA = !!transposeA && m >= MIN_REUSE;
      if (!fixA && !fixB) return original.kernelFunc(args);
      const wasm = args.backend as BackendWasm;
      const temps: TensorInfo[] = [];
      const explicit = (t: TensorInfo): TensorInfo => {
        const out = transpose.kernelFunc({ inputs: { x: t }, attrs: { perm: swapLastTwo(t.shape.length) }, backend: wasm }) as TensorInfo;
        temps.push(out);
        return out;
      };
      const a = fixA ? explicit(A) : A;
      const b = fixB ? explicit(B) : B;
      try {
        return original.kernelFunc({ ...args, inputs: { a, b }, attrs: { ...args.attrs, transposeA: !!transposeA && !fixA, transposeB: !!transposeB && !fixB } });
      } finally {
        for (const t of temps) wasm.disposeData(t.dataId);
      }
    },
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(wrapped);
}
