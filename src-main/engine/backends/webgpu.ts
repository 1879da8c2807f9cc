// The WebGPU backend (@tensorflow/tfjs-backend-webgpu) on Dawn for Node (the `webgpu` npm package).
// tfjs expects a browser: the GPU* constants as globals and `navigator.gpu`. We provide both from Dawn, open a
// device ourselves (dawn.ts: real GPU first, then Mesa llvmpipe through OpenGL) and register
// `new WebGPUBackend(device, adapter.info)` under the name 'webgpu', replacing the package's own factory.
// Every op of a LoRA training step has a webgpu kernel; webgpu-kernels.ts fixes the one that computes wrong values
// (reverse cumsum). In Node never read a webgpu tensor synchronously (dataSync/arraySync need OffscreenCanvas):
// use `await t.data()`.
import type * as tf from '@tensorflow/tfjs';
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
    void dawn.device.lost.then((lost) => {
      if (lost.reason !== 'destroyed') console.error(`[peft-lab] WebGPU device lost (${lost.reason}): ${lost.message}`);
    });
    const software = dawn.isSoftware ? ' (software rendering, no GPU)' : '';
    return { device: `${dawn.description}${software}`, isGpu: !dawn.isSoftware };
  },
};
