// Choosing and probing backends: the public API of src-main/engine/backends.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isPeftLabError } from '../../../src-shared/errors';
import { currentBackendInfo, probeBackends, useBackend } from '../../../src-main/engine/backends/index';
import type { BackendName, BackendProbe } from '../../../src-main/engine/backends/index';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** What 'auto' must pick given the probes: tensorflow > webgpu on a real GPU > wasm > cpu. */
function expectedAuto(probes: BackendProbe[]): BackendName {
  const ok = (name: BackendName) => probes.find((p) => p.name === name);
  if (ok('tensorflow')?.available) return 'tensorflow';
  if (ok('webgpu')?.available && ok('webgpu')?.isGpu) return 'webgpu';
  return ok('wasm')?.available ? 'wasm' : 'cpu';
}

describe('backend selection', () => {
  it('currentBackendInfo throws until a backend is chosen', () => {
    let caught: unknown;
    try {
      currentBackendInfo();
    } catch (err) {
      caught = err;
    }
    expect(isPeftLabError(caught, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((caught as Error).message).toMatch(/useBackend/);
  });

  it('probes every registered backend, most preferred first', async () => {
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    for (const p of probes) {
      if (p.available) expect(p.device, p.name).toBeTruthy();
      else expect(p.reason, p.name).toBeTruthy();
    }
    expect(probes.find((p) => p.name === 'cpu')?.available).toBe(true);
    expect(probes.find((p) => p.name === 'wasm')?.available).toBe(true);
  });

  it('reports why tensorflow (tfjs-node) cannot load, with what to install', async () => {
    const probe = (await probeBackends()).find((p) => p.name === 'tensorflow')!;
    if (probe.available) return; // a machine where tfjs-node installs
    expect(probe.reason).toMatch(/@tensorflow\/tfjs-node-gpu/);
    expect(probe.reason).toMatch(/install/i);
    const err = await rejection(useBackend('tensorflow'));
    expect(isPeftLabError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/tensorflow backend cannot be used/);
  });

  it('webgpu on a software adapter is available but not a GPU', async () => {
    const probe = (await probeBackends()).find((p) => p.name === 'webgpu')!;
    if (!probe.available) {
      expect(probe.reason).toMatch(/adapter|webgpu|Dawn/i);
      return;
    }
    if (/llvmpipe|software/i.test(probe.device ?? '')) expect(probe.isGpu).toBe(false);
  });

  it("'auto' picks the fastest backend that loads (wasm on a machine without GPU or tfjs-node)", async () => {
    const probes = await probeBackends();
    const info = await useBackend('auto');
    expect(info.name).toBe(expectedAuto(probes));
    expect(tf.getBackend()).toBe(info.name);
    expect(currentBackendInfo()).toEqual(info);
    const webgpu = probes.find((p) => p.name === 'webgpu');
    if (!probes[0].available && !(webgpu?.available && webgpu.isGpu)) expect(info.name).toBe('wasm');
  });

  it('switches between explicit backends in one process, and computes on each', async () => {
    for (const name of ['cpu', 'wasm', 'cpu', 'wasm'] as const) {
      const info = await useBackend(name);
      expect(info.name).toBe(name);
      expect(tf.getBackend()).toBe(name);
      expect(Array.from(await tf.add(tf.scalar(2), tf.scalar(3)).data())).toEqual([5]);
    }
    expect(currentBackendInfo().name).toBe('wasm');
  });

  it('loads once: a second useBackend returns the same info quickly', async () => {
    const first = await useBackend('wasm');
    const start = performance.now();
    const second = await useBackend('wasm');
    expect(second).toEqual(first);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('rejects an unknown name with the list of known ones', async () => {
    const err = await rejection(useBackend('gpu' as BackendName));
    expect(isPeftLabError(err, 'BAD_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/Unknown backend "gpu".*auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('concurrent calls are serialised and end on the last one asked for', async () => {
    const [a, b] = await Promise.all([useBackend('cpu'), useBackend('wasm')]);
    expect([a.name, b.name]).toEqual(['cpu', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
