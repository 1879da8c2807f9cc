// Where a LoRA training step's time goes, per kernel (tf.profile's kernel times), on one backend. Used to find what
// costs more than the matmuls (issue #8). `tsx scripts/profile-step.ts [wasm|cpu|webgpu]`.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import { loraStep } from './bench-model';

export interface KernelShare { name: string; ms: number; calls: number; faults: number }

export async function profileStep(backend: BackendName): Promise<{ wallMs: number; kernels: KernelShare[] }> {
  await useBackend(backend);
  const { run } = loraStep();
  // Warm-up steps (PROFILE_WARMUP, default 1): the first steps grow the wasm and malloc heaps (page faults).
  for (let i = 0; i < Number(process.env.PROFILE_WARMUP ?? 1); i++) await run();
  // Time every kernel of this backend synchronously (wasm and cpu kernels are synchronous; on webgpu this times
  // only the encoding, not the GPU work).
  const by = new Map<string, KernelShare>();
  const originals = tf.getKernelsForBackend(backend).map((k) => ({ ...k }));
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel({
      ...k,
      setupFunc: undefined,
      kernelFunc: (args) => {
        const t = performance.now();
        const f = process.resourceUsage().minorPageFault;
        try {
          return k.kernelFunc(args);
        } finally {
          const detail = process.env.PROFILE_SHAPES?.split(',').includes(k.kernelName)
            ? ` ${Object.values(args.inputs).map((t) => `[${(t as tf.TensorInfo).shape.join(',')}]`).join('')} ${JSON.stringify(args.attrs ?? {}).replace(/"/g, '')}` : '';
          const name = k.kernelName + detail;
          const e = by.get(name) ?? { name, ms: 0, calls: 0, faults: 0 };
          e.ms += performance.now() - t;
          e.faults += process.resourceUsage().minorPageFault - f;
          e.calls++;
          by.set(name, e);
        }
      },
    });
  }
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  return { wallMs, kernels: [...by.values()].sort((a, b) => b.ms - a.ms) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { wallMs, kernels } = await profileStep((process.argv[2] ?? 'wasm') as BackendName);
  const total = kernels.reduce((s, k) => s + k.ms, 0);
  console.log(`step wall ${wallMs.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms, ${kernels.reduce((s, k) => s + k.calls, 0)} kernel calls`);
  for (const k of kernels.slice(0, 25)) console.log(`${k.name.padEnd(60)} ${k.ms.toFixed(1).padStart(8)} ms ${String(k.calls).padStart(6)} calls ${(100 * k.ms / total).toFixed(1).padStart(5)}% ${String(k.faults).padStart(7)} page faults`);
}
