// Every op a LLaMA-style LoRA training step and its loss use (op-cases.ts), forward and gradient, on every backend,
// against the cpu backend. A failure names the op, the backend and the worst error.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { describeEachBackend } from '../../helpers/backends';
import { OP_CASES } from './op-cases';
import type { CaseResult } from './run-case';
import { maxError, runCase } from './run-case';

const reference = new Map<string, CaseResult>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const c of OP_CASES) reference.set(c.name, await runCase(c));
});

describe('op table', () => {
  it('has a gradient row for each differentiable op of the brief', () => {
    const names = OP_CASES.map((c) => c.name).join(' | ');
    for (const op of ['matMul 4-D', 'gather axis 0', 'stridedSlice', 'logSumExp', 'cumsum', 'dropout', 'norm', 'topk', 'pow']) {
      expect(names).toContain(op);
    }
  });
});

describeEachBackend('ops forward and gradient', (backend) => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const expected = reference.get(c.name);
    expect(expected, 'cpu reference').toBeDefined();
    const actual = await runCase(c);
    const tol = c.tol ?? 1e-4;
    expect(actual.outputs.map((o) => [o.dtype, o.shape])).toEqual(expected!.outputs.map((o) => [o.dtype, o.shape]));
    expect(actual.grads.map((g) => g.shape)).toEqual(expected!.grads.map((g) => g.shape));
    actual.outputs.forEach((o, i) => {
      expect(maxError(o.values, expected!.outputs[i].values), `${backend} forward output ${i}`).toBeLessThanOrEqual(tol);
    });
    actual.grads.forEach((g, i) => {
      expect(maxError(g.values, expected!.grads[i].values), `${backend} gradient ${i}`).toBeLessThanOrEqual(tol);
      expect(g.values.every(Number.isFinite), `${backend} gradient ${i} finite`).toBe(true);
    });
  });

  it('leaves no tensors behind across the whole table', async () => {
    const before = tf.memory().numTensors;
    for (const c of OP_CASES.slice(0, 10)) await runCase(c);
    expect(tf.memory().numTensors).toBe(before);
  });
});
