// Every op a LLaMA-style LoRA training step and its loss use (op-cases.ts), forward and gradient, on every backend,
// against the cpu backend. A failure names the op, the backend and the worst error.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { activeNativeMatmul, setNativeMatmul } from '../../../src-main/engine/backends/wasm-matmul';
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

async function agreesWithCpu(c: (typeof OP_CASES)[number], backend: string): Promise<void> {
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
}

describeEachBackend('ops forward and gradient', (backend) => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => agreesWithCpu(c, backend));

  it('leaves no tensors behind across the whole table', async () => {
    const before = tf.memory().numTensors;
    for (const c of OP_CASES.slice(0, 10)) await runCase(c);
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The wasm backend's matrix products take three paths (native-matmul.ts, wasm-matmul.ts): ONNX Runtime above a size
// threshold, wasm below it or when ONNX Runtime is missing. Every row again with every product forced each way.
const products = OP_CASES.filter((c) => /matMul|attention|linear|LoRA|lora|rotary/i.test(c.name));
for (const [label, native] of [['every product native', true], ['no native matmul', false]] as const) {
  describe(`ops on wasm, ${label}`, () => {
    beforeAll(async () => {
      await useBackend('wasm');
      const on = setNativeMatmul(native, 0);
      if (native && !on) throw new Error('onnxruntime-node does not load here: run npm install');
    });
    afterAll(() => {
      setNativeMatmul(true);
    });
    it('has the native path it claims', () => {
      expect(activeNativeMatmul() !== null).toBe(native);
      expect(products.length).toBeGreaterThan(10);
    });
    it.each(products.map((c) => [c.name, c] as const))('%s', (_name, c) => agreesWithCpu(c, `wasm (${label})`));
  });
}

// The wasm gather (wasm-kernels.ts, gatherRows) copies within the heap; an index outside the gathered axis is an
// error that names the index and the range, and leaves no tensor behind.
describe('gather on wasm with an index out of range', () => {
  it('throws a clear error and leaks nothing', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.gather(x, ids)).toThrow(/index value 3 is not in \[0, 2\]/);
    tf.dispose([x, ids]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

// Identity and same-dtype Cast share their input's data on wasm (wasm-kernels.ts, shareWhen): the result outlives
// its input, and the memory goes back when both are disposed.
describe('shared data on wasm (Identity, Cast to the same dtype)', () => {
  it('keeps a cast result readable after its input is disposed and frees the data with the last reference', async () => {
    await useBackend('wasm');
    const before = tf.memory().numBytes;
    const x = tf.tensor1d([1.5, -2, 3]);
    const same = tf.cast(x, 'float32');
    const other = tf.cast(x, 'int32');
    x.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2, 3]);
    expect(Array.from(await other.data())).toEqual([1, -2, 3]);
    tf.dispose([same, other]);
    expect(tf.memory().numBytes).toBe(before);
  });
});
