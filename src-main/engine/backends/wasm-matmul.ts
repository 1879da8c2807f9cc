// The wasm backend's BatchMatMul, made fast:
// - tfjs's wasm kernel is 7–10× slower when an operand is transposed (measured here at the sizes of a LoRA step:
//   2.4–3.0 GFLOP/s with transposeB against 19–37 GFLOP/s without). Every linear layer computes x·Wᵀ, and every
//   backward pass multiplies by a transpose, so we transpose the operand explicitly (O(k·m) copies, cheap beside the
//   O(n·k·m) product) and call the fast path.
// - When ONNX Runtime loads (native-matmul.ts), products big enough to amortise a call (NATIVE_MIN_MACS) go to its
//   multi-threaded native sgemm: 2-D products (and a batch of rows against one matrix, folded into rows) as one Gemm
//   with the transposes folded in; other batched products as one batched product with its transposes done inside
//   ONNX Runtime (native-matmul.ts).
//   `setNativeMatmul(false)` (or PEFT_LAB_NATIVE_MATMUL=off) keeps everything on wasm.
// Legend: batch dims ..., a (…, n, k), b (…, k, m); a1×a2 and b1×b2 are the stored last two dims.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { NativeMatmul } from './native-matmul';
import { nativeMatmul } from './native-matmul';

/** Rows (or columns) of the product below which the strided transposed path is kept (wasm only). */
const MIN_REUSE = 16;

/** Products below this many multiply-adds stay on wasm (a native call costs several microseconds). */
export const NATIVE_MIN_MACS = 1 << 15;

let native: NativeMatmul | null = null;
let minMacs = NATIVE_MIN_MACS;

/**
 * Turns the native path on (when ONNX Runtime loads; returns whether it is on) or off. `threshold`: products of at
 * least this many multiply-adds go native (tests pass 0 to send every product there).
 */
export function setNativeMatmul(on: boolean, threshold = NATIVE_MIN_MACS): boolean {
  minMacs = threshold;
  if (!on) {
    native = null;
    return false;
  }
  const loaded = nativeMatmul();
  native = 'native' in loaded ? loaded.native : null;
  return native !== null;
}

/** The native matmul in use, if any. */
export function activeNativeMatmul(): NativeMatmul | null {
  return native;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

interface Product {
  wasm: BackendWasm;
  A: TensorInfo;
  B: TensorInfo;
  transA: boolean;
  transB: boolean;
}

/** The product on ONNX Runtime, or null when it does not apply (off, dtype, size, batch shapes tfjs rejects). */
function nativeProduct(nat: NativeMatmul, p: Product): TensorInfo | null {
  const { wasm, A, B, transA, transB } = p;
  if (A.dtype !== 'float32' || B.dtype !== 'float32') return null;
  const batchA = product(A.shape.slice(0, -2));
  const batchB = product(B.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null; // tfjs's own kernel reports the error
  const [a1, a2] = A.shape.slice(-2);
  const [b1, b2] = B.shape.slice(-2);
  const n = transA ? a2 : a1;
  const k = transA ? a1 : a2;
  const m = transB ? b1 : b2;
  if (Math.max(batchA, batchB) * n * k * m < minMacs) return null;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  if (product(batchShape) * n * m === 0) return wasm.makeOutput([...batchShape, n, m], 'float32');
  const heap = (t: TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  if (batchB === 1 && (batchA === 1 || !transA)) {
    // One Gemm: (batchA·a1, a2) rows against one matrix; the output rows come out in batch order.
    const out = wasm.makeOutput([...batchShape, n, m], 'float32'); // first: growing the heap detaches earlier views
    nat.gemm(heap(A), [batchA * a1, a2], heap(B), [b1, b2], transA, transB, heap(out));
    return out;
  }
  const out = wasm.makeOutput([...batchShape, n, m], 'float32');
  nat.batched(heap(A), [batchA, a1, a2], heap(B), [batchB, b1, b2], transA, transB, heap(out));
  return out;
}

export function replaceBatchMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original === undefined || transpose === undefined) return;
  const kernelFunc: KernelFunc = (args) => {
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const wasm = args.backend as BackendWasm;
    const A = args.inputs.a as TensorInfo;
    const B = args.inputs.b as TensorInfo;
    const temps: TensorInfo[] = [];
    const explicit = (t: TensorInfo): TensorInfo => {
      const out = transpose.kernelFunc({ inputs: { x: t }, attrs: { perm: swapLastTwo(t.shape.length) }, backend: wasm }) as TensorInfo;
      temps.push(out);
      return out;
    };
    try {
      const viaNative = native ? nativeProduct(native, { wasm, A, B, transA: !!transposeA, transB: !!transposeB }) : null;
      if (viaNative !== null) return viaNative;
      // Output rows n and columns m; a transpose copies k·m (or n·k) values, so it pays off only when the
      // product reuses them often enough (single-row decoding steps keep the strided path).
      const n = A.shape[A.shape.length - (transposeA ? 1 : 2)];
      const m = B.shape[B.shape.length - (transposeB ? 2 : 1)];
      const fixB = !!transposeB && n >= MIN_REUSE;
      const fixA = !!transposeA && m >= MIN_REUSE;
      if (!fixA && !fixB) return original.kernelFunc(args);
      const a = fixA ? explicit(A) : A;
      const b = fixB ? explicit(B) : B;
      return original.kernelFunc({ ...args, inputs: { a, b }, attrs: { ...args.attrs, transposeA: !!transposeA && !fixA, transposeB: !!transposeB && !fixB } });
    } finally {
      for (const t of temps) wasm.disposeData(t.dataId);
    }
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc } as KernelConfig); // keeps setupFunc, which binds the wasm function
  const setting = (process.env.PEFT_LAB_NATIVE_MATMUL ?? '').toLowerCase();
  setNativeMatmul(!['0', 'off', 'false', 'no'].includes(setting));
}
