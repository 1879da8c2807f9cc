// Native matrix products for the wasm backend: ONNX Runtime's CPU kernels (MLAS sgemm, multi-threaded, AVX2/AVX-512
// where the CPU has them) through the `onnxruntime-node` package, which ships prebuilt binaries for Linux, macOS and
// Windows inside the npm tarball (N-API, so the same file loads in Electron). tfjs kernels are synchronous, so we call
// the binding's synchronous `run` directly (the package's public API only wraps it in a Promise) on tiny graphs:
// `Gemm(a, b; transA, transB)` for 2-D products (the transposes folded into the sgemm's packing), and for batched
// ones (numpy broadcasting of the batch) `MatMul`, `FusedMatMul(transB)` (com.microsoft) when b is transposed, and
// an ONNX Runtime `Transpose` of a before either when a is. Measured on attention's products (64 × 128×128 and
// 128×32, with the malloc settings on): FusedMatMul with transB 0.80 ms against 2.8 ms for a wasm transpose then
// MatMul; with transA it is slow (6.0 ms), so a is transposed inside ONNX Runtime (1.4 ms against 3.4 ms).
// Sessions are built on first use from hand-assembled ONNX models (onnx-proto encodes them). Operands are read in
// place from the wasm heap and the product is written straight into the output tensor's heap memory (the binding
// also returns a JavaScript copy of it, which malloc-tunables.ts keeps cheap).
// Optional: when onnxruntime-node is missing or fails to load, `nativeMatmul()` says why and wasm keeps its own kernel.
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { messageOf } from './unavailable';

/** The slice of onnxruntime-node's native binding used here (dist/binding.js; stable since 1.14). */
interface OrtTensor { data: Float32Array; dims: readonly number[] }
interface OrtSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: object): Record<string, OrtTensor>;
}
interface OrtBinding { InferenceSession: new () => OrtSession }
type TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;

export interface NativeMatmul {
  /** "ONNX Runtime 1.30.0 MLAS, 2 threads" */
  describe: string;
  threads: number;
  /** y (n, m) = op(a) · op(b), op = transpose when asked; a is (a1, a2), b (b1, b2), row-major. */
  gemm(a: Float32Array, aDims: readonly [number, number], b: Float32Array, bDims: readonly [number, number], transA: boolean, transB: boolean, y: Float32Array): void;
  /**
   * y = op(a) · op(b) batched: a (batchA, a1, a2), b (batchB, b1, b2) as stored, op = transpose of the last two dims
   * when asked; batchA = batchB or either 1; y (max batch, n, m).
   */
  batched(a: Float32Array, aDims: readonly number[], b: Float32Array, bDims: readonly number[], transA: boolean, transB: boolean, y: Float32Array): void;
}

let loaded: { native: NativeMatmul } | { reason: string } | undefined;

/** Threads for ONNX Runtime's pool: PEFT_LAB_THREADS when set (the host sets it per worker), else every core. */
export function nativeThreads(): number {
  const set = Number(process.env.PEFT_LAB_THREADS);
  if (Number.isInteger(set) && set > 0) return set;
  return Math.max(1, os.availableParallelism());
}

type ProductOp = 'Gemm' | 'MatMul';

