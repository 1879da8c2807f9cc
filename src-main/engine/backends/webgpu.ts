// The WebGPU backend (@tensorflow/tfjs-backend-webgpu) on Dawn for Node (the `webgpu` npm package).
// tfjs expects a browser: the GPU* constants as globals and `navigator.gpu`. We provide both from Dawn, open a
// device ourselves (dawn.ts: real GPU first, then Mesa llvmpipe through OpenGL) and register
// `new WebGPUBackend(device, adapter.info)` under the name 'webgpu', replacing the package's own factory.
// Every op of a LoRA training step has a webgpu kernel; webgpu-kernels.ts fixes the one that computes wrong values
// (reverse cumsum); here AddN is split to fit the device's storage-buffer limit and matmuls with a transposed B
// avoid tfjs's split-K program. In Node never read a webgpu tensor synchronously (dataSync/arraySync need OffscreenCanvas):
// use `await t.data()`.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { openDawnDevice } from './dawn';
import type { DawnDevice } from './dawn';
import { installBackendInstance } from './tf-registration';
import type { BackendDescriptor } from './types';
import { backendUnavailable, messageOf } from './unavailable';
import { registerWebgpuTrainingKernels } from './webgpu-kernels';

const PRIORITY = 3;

async function importDawn(): Promise<typeof import('webgpu')> {
  try {
    return await import('webgpu');
  } catch (err) {
    throw backendUnavailable('webgpu', `the Dawn addon (npm package "webgpu") does not load: ${messageOf(err)}. ` +
      'Reinstall it (npm ci) on a supported platform (linux/darwin/win32, x64 or arm64).', err);
  }
}

/** tfjs-backend-webgpu looks for `navigator.gpu` and the GPUBufferUsage/GPUMapMode/... globals. */
function exposeBrowserGlobals(globals: object, gpu: GPU): void {
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(globals)) {
    if (!(key in g)) g[key] = value;
  }
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true, writable: true });
}

function noAdapterReason(reasons: string[]): string {
  const tried = reasons.join('; ');
  if (process.platform === 'linux') {
    return `no WebGPU adapter (${tried}). Without a GPU, install Mesa (apt-get install libegl1 libegl-mesa0 ` +
      'libgl1-mesa-dri libgles2 mesa-vulkan-drivers); with a GPU, install its Vulkan driver.';
  }
  return `no WebGPU adapter (${tried}). Update the GPU driver, or use the wasm backend.`;
}

async function createBackend(dawn: DawnDevice): Promise<tf.KernelBackend> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  return new WebGPUBackend(dawn.device, dawn.adapter.info);
}

/**
 * tfjs-backend-webgpu 4.22 runs AddN as one shader binding every input plus the output as a storage buffer, and
 * never checks the device's maxStorageBuffersPerShaderStage: past it the pipeline fails validation (reported
 * asynchronously, not thrown) and the result is silently 0. With 16 (Mesa llvmpipe; the WebGPU default is 8), the
 * global gradient norm of a LoRA step with 16 trainable tensors (r 8 on q,v of 4 layers) came out 0, so gradients
 * were never clipped. Found by scripts/bench-webgpu.ts. Sums in chunks that fit, then sums the partial sums.
 */
function registerChunkedAddN(maxStorageBuffers: number): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (original === undefined) return;
  const maxInputs = Math.max(2, maxStorageBuffers - 1);
  const addN = (args: Parameters<KernelConfig['kernelFunc']>[0]): TensorInfo => {
    const tensors = args.inputs as unknown as TensorInfo[];
    if (tensors.length <= maxInputs) return original.kernelFunc(args) as TensorInfo;
    const partials: TensorInfo[] = [];
    for (let i = 0; i < tensors.length; i += maxInputs) {
      const chunk = tensors.slice(i, i + maxInputs);
      partials.push(addN({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }));
    }
    const result = addN({ ...args, inputs: partials as unknown as tf.NamedTensorInfoMap });
    for (const p of partials) (args.backend as unknown as { disposeData(id: object): void }).disposeData(p.dataId);
    return result;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...original, kernelFunc: addN });
}

