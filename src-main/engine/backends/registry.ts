// The backends this build knows, registered by name (register, don't switch). A new backend is one descriptor
// file plus one `registerBackendDescriptor` line below; selection (selection.ts) only reads this registry.
import { cpuBackend } from './cpu';
import { tensorflowBackend } from './tensorflow';
import type { BackendDescriptor, BackendName } from './types';
import { wasmBackend } from './wasm';
import { webgpuBackend } from './webgpu';

const descriptors = new Map<BackendName, BackendDescriptor>();

export function registerBackendDescriptor(descriptor: BackendDescriptor): void {
  descriptors.set(descriptor.name, descriptor);
}

export function getBackendDescriptor(name: string): BackendDescriptor | undefined {
  return descriptors.get(name as BackendName);
}

/** Registered descriptors, most preferred first. */
export function backendDescriptorsByPriority(): BackendDescriptor[] {
  return [...descriptors.values()].sort((a, b) => b.priority - a.priority);
}

registerBackendDescriptor(cpuBackend);
registerBackendDescriptor(wasmBackend);
registerBackendDescriptor(webgpuBackend);
registerBackendDescriptor(tensorflowBackend);
