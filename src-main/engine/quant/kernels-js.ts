// The dequantisation kernels of the cpu and wasm backends: plain JavaScript loops (dequant-kernel.ts) that read
// the packed words where the backend keeps them and write float32 straight into the result's storage. On wasm
// both are views into the WebAssembly heap: the output is allocated first (allocation may grow, and so detach,
// the heap), then the inputs are viewed.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlockwiseAttrs, HalfAttrs } from './dequant-kernel';
import { DEQUANT_BLOCKWISE, DEQUANT_HALF, decodeBlockwise, decodeHalf, sizeOf } from './dequant-kernel';

interface CpuLike {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

type Views = (inputs: TensorInfo[], shape: number[]) => { ins: ArrayLike<number>[]; out: Float32Array; result: () => TensorInfo };

function cpuViews(backend: unknown): Views {
  const cpu = backend as CpuLike;
  return (inputs, shape) => {
    const out = new Float32Array(sizeOf(shape));
    return { ins: inputs.map((t) => cpu.readSync(t.dataId) as ArrayLike<number>), out, result: () => cpu.makeTensorInfo(shape, 'float32', out) };
  };
}

function wasmViews(backend: unknown): Views {
  const wasm = backend as BackendWasm;
  return (inputs, shape) => {
    const info = wasm.makeOutput(shape, 'float32');
    const ins = inputs.map((t) => wasm.typedArrayFromHeap(t));
    return { ins, out: wasm.typedArrayFromHeap(info) as Float32Array, result: () => info };
  };
}

function blockwiseKernel(views: (backend: unknown) => Views): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as BlockwiseAttrs;
    const { ins, out, result } = views(backend)([inputs.words, inputs.table, inputs.scales] as TensorInfo[], a.shape);
    decodeBlockwise(ins[0] as Int32Array, ins[1] as Float32Array, ins[2] as Float32Array, a, out);
    return result();
  };
}

function halfKernel(views: (backend: unknown) => Views): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as HalfAttrs;
    const { ins, out, result } = views(backend)([inputs.words as TensorInfo], a.shape);
    decodeHalf(ins[0] as Int32Array, a.kind, out);
    return result();
  };
}

const BACKENDS: [string, (backend: unknown) => Views][] = [['cpu', cpuViews], ['wasm', wasmViews]];

let registered = false;

/** Idempotent; kernels are looked up by name at call time, so registering before the backend loads is fine. */
export function registerJsDequantKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, views] of BACKENDS) {
    tf.registerKernel({ kernelName: DEQUANT_BLOCKWISE, backendName, kernelFunc: blockwiseKernel(views) });
    tf.registerKernel({ kernelName: DEQUANT_HALF, backendName, kernelFunc: halfKernel(views) });
  }
}
