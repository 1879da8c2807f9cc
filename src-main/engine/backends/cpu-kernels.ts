// Kernels of the cpu backend replaced for training speed (same results, checked by hand in hand-checked.test.ts
// and against webgpu's own kernel in ops.test.ts):
// - UnsortedSegmentSum (the gradient of gather): tfjs-backend-cpu runs four kernels per segment, O(segments × rows);
//   a (2048, 64) embedding gradient took 8.7 s, a 32k vocabulary would take minutes per step. One pass instead.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { segmentSumValues } from './segment-sum';
import type { Values } from './segment-sum';

interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: string, values: Values): TensorInfo;
}

const unsortedSegmentSumCpu: KernelFunc = ({ inputs, attrs, backend }) => {
  const cpu = backend as unknown as CpuBackend;
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const { values, shape } = segmentSumValues(cpu.readSync(x.dataId) as Values, x.shape,
    cpu.readSync(segmentIds.dataId) as Values, segmentIds.shape.length, attrs?.numSegments as number);
  return cpu.makeTensorInfo(shape, x.dtype, values);
};

let registered = false;

/** Idempotent. */
export function registerCpuTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('UnsortedSegmentSum', 'cpu') !== undefined) tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'cpu', kernelFunc: unsortedSegmentSumCpu });
}
