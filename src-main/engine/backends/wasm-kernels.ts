// Kernels the wasm backend lacks (or gets wrong) for training, as plain JavaScript kernels registered under
// 'wasm'. They read inputs with backend.readSync (a copy out of the wasm heap, synchronous on this backend) and
// write the result with backend.makeOutput. Found by running every op of a LLaMA-style LoRA step, forward and
// gradient, against the cpu backend (test/engine/backends/ops.test.ts):
// - UnsortedSegmentSum: missing; it is the gradient of gather (embedding backprop) and of stridedSlice/topk
//   (gradients.ts).
// - GatherV2 with batchDims > 0: the wasm kernel returns wrong values or reads out of bounds
//   (e.g. params (3,5), indices (3,1), axis 1, batchDims 1); we run that case in JS. With batchDims 0 the wasm
//   kernel is correct but slow (6–8 ms to gather 1,016 rows of 256 floats, 7% of a LoRA step, issue #8): gatherRows
//   copies whole slices between heap views instead.
// - StridedSlice of int32/bool with strides: the general wasm path copies 4-byte elements and labels the result
//   float32 (int32 data read as tiny floats; bool data wrong). We feed it int32 and relabel the result.
// - OneHot with a float dtype: fills the float32 output with int32 bit patterns (1 reads as 1.4e-45). Done in JS.
// - Identity: copies its input; autodiff calls it hundreds of times per training step. Tensors are immutable, so
//   it shares the data and counts a reference instead, as the cpu backend and wasm's own Reshape do. The same for
//   Cast to the dtype a tensor already has (the gradient of every multiply casts its operands to float32: 75 copies
//   per LoRA step, 3% of it). Cast to bool: wasm truncates to a byte (-2 → 254); done in JS as x ≠ 0.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { emptyLike, segmentSumValues } from './segment-sum';
import { replaceBatchMatMul } from './wasm-matmul';
import type { Values } from './segment-sum';

function valuesOf(backend: BackendWasm, t: TensorInfo): Values {
  return backend.readSync(t.dataId) as Values;
}

/** out[s, ...] = sum of x[i, ...] over every i with segmentIds[i] = s (ids outside [0, numSegments) are dropped). */
export const unsortedSegmentSumWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const { values, shape } = segmentSumValues(valuesOf(wasm, x), x.shape, valuesOf(wasm, segmentIds),
    segmentIds.shape.length, attrs?.numSegments as number);
  return wasm.makeOutput(shape, x.dtype, undefined, values);
};

/** gather with batchDims > 0: out[b, o, j, s] = x[b, o, indices[b, j], s] on the flattened shapes of tfjs. */
export function gatherBatchedJs(wasm: BackendWasm, x: TensorInfo, indices: TensorInfo, axis: number, batchDims: number): TensorInfo {
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const xValues = valuesOf(wasm, x);
  const ids = valuesOf(wasm, indices);
  const perBatch = ids.length / batchSize;
  const out = emptyLike(xValues, batchSize * outerSize * perBatch * sliceSize);
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      for (let j = 0; j < perBatch; j++) {
        const index = ids[b * perBatch + j];
        if (index < 0 || index >= dimSize) throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
        const src = ((b * outerSize + o) * dimSize + index) * sliceSize;
        const dst = ((b * outerSize + o) * perBatch + j) * sliceSize;
        out.set(xValues.subarray(src, src + sliceSize), dst);
      }
    }
  }
  return wasm.makeOutput(info.outputShape, x.dtype, undefined, out);
}

/** gather with batchDims 0, slices copied within the wasm heap: out[o, j, s] = x[o, indices[j], s]. */
export function gatherRows(wasm: BackendWasm, x: TensorInfo, indices: TensorInfo, axis: number): TensorInfo {
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, 0);
  const { outerSize, dimSize, sliceSize } = info;
  const out = wasm.makeOutput(info.outputShape, x.dtype);
  if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
  // Views after makeOutput: allocating can grow the heap, which detaches views taken before.
  const ids = wasm.typedArrayFromHeap(indices);
  const xs = wasm.typedArrayFromHeap(x);
  const ys = wasm.typedArrayFromHeap(out);
  const n = ids.length;
  for (let j = 0; j < n; j++) {
    const index = ids[j];
    if (!(index >= 0 && index < dimSize)) {
      wasm.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
    }
  }
  for (let o = 0; o < outerSize; o++) {
    for (let j = 0; j < n; j++) {
      const src = (o * dimSize + ids[j]) * sliceSize;
      const dst = (o * n + j) * sliceSize;
      if (sliceSize === 1) ys[dst] = xs[src];
      else ys.set(xs.subarray(src, src + sliceSize), dst);
    }
  }
  return out;
}

