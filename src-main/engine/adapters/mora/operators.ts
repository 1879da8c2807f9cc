// MoRA's compression (n inputs → R) and decompression (R → m outputs) operators of types 1–4 (peft-spec §3.3,
// §3.4; MoRA fork `_apply_mora`, `get_delta_weight`). Each operator exists twice, kept side by side so they cannot
// drift apart: as tensor ops for the forward (gather / reshape / sum / slice / concat, which have gradients on every
// backend) and as the constant matrix C (R, n) or D (m, R) that the merge multiplies out, ΔW = D·M·C.
// Legend: N rows, n in_features, m out_features, R = r̂, Bk = ⌈n/R⌉ chunks, p wrap padding, q/ρ quotient/remainder.
import * as tf from '@tensorflow/tfjs';
import type { MoraGeometry } from './geometry';
import { groupOf, tileIndices, wrapIndices } from './geometry';

/** One module's compression or decompression, holding the constant index tensors its forward needs. */
export interface MoraMap {
  /** Compression: (N, n) → (N, R); decompression: (N, R) → (N, m). */
  apply(x: tf.Tensor2D): tf.Tensor2D;
  /** The same map as a matrix: C (R, n) for a compression, D (m, R) for a decompression; caller disposes. */
  matrix(): tf.Tensor2D;
  dispose(): void;
}

export interface MoraMapKind {
  readonly name: string;
  /** What the module's shape lacks for this map (peft-spec §3.4), or null. */
  requirement(g: MoraGeometry): string | null;
  create(g: MoraGeometry): MoraMap;
}

const indexTensor = (idx: Int32Array): tf.Tensor1D => tf.keep(tf.tensor1d(idx, 'int32'));

/** Types 1, 4: x̃_j = x_{j mod n} (j < Bk·R), c_k = Σ_i x̃_{i·R + k}. C[k, j] counts the i < Bk·R with i mod R = k, i mod n = j. */
export const chunkSum: MoraMapKind = {
  name: 'chunk sum with wrap-around padding',
  requirement: () => null,
  create(g) {
    const wrap = g.p > 0 ? indexTensor(wrapIndices(g)) : null;
    return {
      apply: (x) => tf.tidy(() => {
        const padded = wrap ? tf.gather(x, wrap, 1) : x; // (N, Bk·R)
        return tf.sum(tf.reshape(padded, [x.shape[0], g.Bk, g.R]), 1); // (N, Bk, R) → (N, R)
      }),
      matrix() {
        const c = new Float32Array(g.R * g.n); // (R, n)
        for (let i = 0; i < g.Bk * g.R; i++) c[(i % g.R) * g.n + (i % g.n)] += 1;
        return tf.tensor2d(c, [g.R, g.n]);
      },
      dispose: () => wrap?.dispose(),
    };
  },
};

/** Types 2, 3: R contiguous groups, the first ρ of q + 1 inputs, the rest of q; c_k = sum of group k. C[k, j] = [j ∈ group k]. */
export const groupedSum: MoraMapKind = {
  name: 'contiguous grouped sum',
  requirement: (g) => (g.qIn >= 1 ? null : `in_features ≥ r̂ (each of the r̂ groups needs at least one input)`),
  create(g) {
    const { R, qIn: q, rhoIn: rho } = g;
    const big = rho * (q + 1); // inputs in the larger groups
    return {
      apply: (x) => tf.tidy(() => {
        const N = x.shape[0];
        const small = tf.sum(tf.reshape(tf.slice(x, [0, big], [N, (R - rho) * q]), [N, R - rho, q]), 2); // (N, R−ρ)
        if (rho === 0) return small as tf.Tensor2D;
        const large = tf.sum(tf.reshape(tf.slice(x, [0, 0], [N, big]), [N, rho, q + 1]), 2); // (N, ρ)
        return tf.concat([large, small], 1) as tf.Tensor2D; // (N, R)
      }),
      matrix() {
        const group = groupOf(g.n, R);
        const c = new Float32Array(R * g.n); // (R, n)
        group.forEach((k, j) => { c[k * g.n + j] = 1; });
        return tf.tensor2d(c, [R, g.n]);
      },
      dispose: () => undefined,
    };
  },
};

/** Types 1, 3: y_t = o_{t mod R}. D[t, k] = [k = t mod R]. */
export const tile: MoraMapKind = {
  name: 'tile',
  requirement: () => null,
  create(g) {
    const idx = g.m === g.R ? null : indexTensor(tileIndices(g.m, g.R));
    return {
      apply: (o) => (idx ? tf.tidy(() => tf.gather(o, idx, 1) as tf.Tensor2D) : o), // (N, R) → (N, m)
      matrix() {
        const d = new Float32Array(g.m * g.R); // (m, R)
        for (let t = 0; t < g.m; t++) d[t * g.R + (t % g.R)] = 1;
        return tf.tensor2d(d, [g.m, g.R]);
      },
      dispose: () => idx?.dispose(),
    };
  },
};

/** Types 2, 4: o_k repeated q + 1 times for k < ρ, q times otherwise, in order. D[t, k] = [output t is in repeat group k]. */
export const repeatInterleave: MoraMapKind = {
  name: 'repeat-interleave',
  requirement: (g) => (g.qOut >= 1 ? null : `out_features ≥ r̂ (each entry of M's output must reach at least one output)`),
  create(g) {
    const group = groupOf(g.m, g.R);
    const idx = indexTensor(group);
    return {
      apply: (o) => tf.tidy(() => tf.gather(o, idx, 1) as tf.Tensor2D), // (N, R) → (N, m)
      matrix() {
        const d = new Float32Array(g.m * g.R); // (m, R)
        group.forEach((k, t) => { d[t * g.R + k] = 1; });
        return tf.tensor2d(d, [g.m, g.R]);
      },
      dispose: () => idx.dispose(),
    };
  },
};
