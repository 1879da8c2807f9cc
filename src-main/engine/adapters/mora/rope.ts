// MoRA type 6, "RoPE based" (paper Eq. 9; peft-spec §3.3, §3.4; MoRA fork `_apply_mora` and `get_delta_weight`
// for mora_type 6): the wrap-padded input is cut into Bk chunks of R, chunk i is rotated by the angles i·θ_k in the
// half-duplicated layout of HF's rotate-half RoPE (chunk 0 unrotated), every chunk goes through the same M, and the
// concatenated results are truncated (or tiled) to m outputs. No summation, so ΔW is block diagonal.
// Legend: N rows, n in_features, m out_features, R = r̂ (even), h = R/2, Bk = ⌈n/R⌉ chunks, p = Bk·R − n.
import * as tf from '@tensorflow/tfjs';
import type { MoraGeometry } from './geometry';
import { tileIndices, wrapIndices } from './geometry';
import type { MoraOperator, MoraVariant } from './variant';

/**
 * cos_i and sin_i for i < Bk, each (Bk, R) row-major, in float32 as the fork computes them:
 * θ_k = 1 / 10000^(float32(2k) / R) for k < h, φ_{i,k} = i·θ_k, and the row is [φ_i,0..h−1, φ_i,0..h−1].
 */
export function ropeTables(Bk: number, R: number): { cos: Float32Array; sin: Float32Array } {
  const h = R / 2;
  const cos = new Float32Array(Bk * R);
  const sin = new Float32Array(Bk * R);
  const f = Math.fround;
  for (let k = 0; k < h; k++) {
    const theta = f(1 / f(Math.pow(10000, f((2 * k) / R))));
    for (let i = 0; i < Bk; i++) {
      const phi = f(i * theta);
      cos[i * R + k] = cos[i * R + h + k] = Math.cos(phi);
      sin[i * R + k] = sin[i * R + h + k] = Math.sin(phi);
    }
  }
  return { cos, sin };
}

class RopeChunks implements MoraOperator {
  private readonly wrap: tf.Tensor1D | null;
  private readonly out: tf.Tensor1D | null;
  private readonly cos: tf.Tensor2D; // (Bk, R)
  private readonly sin: tf.Tensor2D; // (Bk, R)

  constructor(private readonly g: MoraGeometry) {
    const period = g.Bk * g.R;
    this.wrap = g.p > 0 ? tf.keep(tf.tensor1d(wrapIndices(g), 'int32')) : null;
    this.out = g.m === period ? null : tf.keep(tf.tensor1d(tileIndices(g.m, period), 'int32'));
    const t = ropeTables(g.Bk, g.R);
    this.cos = tf.keep(tf.tensor2d(t.cos, [g.Bk, g.R]));
    this.sin = tf.keep(tf.tensor2d(t.sin, [g.Bk, g.R]));
  }

  forward(x: tf.Tensor2D, M: tf.Tensor2D): tf.Tensor2D {
    const { Bk, R } = this.g;
    const h = R / 2;
    return tf.tidy(() => {
      const N = x.shape[0];
      const padded = this.wrap ? tf.gather(x, this.wrap, 1) : x; // (N, Bk·R)
      const chunks = tf.reshape(padded, [N, Bk, R]); // (N, Bk, R)
      const rotated = tf.concat([tf.neg(tf.slice(chunks, [0, 0, h], [N, Bk, h])), tf.slice(chunks, [0, 0, 0], [N, Bk, h])], 2); // rot(x̃⁽ⁱ⁾)
      const z = tf.add(tf.mul(chunks, this.cos), tf.mul(rotated, this.sin)); // (N, Bk, R)
      const o = tf.matMul(tf.reshape(z, [N * Bk, R]) as tf.Tensor2D, M, false, true); // (N·Bk, R): M·z⁽ⁱ⁾ per chunk
      const flat = tf.reshape(o, [N, Bk * R]) as tf.Tensor2D; // (N, Bk·R) = [o⁽⁰⁾; …; o⁽ᴮᵏ⁻¹⁾]
      return this.out ? (tf.gather(flat, this.out, 1) as tf.Tensor2D) : flat; // (N, m)
    });
  }

  /**
   * ΔW (m, n): block i is G_i = M·Rot_i, column c of it is M[:, c]·cos_i[c] + M'[:, c]·sin_i[c] with
   * M' = [M[:, h..R−1], −M[:, 0..h−1]]; it fills rows iR…iR+R−1 and input columns (iR + c) mod n (the last
   * chunk's final p columns wrap round to inputs 0…p−1). Rows: 0…m−1 if m ≤ Bk·R, else t mod Bk·R.
   */
  deltaWeight(M: tf.Tensor2D): tf.Tensor2D {
    const { n, m, R, Bk } = this.g;
    const h = R / 2;
    return tf.tidy(() => {
      const Mp = tf.concat([tf.slice(M, [0, h], [R, h]), tf.neg(tf.slice(M, [0, 0], [R, h]))], 1); // M' (R, R)
      const G = tf.add(
        tf.mul(tf.expandDims(M, 0), tf.reshape(this.cos, [Bk, 1, R])),
        tf.mul(tf.expandDims(Mp, 0), tf.reshape(this.sin, [Bk, 1, R])),
      ); // (Bk, R, R): G[i] = M·Rot_i
      const blocks: tf.Tensor2D[] = [];
      for (let i = 0; i < Bk; i++) {
        const Gi = tf.reshape(tf.slice(G, [i, 0, 0], [1, R, R]), [R, R]) as tf.Tensor2D; // (R, R)
        const start = i * R;
        if (start + R <= n) {
          blocks.push(tf.pad(Gi, [[0, 0], [start, n - start - R]])); // (R, n)
        } else {
          const kept = n - start; // = R − p columns before the wrap
          blocks.push(tf.add(
            tf.pad(tf.slice(Gi, [0, 0], [R, kept]), [[0, 0], [start, 0]]),
            tf.pad(tf.slice(Gi, [0, kept], [R, R - kept]), [[0, 0], [0, n - (R - kept)]]),
          ));
        }
      }
      const wide = tf.concat(blocks, 0) as tf.Tensor2D; // W̃ (Bk·R, n)
      return this.out && m > Bk * R ? (tf.gather(wide, this.out, 0) as tf.Tensor2D) : tf.slice(wide, [0, 0], [m, n]); // (m, n)
    });
  }

  dispose(): void {
    for (const t of [this.wrap, this.out, this.cos, this.sin]) t?.dispose();
  }
}

export const ropeVariant: MoraVariant = {
  type: 6,
  name: 'RoPE-rotated chunks',
  evenRank: true,
  requirements(g) {
    return g.Bk >= 2 ? [] : ['in_features > r̂ (at least two input chunks; the reference cannot merge a single chunk)'];
  },
  create: (g) => new RopeChunks(g),
};
