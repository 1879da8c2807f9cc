// The WebAssembly backend (@tensorflow/tfjs-backend-wasm): XNNPACK kernels, SIMD on, one thread in Node.
// The .wasm binaries ship inside the npm package; we point the backend at that folder with a plain file path
// (the Node build reads it with fs), construct the backend ourselves so that a failure keeps its real error, and
// register the kernels the package lacks for training (wasm-kernels.ts). Matrix products go to ONNX Runtime's native
// multi-threaded sgemm when it loads (wasm-matmul.ts, native-matmul.ts).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cpuModel } from './cpu-model';
import { installBackendInstance } from './tf-registration';
import type { BackendDescriptor } from './types';
import { backendUnavailable, messageOf } from './unavailable';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { activeNativeMatmul } from './wasm-matmul';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';

/** The folder (with a trailing separator) that holds the package's .wasm files. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve(WASM_PACKAGE); // .../tfjs-backend-wasm/dist/tf-backend-wasm.node.js
  return dirname(main) + sep;
}

async function createWasmBackend(): Promise<tf.KernelBackend> {
  let wasmPackage: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw backendUnavailable('wasm', `${WASM_PACKAGE} is not installed (${messageOf(err)}); run npm install.`, err);
  }
  const folder = wasmBinaryFolder();
  if (!existsSync(join(folder, SIMD_BINARY))) {
    throw backendUnavailable('wasm', `${join(folder, SIMD_BINARY)} is missing; reinstall ${WASM_PACKAGE}.`);
  }
  // SIMD is on whenever the runtime validates a SIMD module (every Node >= 16); the flag is detected, not forced.
  wasmPackage.setWasmPaths(folder);
  const factory = tf.findBackendFactory('wasm');
  if (factory === null) throw backendUnavailable('wasm', `${WASM_PACKAGE} did not register a backend factory.`);
  try {
    return await factory();
  } catch (err) {
    throw backendUnavailable('wasm', `the WebAssembly module failed to start: ${messageOf(err)}`, err);
  }
}

export const wasmBackend: BackendDescriptor = {
  name: 'wasm',
  priority: 2,
  async load() {
    // If something already initialised wasm in this process, reuse that instance (paths cannot change any more).
    if (tf.engine().registry.wasm === undefined) installBackendInstance('wasm', await createWasmBackend(), 2);
    registerWasmTrainingKernels();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const native = activeNativeMatmul();
    const matmul = native ? ` + native matmul (${native.describe})` : '';
    return { device: `${cpuModel()}, WebAssembly${simd ? ' SIMD' : ' (no SIMD)'}, 1 thread${matmul}`, isGpu: false };
  },
};