/** The graph of one product: Gemm(a, b) with its transposes (2-D), or a batched MatMul as described above (3-D). */
function productModel(op: ProductOp, transA: boolean, transB: boolean): Uint8Array {
  const require = createRequire(import.meta.url);
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT = onnx.AttributeProto.AttributeType.INT;
  const INTS = onnx.AttributeProto.AttributeType.INTS;
  const rank = op === 'Gemm' ? 2 : 3;
  const dims = (prefix: string) => Array.from({ length: rank }, (_, i) => `${prefix}${i}`);
  const valueInfo = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims(name).map((dimParam) => ({ dimParam })) } } } });
  const node = op === 'Gemm'
    ? [{ input: ['a', 'b'], output: ['y'], opType: 'Gemm', attribute: [{ name: 'transA', i: transA ? 1 : 0, type: INT }, { name: 'transB', i: transB ? 1 : 0, type: INT }] }]
    : [
      ...(transA ? [{ input: ['a'], output: ['at'], opType: 'Transpose', attribute: [{ name: 'perm', ints: [0, 2, 1], type: INTS }] }] : []),
      transB
        ? { input: [transA ? 'at' : 'a', 'b'], output: ['y'], opType: 'FusedMatMul', domain: 'com.microsoft', attribute: [{ name: 'transB', i: 1, type: INT }] }
        : { input: [transA ? 'at' : 'a', 'b'], output: ['y'], opType: 'MatMul', attribute: [] },
    ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'peft-lab',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    graph: { name: `${op}_${Number(transA)}${Number(transB)}`, node, input: [valueInfo('a'), valueInfo('b')], output: [valueInfo('y')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

function load(): NativeMatmul {
  const require = createRequire(import.meta.url);
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  const { binding, initOrt } = require('onnxruntime-node/dist/binding') as { binding: OrtBinding; initOrt: () => void };
  const { Tensor } = require('onnxruntime-node') as { Tensor: TensorCtor };
  initOrt();
  const threads = nativeThreads();
  const sessions = new Map<string, OrtSession>();
  const session = (op: ProductOp, transA: boolean, transB: boolean): OrtSession => {
    const key = `${op}${Number(transA)}${Number(transB)}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = new binding.InferenceSession();
      const bytes = productModel(op, transA, transB);
      // No spinning: an idle pool thread must not burn a core another worker (or the renderer) needs. 'basic'
      // optimisation: nothing to fuse in a one-node graph.
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'basic',
        extra: { session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } },
      });
      sessions.set(key, s);
    }
    return s;
  };
  const tensor = (data: Float32Array, dims: readonly number[]) => new Tensor('float32', data, dims);
  return {
    describe: `ONNX Runtime ${version} MLAS, ${threads} thread${threads === 1 ? '' : 's'}`,
    threads,
    gemm(a, aDims, b, bDims, transA, transB, y) {
      const n = transA ? aDims[1] : aDims[0];
      const m = transB ? bDims[0] : bDims[1];
      session('Gemm', transA, transB).run({ a: tensor(a, aDims), b: tensor(b, bDims) }, { y: tensor(y, [n, m]) }, {});
    },
    batched(a, aDims, b, bDims, transA, transB, y) {
      const dims = [Math.max(aDims[0], bDims[0]), transA ? aDims[2] : aDims[1], transB ? bDims[1] : bDims[2]];
      session('MatMul', transA, transB).run({ a: tensor(a, aDims), b: tensor(b, bDims) }, { y: tensor(y, dims) }, {});
    },
  };
}

/** ONNX Runtime's matmul, or why it is not available here. Loaded once per process. */
export function nativeMatmul(): { native: NativeMatmul } | { reason: string } {
  if (loaded === undefined) {
    try {
      const native = load();
      // Smoke test: a 2×2 product, so a broken binary is found here and not in the middle of a training step.
      const y = new Float32Array(4);
      native.gemm(new Float32Array([1, 2, 3, 4]), [2, 2], new Float32Array([5, 6, 7, 8]), [2, 2], false, true, y);
      if (y.join(',') !== '17,23,39,53') throw new Error(`smoke test gave [${y.join(', ')}] instead of [17, 23, 39, 53]`);
      // And the batched graphs with both transposes (Transpose, FusedMatMul): [[1,3],[2,4]] · [[5,7],[6,8]].
      native.batched(new Float32Array([1, 2, 3, 4]), [1, 2, 2], new Float32Array([5, 6, 7, 8]), [1, 2, 2], true, true, y);
      if (y.join(',') !== '23,31,34,46') throw new Error(`batched smoke test gave [${y.join(', ')}] instead of [23, 31, 34, 46]`);
      loaded = { native };
    } catch (err) {
      loaded = { reason: `onnxruntime-node does not load (${messageOf(err)}); install it (npm install) for native matrix products` };
    }
  }
  return loaded;
}
