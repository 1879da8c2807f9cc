// LLM.int8 (peft-spec §2.8) on hand-worked examples: row-wise absmax int8 weights with round-half-to-even, the
// fp16 cast before quantising, and the activation outlier decomposition (threshold 6), with threshold 0 turning
// it off. The decomposition runs on every backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { INV_127, dequantizeInt8Rows, quantizeInt8Rows, roundHalfEven } from '../../../src-main/engine/quant/int8';
import { Int8Weight } from '../../../src-main/engine/quant/int8-weight';
import { describeEachBackend, toArray } from '../../helpers/backends';

describe('row-wise absmax int8 weights', () => {
  it('CB = round(W·127/SCB) with ties to even; Ŵ = CB·SCB/127', () => {
    // Row 0: SCB 1, W·127 = [63.5, −127, 31.75, 0] → [64, −127, 32, 0]          (63.5 → 64, even)
    // Row 1: SCB 1, W·127 = [127, 63.5, −63.5, 15.875] → [127, 64, −64, 16]     (−63.5 → −64, even)
    // Row 2: SCB 127, W·1 = [127, 62.5, −0.5, 1.5] → [127, 62, 0, 2]            (62.5 → 62 and −0.5 → 0: even, not up)
    const w = Float32Array.of(0.5, -1, 0.25, 0, 1, 0.5, -0.5, 0.125, 127, 62.5, -0.5, 1.5);
    const q = quantizeInt8Rows(w, [3, 4]);
    expect(Array.from(q.scb)).toEqual([1, 1, 127]);
    expect(Array.from(q.cb)).toEqual([64, -127, 32, 0, 127, 64, -64, 16, 127, 62, 0, 2]);
    const back = dequantizeInt8Rows(q);
    expect(back[0]).toBe(Math.fround(64 * INV_127)); // (64·1)·fround(1/127)
    expect(back[0]).toBeCloseTo(64 / 127, 7);
    expect(back[9]).toBe(Math.fround(Math.fround(62 * 127) * INV_127));
    expect(INV_127).toBe(Math.fround(1 / 127));
  });

  it('quantises the float16 value of each weight (bitsandbytes casts to fp16 first)', () => {
    // 0.1 in fp16 is 0.0999755859375 (0x2e66): that is the row's SCB, not fround(0.1).
    const q = quantizeInt8Rows(Float32Array.of(0.1, -0.05), [1, 2]);
    expect(q.scb[0]).toBe(0.0999755859375);
    expect(Array.from(q.cb)).toEqual([127, -64]); // fp16(−0.05) is exactly −SCB/2: ≈ −63.5 → −64
  });

  it('a zero row has SCB 0 and codes 0', () => {
    const q = quantizeInt8Rows(new Float32Array(3), [1, 3]);
    expect(Array.from(q.scb)).toEqual([0]);
    expect(Array.from(dequantizeInt8Rows(q))).toEqual([0, 0, 0]);
  });

  it('roundHalfEven is torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });
});

// W (2, 3) = [[0.5, −1, 0.25], [1, 0.5, −0.5]] → CB [[64, −127, 32], [127, 64, −64]], SCB [1, 1];
// X (2, 3) = [[1, 8, −2], [0.5, 1, 4]].
//
// τ = 6: |8| ≥ 6, so column 1 is an outlier column. Outlier entries zeroed: [[1, 0, −2], [0.5, 1, 4]], SCA [2, 4],
// CA = round(X·127/SCA) = [[64 (63.5), 0, −127], [16 (15.875), 32 (31.75), 127]], column 1 set to 0:
// [[64, 0, −127], [16, 0, 127]]. CA·CBᵀ = [[64·64 − 127·32, 64·127 + 127·64], [16·64 + 127·32, 16·127 − 127·64]]
// = [[32, 16256], [5088, −6096]], times SCA_t·SCB_i/16129: [[64/16129, 32512/16129], [20352/16129, −24384/16129]].
// Outlier column at full precision: X[:, 1]·Ŵ[:, 1]ᵀ = [8, 1] ⊗ [−127/127, 64/127] = [[−8, 512/127], [−1, 64/127]].
// Y = [[64/16129 − 8, 32512/16129 + 512/127], [20352/16129 − 1, −24384/16129 + 64/127]]
//   = [[−7.99603199, 6.04724409], [0.26182652, −1.00787402]].
//
// τ = 0: no decomposition. SCA [8, 4]; CA = [[16 (15.875), 127, −32 (−31.75)], [16, 32, 127]];
// CA·CBᵀ = [[1024 − 16129 − 1024, 2032 + 8128 + 2048], [1024 − 4064 + 4064, 2032 + 2048 − 8128]]
//        = [[−16129, 12208], [1024, −4048]], times SCA_t/16129: [[−8, 97664/16129], [4096/16129, −16192/16129]]
//        = [[−8, 6.05511811], [0.25395251, −1.00390600]].
const W = Float32Array.of(0.5, -1, 0.25, 1, 0.5, -0.5);
const X = [[1, 8, -2], [0.5, 1, 4]];
const Y_TAU6 = [64 / 16129 - 8, 32512 / 16129 + 512 / 127, 20352 / 16129 - 1, -24384 / 16129 + 64 / 127];
const Y_TAU0 = [-8, 97664 / 16129, 4096 / 16129, -16192 / 16129];

describeEachBackend('LLM.int8 activation outlier decomposition', () => {
  for (const [tau, expected] of [[6, Y_TAU6], [0, Y_TAU0]] as const) {
    it(`threshold ${tau}: the hand-worked product`, async () => {
      const weight = Int8Weight.quantize(W, [2, 3], tau);
      const y = tf.tidy(() => weight.matmul(tf.tensor2d(X)));
      const got = await toArray(y);
      expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      y.dispose();
      weight.dispose();
    });
  }

  it('the input gradient goes straight through the activation quantisation: dx = dy·Ŵ', async () => {
    const weight = Int8Weight.quantize(W, [2, 3], 6);
    const dx = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(weight.matmul(x as tf.Tensor2D)))(tf.tensor2d(X)));
    // dy = ones: dx_tj = Σ_i Ŵ_ij = [64 + 127, −127 + 64, 32 − 64]/127 for both rows.
    const col = [191 / 127, -63 / 127, -32 / 127];
    (await toArray(dx)).forEach((v, i) => expect(v).toBeCloseTo(col[i % 3], 6));
    dx.dispose();
    weight.dispose();
  });
});
