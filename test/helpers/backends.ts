// Run the same test body on every TensorFlow.js backend (tfjs's describeWithFlags(..., ALL_ENVS), our way).
//
//   import { describeEachBackend, toArray } from '../../helpers/backends';
//
//   describeEachBackend('softmax', (backend) => {
//     it('sums to one', async () => {
//       const p = tf.softmax(tf.tensor1d([1, 2, 3]));
//       expect((await toArray(p)).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
//     });
//   });
//
// One `describe` per backend ('<title> [cpu]', '[wasm]', '[webgpu]', '[tensorflow]'), each with a `beforeAll`
// that calls `useBackend(name)`, so tests inside run on that backend. Rules:
// - cpu and wasm always run.
// - webgpu runs when it loads. When it cannot load it is skipped with the reason in the test name, EXCEPT when
//   process.env.CI or process.env.PEFT_LAB_REQUIRE_WEBGPU is set: then it runs anyway and fails (a broken GPU path
//   must not pass CI as a skip).
// - tensorflow (tfjs-node) runs when it loads, and is skipped with the reason otherwise.
// - `opts.backends` limits the list, e.g. { backends: ['cpu', 'wasm'] }.
// Rules for test bodies: read tensors with `await toArray(t)` / `await t.data()`, never dataSync/arraySync (webgpu
// in Node cannot read synchronously); compute references with `onBackend('cpu', ...)` or by hand.
// Importing this file probes the backends once (top-level await; about half a second with webgpu).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { probeBackends, useBackend } from '../../src-main/engine/backends/index';
import type { BackendName, BackendProbe } from '../../src-main/engine/backends/index';

const ALL: BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

const probes: BackendProbe[] = await probeBackends();

export function webgpuRequired(): boolean {
  return Boolean(process.env.CI) || Boolean(process.env.PEFT_LAB_REQUIRE_WEBGPU);
}

/** The probe result of one backend, as found when this file was imported. */
export function backendProbe(name: BackendName): BackendProbe | undefined {
  return probes.find((p) => p.name === name);
}

function skipReason(name: BackendName): string | undefined {
  if (name === 'cpu' || name === 'wasm') return undefined; // always run: a failure there is a real failure
  if (name === 'webgpu' && webgpuRequired()) return undefined;
  const probe = backendProbe(name);
  if (probe?.available) return undefined;
  return probe?.reason ?? 'not registered';
}

export function describeEachBackend(
  title: string,
  body: (backend: BackendName) => void,
  opts?: { backends?: BackendName[] },
): void {
  for (const name of opts?.backends ?? ALL) {
    const reason = skipReason(name);
    if (reason !== undefined) {
      describe(`${title} [${name}]`, () => {
        it.skip(`skipped: ${name} is unavailable here: ${reason}`, () => undefined);
      });
      continue;
    }
    describe(`${title} [${name}]`, () => {
      beforeAll(async () => {
        await useBackend(name);
      });
      body(name);
    });
  }
}

/** Reads a tensor asynchronously (works on every backend, webgpu included) into a plain array. */
export async function toArray(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Runs `fn` on another backend and switches back to the one that was current (e.g. to compute a cpu reference). */
export async function onBackend<T>(name: BackendName, fn: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend() as BackendName;
  await useBackend(name);
  try {
    return await fn();
  } finally {
    await useBackend(previous);
  }
}