function replaceGatherV2(): void {
  const original = tf.getKernel('GatherV2', 'wasm');
  if (original === undefined) return;
  const wrapped: KernelConfig = {
    ...original, // keeps setupFunc, which binds the wasm function
    kernelFunc: (args) => {
      const batchDims = (args.attrs?.batchDims as number | undefined) ?? 0;
      const x = args.inputs.x as TensorInfo;
      const indices = args.inputs.indices as TensorInfo;
      const axis = tf.util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
      const plain = x.dtype === 'float32' || x.dtype === 'int32' || x.dtype === 'bool';
      if (batchDims === 0 && plain && indices.dtype === 'int32') return gatherRows(args.backend as BackendWasm, x, indices, axis);
      if (batchDims === 0) return original.kernelFunc(args);
      return gatherBatchedJs(args.backend as BackendWasm, x, indices, axis, batchDims);
    },
  };
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel(wrapped);
}

/** Re-labels a wasm result whose 4-byte elements are int32 bits under a float32 label (or converts to bool). */
function relabel(wasm: BackendWasm, result: TensorInfo, dtype: 'int32' | 'bool'): TensorInfo {
  const raw = valuesOf(wasm, result);
  const bits = new Int32Array(raw.buffer, raw.byteOffset, raw.length);
  wasm.disposeData(result.dataId);
  return wasm.makeOutput(result.shape, dtype, undefined, dtype === 'int32' ? bits : Uint8Array.from(bits));
}

function replaceStridedSlice(): void {
  const original = tf.getKernel('StridedSlice', 'wasm');
  if (original === undefined) return;
  const wrapped: KernelConfig = {
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'float32') return original.kernelFunc(args);
      const wasm = args.backend as BackendWasm;
      const asInt = x.dtype === 'int32' ? x : wasm.makeOutput(x.shape, 'int32', undefined, Int32Array.from(valuesOf(wasm, x)));
      const result = original.kernelFunc({ ...args, inputs: { x: asInt } }) as TensorInfo;
      if (asInt !== x) wasm.disposeData(asInt.dataId);
      if (result.dtype === x.dtype) return result;
      return relabel(wasm, result, x.dtype as 'int32' | 'bool');
    },
  };
  tf.unregisterKernel('StridedSlice', 'wasm');
  tf.registerKernel(wrapped);
}

let registered = false;

/** Idempotent; call before the first tf.setBackend('wasm') so that setup functions run. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm });
  }
  replaceGatherV2();
  replaceStridedSlice();
  replaceBatchMatMul();
  const oneHot = tf.getKernel('OneHot', 'wasm');
  if (oneHot !== undefined) {
    tf.unregisterKernel('OneHot', 'wasm');
    tf.registerKernel({
      ...oneHot,
      kernelFunc: (args) => {
        const { dtype = 'int32', depth, onValue, offValue } = args.attrs as { dtype?: tf.DataType; depth: number; onValue: number; offValue: number };
        if (dtype === 'int32') return oneHot.kernelFunc(args);
        const wasm = args.backend as BackendWasm;
        const indices = args.inputs.indices as TensorInfo;
        const ids = valuesOf(wasm, indices);
        const out = new Float32Array(ids.length * depth).fill(offValue);
        for (let i = 0; i < ids.length; i++) if (ids[i] >= 0 && ids[i] < depth) out[i * depth + ids[i]] = onValue;
        return wasm.makeOutput([...indices.shape, depth], dtype, undefined, out);
      },
    });
  }
  shareWhen('Identity', () => true);
  shareWhen('Cast', (x, attrs) => attrs?.dtype === x.dtype, castToBool);
}

/** Cast to bool is x ≠ 0; wasm's kernel truncates to a byte instead (-2 became 254, 3 stayed 3). */
function castToBool(args: Parameters<KernelFunc>[0]): TensorInfo | null {
  const x = args.inputs.x as TensorInfo;
  if (args.attrs?.dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return null;
  const wasm = args.backend as BackendWasm;
  const out = wasm.makeOutput(x.shape, 'bool');
  const xs = wasm.typedArrayFromHeap(x);
  const ys = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < xs.length; i++) ys[i] = xs[i] !== 0 ? 1 : 0;
  return out;
}

/**
 * Re-registers `name` on wasm so that, when `same` holds, the result shares its input's data (a counted reference);
 * otherwise `fix` (when it returns a result) or the original kernel.
 */
function shareWhen(name: string, same: (x: TensorInfo, attrs: tf.NamedAttrMap | undefined) => boolean, fix?: (args: Parameters<KernelFunc>[0]) => TensorInfo | null): void {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string' || !same(x, args.attrs)) return fix?.(args) ?? kernel.kernelFunc(args);
      (args.backend as BackendWasm).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
