// The Dawn adapter logic with fake GPU objects: attempt order, software detection, limits, null adapters.
import { describe, expect, it } from 'vitest';
import { allNumericLimits, dawnAttempts, describeAdapter, openDawnDevice } from '../../../src-main/engine/backends/dawn';

class FakeLimits {
  get maxComputeWorkgroupSizeX(): number { return 1024; }
  get maxBufferSize(): number { return 2 ** 31; }
}

function fakeAdapter(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }): GPUAdapter {
  const device = { destroy: () => undefined } as unknown as GPUDevice;
  return {
    info: { vendor: '', architecture: '', device: '', description: '', ...info },
    limits: new FakeLimits(),
    features: new Set<string>(),
    requestDevice: async (desc: GPUDeviceDescriptor) => Object.assign(device, { desc }),
  } as unknown as GPUAdapter;
}

describe('dawn adapters', () => {
  it('tries the default backend in core mode first, then OpenGL compatibility on Linux', () => {
    expect(dawnAttempts('linux')).toEqual([
      { flags: [], featureLevel: 'core' },
      { flags: ['backend=opengl'], featureLevel: 'compatibility' },
    ]);
    expect(dawnAttempts('darwin')[0]).toEqual({ flags: [], featureLevel: 'core' });
  });

  it('recognises software adapters', () => {
    const mesa = fakeAdapter({ description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6', device: 'llvmpipe-llvm-15-0-6-256-bits-' });
    expect(describeAdapter(mesa)).toEqual({
      description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6 · llvmpipe-llvm-15-0-6-256-bits-',
      isSoftware: true,
    });
    expect(describeAdapter(fakeAdapter({ description: 'SwiftShader Device (Subzero)' })).isSoftware).toBe(true);
    expect(describeAdapter(fakeAdapter({ vendor: 'nvidia', isFallbackAdapter: true })).isSoftware).toBe(true);
    const gpu = describeAdapter(fakeAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3090' }));
    expect(gpu).toEqual({ description: 'NVIDIA GeForce RTX 3090 · nvidia · ampere', isSoftware: false });
  });

  it('asks for every numeric limit the adapter reports (prototype getters included)', () => {
    expect(allNumericLimits(fakeAdapter({}))).toEqual({ maxComputeWorkgroupSizeX: 1024, maxBufferSize: 2 ** 31 });
  });

  it('falls through attempts whose adapter is null, and collects the reasons', async () => {
    const calls: string[][] = [];
    const noneAnywhere = (flags: string[]) => {
      calls.push(flags);
      return { requestAdapter: async () => null } as unknown as GPU;
    };
    const reasons = await openDawnDevice(noneAnywhere, dawnAttempts('linux'));
    expect(calls).toEqual([[], ['backend=opengl']]);
    expect(reasons).toEqual(['no core adapter from the default backend', 'no compatibility adapter from backend=opengl']);

    const mesa = fakeAdapter({ device: 'llvmpipe' });
    const onlyOpenGl = (flags: string[]) =>
      ({ requestAdapter: async () => (flags.includes('backend=opengl') ? mesa : null) }) as unknown as GPU;
    const found = await openDawnDevice(onlyOpenGl, dawnAttempts('linux'));
    expect(Array.isArray(found)).toBe(false);
    if (Array.isArray(found)) return;
    expect(found.attempt.flags).toEqual(['backend=opengl']);
    expect(found.isSoftware).toBe(true);
    const desc = (found.device as unknown as { desc: GPUDeviceDescriptor }).desc;
    expect(desc.requiredLimits).toEqual({ maxComputeWorkgroupSizeX: 1024, maxBufferSize: 2 ** 31 });
  });

  it('sets up EGL for a headless Linux', async () => {
    await openDawnDevice(() => ({ requestAdapter: async () => null }) as unknown as GPU, []);
    if (process.platform === 'linux') {
      expect(process.env.EGL_PLATFORM).toBeTruthy();
      expect(process.env.XDG_RUNTIME_DIR).toBeTruthy();
    }
  });
});
