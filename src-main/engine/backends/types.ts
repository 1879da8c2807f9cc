// The shapes shared by every TensorFlow.js backend descriptor and by the selection API.
// A backend is added by writing a descriptor (one file per backend) and registering it in registry.ts.

export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';

export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

/** What a loaded backend runs on. */
export interface BackendInfo {
  name: BackendName;
  /** A person-readable device: CPU model, GPU adapter description, library build. */
  device: string;
  /** True only for a real GPU (never for Mesa llvmpipe, SwiftShader or another software adapter). */
  isGpu: boolean;
}

/** The result of trying to load one backend, as shown by `probeBackends()`. */
export interface BackendProbe {
  name: BackendName;
  available: boolean;
  device?: string;
  isGpu?: boolean;
  /** Why it cannot load (when `available` is false). */
  reason?: string;
}

export interface BackendDescriptor {
  name: BackendName;
  /** Higher is preferred by `useBackend('auto')`. */
  priority: number;
  /** `'auto'` takes this backend only when it runs on a real GPU (webgpu on llvmpipe is slower than wasm). */
  autoOnlyOnGpu?: boolean;
  /**
   * Makes the backend known to TensorFlow.js (registered and initialised, but NOT made current) and tells what it
   * runs on. Throws a PeftLabError('BACKEND_UNAVAILABLE') that says why when it cannot load. Called at most once.
   */
  load(): Promise<{ device: string; isGpu: boolean }>;
}
