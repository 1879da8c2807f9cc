// Choosing the TensorFlow.js backend for this process: load once (cached, success or failure), switch with
// tf.setBackend, remember what we run on. `'auto'` takes the most preferred backend that loads, skipping those
// that are fast only on a real GPU when the adapter is a software one (webgpu on Mesa llvmpipe).
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import { registerTrainingGradients } from './gradients';
import { backendDescriptorsByPriority, getBackendDescriptor } from './registry';
import type { BackendInfo, BackendName, BackendProbe } from './types';
import { backendUnavailable, messageOf } from './unavailable';

const loads = new Map<BackendName, Promise<BackendInfo>>();
let current: BackendInfo | undefined;
/** Loads and switches run one at a time: tfjs keeps one global engine. */
let queue: Promise<unknown> = Promise.resolve();

function serialised<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

function knownNames(): string {
  return ['auto', ...backendDescriptorsByPriority().map((d) => d.name)].join(', ');
}

function loadBackend(name: BackendName): Promise<BackendInfo> {
  const cached = loads.get(name);
  if (cached) return cached;
  const descriptor = getBackendDescriptor(name);
  if (!descriptor) throw new PeftLabError('BAD_ARGUMENT', `Unknown backend "${name}": choose one of ${knownNames()}.`);
  const loading = descriptor.load().then(
    (loaded): BackendInfo => ({ name, device: loaded.device, isGpu: loaded.isGpu }),
    (err: unknown) => {
      throw err instanceof PeftLabError ? err : backendUnavailable(name, messageOf(err), err);
    },
  );
  loads.set(name, loading);
  return loading;
}

async function pickAuto(): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const descriptor of backendDescriptorsByPriority()) {
    try {
      const info = await loadBackend(descriptor.name);
      if (descriptor.autoOnlyOnGpu && !info.isGpu) {
        skipped.push(`${descriptor.name}: runs on ${info.device}, not a GPU`);
        continue;
      }
      return info;
    } catch (err) {
      skipped.push(`${descriptor.name}: ${messageOf(err)}`);
    }
  }
  throw new PeftLabError('BACKEND_UNAVAILABLE', `No TensorFlow.js backend loads here (${skipped.join('; ')}).`);
}

async function switchTo(info: BackendInfo): Promise<BackendInfo> {
  const switched = await tf.setBackend(info.name);
  if (!switched) throw backendUnavailable(info.name, 'TensorFlow.js refused to switch to it (see the warning above).');
  await tf.ready();
  current = info;
  return info;
}

function assertChoice(choice: string): asserts choice is BackendName | 'auto' {
  if (choice !== 'auto' && getBackendDescriptor(choice) === undefined) {
    throw new PeftLabError('BAD_ARGUMENT', `Unknown backend "${choice}": choose one of ${knownNames()}.`);
  }
}

/**
 * Loads (once per process) and switches to a backend; `'auto'` = tensorflow > webgpu on a real GPU > wasm > cpu.
 * Can be called again to switch. Throws PeftLabError BACKEND_UNAVAILABLE (why, what to do) or BAD_ARGUMENT.
 */
export function useBackend(choice: BackendName | 'auto'): Promise<BackendInfo> {
  return serialised(async () => {
    assertChoice(choice);
    registerTrainingGradients();
    const info = choice === 'auto' ? await pickAuto() : await loadBackend(choice);
    return switchTo(info);
  });
}

/** Tries to load every registered backend (without switching) and reports which work, on what, or why not. */
export function probeBackends(): Promise<BackendProbe[]> {
  return serialised(async () => {
    const probes: BackendProbe[] = [];
    for (const { name } of backendDescriptorsByPriority()) {
      try {
        const info = await loadBackend(name);
        probes.push({ name, available: true, device: info.device, isGpu: info.isGpu });
      } catch (err) {
        const reason = err instanceof PeftLabError && typeof err.details?.reason === 'string' ? err.details.reason : messageOf(err);
        probes.push({ name, available: false, reason });
      }
    }
    return probes;
  });
}

/** The backend chosen by the last `useBackend` call. Throws when none was chosen or tfjs was switched behind our back. */
export function currentBackendInfo(): BackendInfo {
  if (current === undefined) {
    throw new PeftLabError('BACKEND_UNAVAILABLE', 'No backend chosen yet: call useBackend("auto") (or a name) first.');
  }
  if (tf.engine().backendName !== current.name) {
    throw new PeftLabError('BACKEND_UNAVAILABLE', `TensorFlow.js runs on "${tf.engine().backendName}" but ` +
      `useBackend chose "${current.name}": switch backends only through useBackend.`);
  }
  return current;
}