/**
 * tfjs-backend-webgpu 4.22's MatMulSplitKProgram reads B as vec4 along the wrong axis when B is transposed (its
 * isVec4 test ignores transposeB; MatMulPackedProgram's does not): wrong products, e.g. relative error 3e-2 for
 * [16×2048]·[16×2048]ᵀ. tfjs's automatic choice (flag WEBGPU_MATMUL_PROGRAM_TYPE -1) takes split-K for few output
 * tiles, batch 1 and an inner size ≥ 2000 — a LoRA down-projection x·Aᵀ of ≤ 256 tokens on a model with hidden size
 * ≥ 2000. Found by scripts/bench-webgpu.ts. For exactly those calls we ask for the small-output-size program, the
 * one tfjs takes for the other few-tile cases.
 */
function avoidSplitKWithTransposedB(kernelName: 'BatchMatMul' | '_FusedMatMul'): void {
  const original = tf.getKernel(kernelName, 'webgpu');
  if (original === undefined) return;
  const PROGRAM_TYPE = 'WEBGPU_MATMUL_PROGRAM_TYPE';
  const SMALL_OUTPUT_SIZE = 2;
  const wouldSplitK = (args: Parameters<KernelConfig['kernelFunc']>[0]): boolean => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeB || tf.env().getNumber(PROGRAM_TYPE) >= 0) return false;
    const a = (args.inputs.a as TensorInfo).shape;
    const b = (args.inputs.b as TensorInfo).shape;
    const batch = Math.max(tf.util.sizeFromShape(a.slice(0, -2)), tf.util.sizeFromShape(b.slice(0, -2)));
    const m = transposeA ? a[a.length - 1] : a[a.length - 2];
    const n = b[b.length - 2];
    const k = b[b.length - 1];
    const flag = tf.env().getNumber('WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL');
    const threshold = flag > 0 ? flag : (args.backend as unknown as { thresholdToIncreaseWorkgroups: number }).thresholdToIncreaseWorkgroups;
    const tiles = batch * Math.ceil(m / 32) * Math.ceil(n / 32);
    const fewTiles = tiles <= threshold || (m <= 8 && tiles <= threshold * 2);
    return fewTiles && batch * m * n > 128 && batch === 1 && k >= 2000;
  };
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      if (!wouldSplitK(args)) return original.kernelFunc(args);
      tf.env().set(PROGRAM_TYPE, SMALL_OUTPUT_SIZE);
      try {
        return original.kernelFunc(args);
      } finally {
        tf.env().set(PROGRAM_TYPE, -1);
      }
    },
  });
}

let fixesRegistered = false;

/** Idempotent: wraps the kernels once per process. */
function registerWebgpuFixes(device: GPUDevice): void {
  if (fixesRegistered) return;
  fixesRegistered = true;
  registerChunkedAddN(device.limits.maxStorageBuffersPerShaderStage);
  avoidSplitKWithTransposedB('BatchMatMul');
  avoidSplitKWithTransposedB('_FusedMatMul');
}

export const webgpuBackend: BackendDescriptor = {
  name: 'webgpu',
  priority: PRIORITY,
  autoOnlyOnGpu: true,
  async load() {
    const { create, globals } = await importDawn();
    const dawn = await openDawnDevice(create);
    if (Array.isArray(dawn)) throw backendUnavailable('webgpu', noAdapterReason(dawn));
    exposeBrowserGlobals(globals, dawn.gpu);
    let backend: tf.KernelBackend;
    try {
      backend = await createBackend(dawn);
    } catch (err) {
      dawn.device.destroy();
      throw backendUnavailable('webgpu', `tfjs could not start on ${dawn.description}: ${messageOf(err)}`, err);
    }
    installBackendInstance('webgpu', backend, PRIORITY);
    registerWebgpuTrainingKernels();
    registerWebgpuFixes(dawn.device);
    void dawn.device.lost.then((lost) => {
      if (lost.reason !== 'destroyed') console.error(`[peft-lab] WebGPU device lost (${lost.reason}): ${lost.message}`);
    });
    const software = dawn.isSoftware ? ' (software rendering, no GPU)' : '';
    return { device: `${dawn.description}${software}`, isGpu: !dawn.isSoftware };
  },
};
