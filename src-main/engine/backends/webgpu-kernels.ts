// Kernels the webgpu backend gets wrong for training, re-registered under 'webgpu' by composing its own kernels.
// Found by ops.test.ts (every op of a LoRA step, forward and gradient, small and model-sized shapes):
// - Cumsum / Cumprod with reverse=true (the gradient of cumsum is a reverse cumsum): tfjs-backend-webgpu 4.22
//   bakes the axis length into the reverse shader but leaves it out of the shader cache key, so after one reverse
//   cumsum every later one with another length reuses the wrong shader and returns wrong sums. The forward
//   (reverse=false) shader does not depend on the length, so we compute reverse(cum(reverse(x))).
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

interface Disposer { disposeData(dataId: object): boolean }

function replaceReverseCum(kernelName: 'Cumsum' | 'Cumprod'): void {
  const original = tf.getKernel(kernelName, 'webgpu');
  const flip = tf.getKernel('Reverse', 'webgpu');
  if (original === undefined || flip === undefined) return;
  const wrapped: KernelConfig = {
    ...original,
    kernelFunc: (args) => {
      const attrs = args.attrs as { axis: number; exclusive: boolean; reverse: boolean };
      if (!attrs.reverse) return original.kernelFunc(args);
      const backend = args.backend as Disposer;
      const x = args.inputs.x as TensorInfo;
      const dims = [tf.util.parseAxisParam(attrs.axis, x.shape)[0]];
      const flipped = flip.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { dims } }) as TensorInfo;
      const forward = original.kernelFunc({ inputs: { x: flipped }, backend: args.backend, attrs: { ...attrs, reverse: false } }) as TensorInfo;
      const result = flip.kernelFunc({ inputs: { x: forward }, backend: args.backend, attrs: { dims } }) as TensorInfo;
      backend.disposeData(flipped.dataId);
      backend.disposeData(forward.dataId);
      return result;
    },
  };
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel(wrapped);
}

let registered = false;

/** Idempotent. */
export function registerWebgpuTrainingKernels(): void {
  if (registered) return;
  registered = true;
  replaceReverseCum('Cumsum');
  replaceReverseCum('Cumprod');
}
