// Dequantisation just in time, on whichever backend is current: each backend has a path, registered by name
// (register, don't switch): the registered kernels on cpu, wasm (JavaScript loops over the heap) and webgpu (WGSL),
// and the pure-ops composition on tensorflow and on any backend nobody registered. Also the small constant tables
// (code books, the dynamic map, the signed-byte table) that every packed weight of a model shares: one tensor per
// backend and table, created on first use and kept for the process.
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import type { BlockwiseAttrs, HalfAttrs } from './dequant-kernel';
import { DEQUANT_BLOCKWISE, DEQUANT_HALF } from './dequant-kernel';
import { dequantBlockwiseOps, dequantHalfOps } from './dequant-ops';
import { halfType, halfValueTable } from './half';
import { registerJsDequantKernels } from './kernels-js';
import { registerWebgpuDequantKernels } from './kernels-webgpu';

export interface DequantPath {
  readonly name: string;
  /** float32 tensor of attrs.shape; see dequant-kernel.ts for the arithmetic. */
  blockwise(words: tf.Tensor1D, table: tf.Tensor1D, scales: tf.Tensor1D, a: BlockwiseAttrs): tf.Tensor;
  half(words: tf.Tensor1D, a: HalfAttrs): tf.Tensor;
}

export const KERNEL_PATH: DequantPath = {
  name: 'kernel',
  blockwise: (words, table, scales, a) =>
    tf.engine().runKernel(DEQUANT_BLOCKWISE, { words, table, scales }, a as unknown as NamedAttrMap) as tf.Tensor,
  half: (words, a) => tf.engine().runKernel(DEQUANT_HALF, { words }, a as unknown as NamedAttrMap) as tf.Tensor,
};

export const OPS_PATH: DequantPath = {
  name: 'ops',
  blockwise: dequantBlockwiseOps,
  half: (words, a) => dequantHalfOps(words, constantTable(`half:${a.kind}`, () => halfValueTable(halfType(a.kind)!)), a.shape),
};

const paths = new Map<string, DequantPath>();

export function registerDequantPath(backendName: string, path: DequantPath): void {
  paths.set(backendName, path);
}

/** The path of a backend (the current one by default); backends nobody registered use the pure ops. */
export function dequantPath(backendName: string = tf.getBackend()): DequantPath {
  return paths.get(backendName) ?? OPS_PATH;
}

registerJsDequantKernels();
registerWebgpuDequantKernels();
registerDequantPath('cpu', KERNEL_PATH);
registerDequantPath('wasm', KERNEL_PATH);
registerDequantPath('webgpu', KERNEL_PATH);
registerDequantPath('tensorflow', OPS_PATH);

const tables = new Map<string, tf.Tensor1D>();

/** A shared float32 constant on the current backend (kept until disposeConstantTables). */
export function constantTable(key: string, make: () => Float32Array): tf.Tensor1D {
  const id = `${tf.getBackend()}:${key}`;
  let t = tables.get(id);
  if (t === undefined || t.isDisposed) {
    t = tf.keep(tf.tensor1d(make(), 'float32'));
    tables.set(id, t);
  }
  return t;
}

/** Frees every shared table (tests that count tensors; a process that is done with its models). */
export function disposeConstantTables(): void {
  for (const t of tables.values()) t.dispose();
  tables.clear();
}
