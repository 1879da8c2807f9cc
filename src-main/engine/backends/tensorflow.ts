// The native TensorFlow backend: libtensorflow through @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node
// (CPU). Both register a backend named 'tensorflow' when imported. Their install scripts download libtensorflow
// 2.9.1; where that download is unreachable npm drops the optional package (import → MODULE_NOT_FOUND) or, with
// --ignore-scripts, keeps it without its binding ("tfjs_binding.node can not be found"). Both become a reason.
import * as tf from '@tensorflow/tfjs';
import type { BackendDescriptor } from './types';
import { backendUnavailable, messageOf } from './unavailable';

const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Why one package did not load, in words a person can act on. */
export function explainNodeBindingFailure(pkg: string, err: unknown): string {
  const message = messageOf(err);
  const code = (err as { code?: unknown } | null)?.code;
  const notInstalled = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ||
    /Cannot find (module|package) '@tensorflow\/tfjs-node/.test(message);
  if (notInstalled) return `${pkg} is not installed`;
  if (/tfjs_binding\.node/.test(message)) {
    return `${pkg} is installed without its native binding (its install script could not download libtensorflow)`;
  }
  if (/libcud|libcublas|libcufft|libcurand|libcusolver|libcusparse/.test(message)) {
    return `${pkg} needs CUDA 11.2 and cuDNN 8.1 libraries: ${message}`;
  }
  return `${pkg} failed to load: ${message}`;
}

async function importFirst(): Promise<{ pkg: string; failures: string[] }> {
  const failures: string[] = [];
  for (const pkg of PACKAGES) {
    try {
      const specifier: string = pkg; // not a static import: the packages are optional
      await import(specifier);
      return { pkg, failures };
    } catch (err) {
      failures.push(explainNodeBindingFailure(pkg, err));
    }
  }
  return { pkg: '', failures };
}

function usesGpu(): boolean {
  const backend = tf.findBackend('tensorflow') as (tf.KernelBackend & { isUsingGpuDevice?: () => boolean }) | null;
  return typeof backend?.isUsingGpuDevice === 'function' && backend.isUsingGpuDevice();
}

export const tensorflowBackend: BackendDescriptor = {
  name: 'tensorflow',
  priority: 4,
  async load() {
    const { pkg, failures } = await importFirst();
    if (pkg === '') {
      throw backendUnavailable('tensorflow', `${failures.join('; ')}. Install @tensorflow/tfjs-node-gpu (CUDA) or ` +
        '@tensorflow/tfjs-node (CPU) on a machine with network access to their libtensorflow download.');
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      throw backendUnavailable('tensorflow', `${pkg} loaded but registered its backend with another copy of ` +
        '@tensorflow/tfjs-core; install the same version as @tensorflow/tfjs (4.22.0) so npm dedupes them.');
    }
    const gpu = pkg.endsWith('-gpu') && usesGpu();
    return { device: `libtensorflow via ${pkg} (${gpu ? 'CUDA GPU' : 'CPU'})`, isGpu: gpu };
  },
};
