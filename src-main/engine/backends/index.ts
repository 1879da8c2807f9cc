// Public API of the engine's TensorFlow.js backends: choose one per process, probe what loads, ask what runs.
//   await useBackend('auto')      // tensorflow > webgpu (real GPU only) > wasm > cpu
//   await probeBackends()         // [{ name, available, device?, reason? }, ...]
//   currentBackendInfo()          // { name, device, isGpu }
export type { BackendDescriptor, BackendInfo, BackendName, BackendProbe } from './types';
export { BACKEND_NAMES } from './types';
export { currentBackendInfo, probeBackends, useBackend } from './selection';
export { registerBackendDescriptor } from './registry';
