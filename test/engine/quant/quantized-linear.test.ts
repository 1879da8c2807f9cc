// A frozen linear layer on a packed base weight, on every backend: forward and input gradient equal the cpu
// reference (computed from the JavaScript dequantisation with plain float32 ops), the weight gets no gradient,
// a training step leaks no tensor, and the storage measured from the tensors matches the theory of peft-spec §2.
// Legend: N rows (6), n in_features (40), m out_features (24).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import { resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import type { LinearModuleInfo } from '../../../src-main/engine/model/architectures/types';
import type { BaseWeight } from '../../../src-main/engine/model/linear';
import { FrozenLinear } from '../../../src-main/engine/model/linear';
import { disposeConstantTables } from '../../../src-main/engine/quant/dequant';
import { baseFormat } from '../../../src-main/engine/quant/formats';
import { Rng } from '../../../src-main/engine/rng';
import { describeEachBackend, onBackend, toArray } from '../../helpers/backends';

const N = 6;
const n = 40;
const m = 24;
const rng = new Rng(8);
const W = rng.normalArray(m * n, 0.4); // (m, n)
const X = rng.normalArray(N * n, 2); // (N, n): some |x| ≥ 6, so LLM.int8 sees outlier columns
X[5] = 9;
const BIAS = rng.normalArray(m, 0.1);
const INFO: LinearModuleInfo = { name: 'model.layers.0.self_attn.q_proj', shortName: 'q_proj', inFeatures: n, outFeatures: m, bias: true, layer: 0 };

const FORMATS: [string, Partial<BaseOptions>][] = [
  ['nf4 + double quantisation', { bits: 4, quantType: 'nf4', doubleQuant: true }],
  ['fp4', { bits: 4, quantType: 'fp4', doubleQuant: false }],
  ['int8, threshold 6', { bits: 8, int8Threshold: 6 }],
  ['int8, threshold 0', { bits: 8, int8Threshold: 0 }],
  ['bf16', { bits: 16, halfType: 'bf16' }],
  ['fp16', { bits: 16, halfType: 'fp16' }],
];

const options = (o: Partial<BaseOptions>): BaseOptions => ({ ...resolveBaseOptions(), ...o });
const makeWeight = (o: Partial<BaseOptions>): BaseWeight => baseFormat(o.bits!).create(W, [m, n], options(o));

/** y and dx (for dy = a fixed random (N, m)) through a FrozenLinear on the current backend. */
async function forwardAndGrad(o: Partial<BaseOptions>): Promise<{ y: number[]; dx: number[] }> {
  const layer = new FrozenLinear(INFO, makeWeight(o), tf.tensor1d(BIAS));
  const x = tf.tensor2d(X, [N, n]);
  const dy = tf.tensor2d(new Rng(9).normalArray(N * m, 1), [N, m]);
  const y = layer.forward(x);
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.forward(input as tf.Tensor2D), dy)))(x);
  const out = { y: await toArray(y), dx: await toArray(dx) };
  tf.dispose([x, dy, y, dx]);
  layer.dispose();
  return out;
}

/** The same through plain ops on cpu, with Ŵ read back from the packed weight (the cpu kernel = JS reference). */
async function denseReference(o: Partial<BaseOptions>): Promise<{ y: number[]; dx: number[] }> {
  return onBackend('cpu', async () => {
    const weight = makeWeight(o);
    const w = weight.materialize(); // (m, n)
    const x = tf.tensor2d(X, [N, n]);
    const dy = tf.tensor2d(new Rng(9).normalArray(N * m, 1), [N, m]);
    const y = o.bits === 8 ? tf.add(weight.matmul(x), tf.tensor1d(BIAS)) : tf.add(tf.matMul(x, w, false, true), tf.tensor1d(BIAS));
    const dx = tf.matMul(dy, w); // dL/dx = dy·Ŵ for every format
    const out = { y: await toArray(y), dx: await toArray(dx) };
    tf.dispose([w, x, dy, y, dx]);
    weight.dispose();
    return out;
  });
}

const maxAbsDiff = (a: number[], b: number[]) => a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i])), 0);

describeEachBackend('a FrozenLinear on a packed base weight', () => {
  for (const [label, o] of FORMATS) {
    it(`${label}: forward and input gradient equal the cpu reference`, async () => {
      const got = await forwardAndGrad(o);
      const ref = await denseReference(o);
      expect(maxAbsDiff(got.y, ref.y)).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4);
    });
  }

  it('gives no gradient to the packed weight and keeps the dequantised copy only for the pass', async () => {
    const weight = makeWeight(FORMATS[0][1]);
    const layer = new FrozenLinear(INFO, weight, null);
    const x = tf.tensor2d(X, [N, n]);
    const scale = tf.variable(tf.ones([m]));
    const lossFn = () => tf.sum(tf.mul(layer.forward(x), scale)) as tf.Scalar;
    const step = async () => {
      const { value, grads } = tf.variableGrads(lossFn, [scale]);
      expect(Object.keys(grads)).toEqual([scale.name]);
      tf.tidy(() => scale.assign(tf.sub(scale, tf.mul(grads[scale.name], 0.01))));
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step(); // warm-up: kernels compiled, shared code tables created
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, scale]);
    layer.dispose();
  });
});

describe('storage measured from the tensors (peft-spec §2.4, §2.8)', () => {
  // (128, 128) = 16384 weights: a multiple of 64 and of 64·256, so the theory is exact.
  const big = new Rng(3).normalArray(128 * 128, 0.1);
  const cases: [string, Partial<BaseOptions>, number, number][] = [
    ['4-bit NF4 + double quantisation: 4 + 8/64 + 32/16384 = 4.126953125', { bits: 4, doubleQuant: true }, 4 + 8 / 64 + 32 / 16384, 4 + 8 / 64 + 32 / 16384],
    ['4-bit NF4 without: 4 + 32/64 = 4.5', { bits: 4, doubleQuant: false }, 4.5, 4.5],
    // Blocks of 128: 128 absmax codes fill half of one second-level block of 256, so the one float32 absmax2 is
    // spread over 16384 weights, not the 32768 of the theory (4 + 8/128 + 32/32768 = 4.0634765625).
    ['4-bit FP4 + double quantisation, blocks of 128 (a partial second-level block): 4 + 8/128 + 32/16384', { bits: 4, quantType: 'fp4', doubleQuant: true, blocksize: 128 }, 4 + 8 / 128 + 32 / 16384, 4 + 8 / 128 + 32 / 32768],
    ['8-bit: 8 + 32/n = 8.25 for n = 128', { bits: 8 }, 8 + 32 / 128, 8.25],
    ['16-bit: 16', { bits: 16 }, 16, 16],
    ['32-bit: 32', { bits: 32 }, 32, 32],
  ];
  for (const [label, o, measured, theory] of cases) {
    it(label, async () => {
      const weight = baseFormat(o.bits!).create(big, [128, 128], options(o));
      expect(weight.bitsPerWeight).toBe(measured);
      expect(weight.byteSize()).toBe((measured * 16384) / 8);
      expect(baseFormat(o.bits!).theoryBits(128, options(o))).toBe(theory);
      weight.dispose();
    });
  }

  it('frees the shared code tables on request', () => {
    disposeConstantTables();
  });
});
