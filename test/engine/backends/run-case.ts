// Runs one OpCase on the current backend and reads everything back asynchronously (webgpu-safe).
import * as tf from '@tensorflow/tfjs';
import type { OpCase } from './op-cases';
import { rand } from './op-cases';

export interface CaseResult {
  outputs: { dtype: string; shape: number[]; values: number[] }[];
  grads: { shape: number[]; values: number[] }[];
}

const asList = (r: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(r) ? r : [r]);

/** sum_k sum(out_k * probe_k): a scalar whose gradient exercises every output element with a distinct weight. */
function weightedSum(outputs: tf.Tensor[]): tf.Scalar {
  const terms = outputs
    .filter((o) => o.dtype === 'float32')
    .map((o, k) => tf.sum(tf.mul(o, rand(o.shape, 1000 + k, 0.5, 1.5))));
  return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
}

export async function runCase(c: OpCase): Promise<CaseResult> {
  const { outputs, grads } = tf.tidy(() => {
    const xs = c.inputs();
    const outs = asList(c.forward(...xs));
    let gs: tf.Tensor[] = [];
    if (c.gradWrt && c.gradWrt.length > 0) {
      const wrt = c.gradWrt;
      const f = (...ws: tf.Tensor[]): tf.Tensor => {
        const all = xs.slice();
        wrt.forEach((index, j) => { all[index] = ws[j]; });
        return weightedSum(asList(c.forward(...all)));
      };
      gs = tf.grads(f)(wrt.map((i) => xs[i]));
    }
    return { outputs: outs, grads: gs };
  });
  try {
    return {
      outputs: await Promise.all(outputs.map(async (o) => ({ dtype: o.dtype, shape: o.shape, values: Array.from(await o.data()) }))),
      grads: await Promise.all(grads.map(async (g) => ({ shape: g.shape, values: Array.from(await g.data()) }))),
    };
  } finally {
    tf.dispose([...outputs, ...grads]);
  }
}

/** Largest |a-b| / (1 + |b|) (absolute near zero, relative for large values); Infinity on a shape mismatch. */
export function maxError(actual: number[], expected: number[]): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(a) !== Number.isNaN(b)) return Infinity;
    if (a === b) continue;
    worst = Math.max(worst, Math.abs(a - b) / (1 + Math.abs(b)));
  }
  return worst;
}
