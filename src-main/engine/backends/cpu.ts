// The reference backend: plain JavaScript kernels from @tensorflow/tfjs. Every kernel and every gradient exists
// here, so every other backend is tested against it. One kernel is replaced for speed (cpu-kernels.ts).
import * as tf from '@tensorflow/tfjs';
import { registerCpuTrainingKernels } from './cpu-kernels';
import { cpuModel } from './cpu-model';
import type { BackendDescriptor } from './types';
import { backendUnavailable } from './unavailable';

export const cpuBackend: BackendDescriptor = {
  name: 'cpu',
  priority: 1,
  async load() {
    if (tf.findBackendFactory('cpu') === null) {
      throw backendUnavailable('cpu', '@tensorflow/tfjs did not register its cpu backend; reinstall @tensorflow/tfjs.');
    }
    registerCpuTrainingKernels();
    // The cpu backend prints "install our node backend" on first use; probeBackends already reports tfjs-node.
    const cpu = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
    return { device: `${cpuModel()}, JavaScript`, isGpu: false };
  },
};
