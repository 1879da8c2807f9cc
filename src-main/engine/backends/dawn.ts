// Dawn (Google's WebGPU implementation) in Node through the `webgpu` npm package: the environment it needs, the
// adapter attempts in order of preference, and a device with every limit the adapter offers.
//
// Recipe for Linux without a GPU (shared/reference/platform-notes.md, "WebGPU on a machine without a GPU"):
// Dawn rejects Debian's lavapipe (Vulkan) but runs its OpenGL backend on Mesa's llvmpipe, given
// EGL_PLATFORM=surfaceless, a writable XDG_RUNTIME_DIR, `create(['backend=opengl'])` and
// `requestAdapter({ featureLevel: 'compatibility' })`. tfjs kernels need limits above the WebGPU defaults
// (workgroup size 256 > 128), so the device asks for every numeric limit the adapter reports.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DawnAttempt {
  /** Dawn toggles passed to `create()`, e.g. ['backend=opengl']. */
  flags: string[];
  featureLevel: 'core' | 'compatibility';
}

export interface DawnDevice {
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  attempt: DawnAttempt;
  /** Adapter description, device and vendor joined, e.g. "OpenGL version 4.5 (Core Profile) Mesa 22.3.6 [llvmpipe…]". */
  description: string;
  isSoftware: boolean;
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render driver|warp/i;

/** Real GPUs first: Dawn's default backend (Vulkan, Metal, D3D12) in core mode; then the fallbacks. */
export function dawnAttempts(platform: NodeJS.Platform = process.platform): DawnAttempt[] {
  const attempts: DawnAttempt[] = [{ flags: [], featureLevel: 'core' }];
  if (platform === 'linux') attempts.push({ flags: ['backend=opengl'], featureLevel: 'compatibility' });
  else attempts.push({ flags: [], featureLevel: 'compatibility' });
  return attempts;
}

/** Mesa's EGL needs a platform without a display server, and a runtime folder it can write. */
export function prepareDawnEnvironment(): void {
  if (process.platform !== 'linux') return;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  if (!process.env.XDG_RUNTIME_DIR) {
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'peft-lab-xdg-'));
  }
}

export function describeAdapter(adapter: GPUAdapter): { description: string; isSoftware: boolean } {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const parts = [info.description, info.vendor, info.architecture, info.device]
    .map((s) => (s ?? '').trim())
    .filter((s, i, all) => s.length > 0 && all.indexOf(s) === i);
  const description = parts.length > 0 ? parts.join(' · ') : 'unknown WebGPU adapter';
  const fallback = info.isFallbackAdapter === true || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { description, isSoftware: fallback || SOFTWARE_ADAPTER.test(parts.join(' ')) };
}

/** Every numeric limit the adapter reports (own properties or getters anywhere on the prototype chain). */
export function allNumericLimits(adapter: GPUAdapter): Record<string, number> {
  const source = adapter.limits as unknown as Record<string, unknown>;
  const keys = new Set<string>();
  for (const key in source) keys.add(key);
  for (let o: object | null = source; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor') keys.add(key);
  }
  const limits: Record<string, number> = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}

type CreateGpu = (flags: string[]) => GPU;

async function tryAttempt(create: CreateGpu, attempt: DawnAttempt): Promise<DawnDevice | string> {
  const gpu = create(attempt.flags);
  const options = { powerPreference: 'high-performance', featureLevel: attempt.featureLevel } as GPURequestAdapterOptions;
  const adapter = await gpu.requestAdapter(options);
  if (adapter === null) return `no ${attempt.featureLevel} adapter from ${attempt.flags.join(' ') || 'the default backend'}`;
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits: allNumericLimits(adapter), requiredFeatures });
  return { gpu, adapter, device, attempt, ...describeAdapter(adapter) };
}

/** Tries each attempt in order; returns the first device, or the list of reasons why none was found. */
export async function openDawnDevice(create: CreateGpu, attempts = dawnAttempts()): Promise<DawnDevice | string[]> {
  prepareDawnEnvironment();
  const reasons: string[] = [];
  for (const attempt of attempts) {
    try {
      const result = await tryAttempt(create, attempt);
      if (typeof result !== 'string') return result;
      reasons.push(result);
    } catch (err) {
      reasons.push(`${attempt.flags.join(' ') || 'default backend'} (${attempt.featureLevel}): ${String(err)}`);
    }
  }
  return reasons;
}
