// MoRA's maths (peft-spec §3): r̂, every compression/decompression type against hand-computed outputs, ΔW·x equal
// to the forward on odd shapes on every backend (and gradients through the forward), the shape constraints
// refused at plan time with the module named, trainable counts r̂² per module derived by hand, the fork's
// adapter_config.json, and ReMoRA's restarts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterMethod, methodForPeftConfig } from '../../../src-main/engine/adapters/index';
import { isLoraPeftConfig } from '../../../src-main/engine/adapters/lora/io';
import { pythonJsonDumps } from '../../../src-main/engine/adapters/peft-json';
import type { MoraAdapter } from '../../../src-main/engine/adapters/mora/adapter';
import { moraGeometry, moraRank } from '../../../src-main/engine/adapters/mora/geometry';
import { ropeTables } from '../../../src-main/engine/adapters/mora/rope';
import { moraVariant } from '../../../src-main/engine/adapters/mora/variants';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { loadModel, readModelInfo } from '../../../src-main/engine/model/load';
import { planParameters } from '../../../src-main/engine/plan/params';
import { Rng } from '../../../src-main/engine/rng';
import { describeEachBackend, toArray } from '../../helpers/backends';
import { writeTinyModel } from '../../helpers/tiny-model';
import { expectPeftError } from '../train/helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-mora-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));


const countOf = (tensors: { shape: number[]; aliasOf?: string }[]) => tensors.filter((t) => !t.aliasOf).reduce((s, t) => s + t.shape[0] * t.shape[1], 0);

/** Largest |value| of a tensor (for relative tolerances). */
async function maxAbs(t: tf.Tensor): Promise<number> {
  const a = tf.max(tf.abs(t));
  const v = (await a.data())[0];
  a.dispose();
  return v;
}

/** W of a frozen layer as plain numbers, through materialize() (base formats may be packed). */
async function weightOf(layer: { base: { weight: { materialize(): tf.Tensor2D } } }): Promise<number[]> {
  const w = layer.base.weight.materialize();
  const out = await toArray(w);
  w.dispose();
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs one type's forward and ΔW on an explicit side R (not derived from r) so hand examples stay small. */
async function apply(type: number, n: number, m: number, R: number, M: number[][], x: number[]): Promise<{ y: number[]; dW: number[] }> {
  const op = moraVariant(type).create(moraGeometry(n, m, R));
  const Mt = tf.tensor2d(M);
  const y = op.forward(tf.tensor2d([x]), Mt);
  const dW = op.deltaWeight(Mt);
  const out = { y: await toArray(y), dW: await toArray(dW) };
  tf.dispose([Mt, y, dW]);
  op.dispose();
  return out;
}

describe('r̂ (peft-spec §3.1)', () => {
  it('is ⌊√((n+m)·r) + 0.5⌋, rounded down to even for type 6', () => {
    expect(moraRank(3200, 3200, 8, false)).toBe(226); // √51200 = 226.274 → 226
    expect(moraRank(3200, 3200, 8, true)).toBe(226); // already even
    expect(moraRank(3200, 8640, 8, false)).toBe(308); // √94720 = 307.766 → 308
    expect(moraRank(3200, 8640, 8, true)).toBe(308);
    expect(moraRank(4, 3, 1, false)).toBe(3); // √7 = 2.646 → 3 (rounds up)
    expect(moraRank(3, 3, 1, false)).toBe(2); // √6 = 2.449 → 2
    expect(moraRank(16, 8, 2, false)).toBe(7); // √48 = 6.928 → 7
    expect(moraRank(16, 8, 2, true)).toBe(6); // 7 → 6 for type 6
  });
});

// Hand examples: n = 5 inputs, m = 5 outputs, R = 2, x = [1, 2, 3, 4, 5], M = [[1, 2], [3, 4]].
//   Wrap padding: Bk = 3 chunks, p = 1, x̃ = [1, 2, 3, 4, 5, 1]; chunk sum c = [1+3+5, 2+4+1] = [9, 7].
//   Grouped sum: ρ = 5 mod 2 = 1 group of 3 then 1 group of 2: c = [1+2+3, 4+5] = [6, 9].
//   M·[9, 7] = [1·9 + 2·7, 3·9 + 4·7] = [23, 55];  M·[6, 9] = [6 + 18, 18 + 36] = [24, 54].
//   Tile (t mod 2): [o0, o1, o0, o1, o0].  Repeat-interleave: ρ_out = 1 entry 3 times, then 1 entry 2 times: [o0, o0, o0, o1, o1].
const M22 = [[1, 2], [3, 4]];
const X5 = [1, 2, 3, 4, 5];

describe('types 1–4 by hand (n = m = 5, R = 2)', () => {
  it.each([
    [1, [23, 55, 23, 55, 23]],
    [2, [24, 24, 24, 54, 54]],
    [3, [24, 54, 24, 54, 24]],
    [4, [23, 23, 23, 55, 55]],
  ])('type %i', async (type, expected) => {
    const { y } = await apply(type, 5, 5, 2, M22, X5);
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
  });

  it('type 1 ΔW = D·M·C with the wrap-around counts', async () => {
    // C (2, 5): i = 0…5 lands in row i mod 2, column i mod 5: (0,0) (1,1) (0,2) (1,3) (0,4) (1,0) →
    //   C = [[1,0,1,0,1], [1,1,0,1,0]];  M·C = [[1+2, 2, 1, 2, 1], [3+4, 4, 3, 4, 3]] = [[3,2,1,2,1], [7,4,3,4,3]].
    // D tiles rows t mod 2, so ΔW rows are r0, r1, r0, r1, r0 (and r0·x = 23, r1·x = 55 as above).
    const r0 = [3, 2, 1, 2, 1];
    const r1 = [7, 4, 3, 4, 3];
    const { dW } = await apply(1, 5, 5, 2, M22, X5);
    expect(maxAbsDiff(dW, [...r0, ...r1, ...r0, ...r1, ...r0])).toBeLessThan(1e-6);
  });

  it('type 2 ΔW: groups of inputs and outputs', async () => {
    // C = [[1,1,1,0,0], [0,0,0,1,1]];  M·C = [[1,1,1,2,2], [3,3,3,4,4]];  D repeats row 0 three times, row 1 twice.
    const a = [1, 1, 1, 2, 2];
    const b = [3, 3, 3, 4, 4];
    const { dW } = await apply(2, 5, 5, 2, M22, X5);
    expect(maxAbsDiff(dW, [...a, ...a, ...a, ...b, ...b])).toBeLessThan(1e-6);
  });
});

describe('type 6 by hand (RoPE chunks, R = 2: h = 1, θ0 = 1/10000⁰ = 1, chunk i turns by i rad)', () => {
  // rot([a, b]) = [−b, a]; z⁽ⁱ⁾ = x̃⁽ⁱ⁾·cos i + rot(x̃⁽ⁱ⁾)·sin i; cos 1 = 0.5403023, sin 1 = 0.8414710, cos 2 = −0.4161468, sin 2 = 0.9092974.
  it('n = m = 5: chunks [1,2] [3,4] [5,1], output truncated to 5', async () => {
    // z0 = [1, 2] → M·z0 = [5, 11]
    // z1 = [3c1 − 4s1, 4c1 + 3s1] = [−1.7449770, 4.6856222] → M·z1 = [7.6262673, 13.5075576]
    // z2 = [5c2 − s2, c2 + 5s2] = [−2.9900316, 4.1303403] → M·z2 = [5.2706490, 7.5512664]
    // õ = [5, 11, 7.6262673, 13.5075576, 5.2706490, 7.5512664] → first 5.
    const { y } = await apply(6, 5, 5, 2, M22, X5);
    expect(maxAbsDiff(y, [5, 11, 7.6262673, 13.5075576, 5.2706490])).toBeLessThan(1e-5);
  });

  it('n = 3, m = 6: two chunks [1,2] [3,1], output tiled over Bk·R = 4', async () => {
    // z1 = [3c1 − s1, c1 + 3s1] = [0.7794359, 3.0647153] → M·z1 = [6.9088665, 14.5971688]; õ = [5, 11, 6.909, 14.597], y_t = õ_{t mod 4}.
    const { y, dW } = await apply(6, 3, 6, 2, M22, [1, 2, 3]);
    expect(maxAbsDiff(y, [5, 11, 6.9088665, 14.5971688, 5, 11])).toBeLessThan(1e-5);
    // Block 0 (rows 0, 1) is M itself on columns 0, 1; block 1 (rows 2, 3) is G1 = M·Rot1 with column c at input
    // (2 + c) mod 3: G1[:, c] = M[:, c]·c1 + M'[:, c]·s1, M' = [M[:, 1], −M[:, 0]] = [[2, −1], [4, −3]]:
    //   G1 = [[c1 + 2s1, 2c1 − s1], [3c1 + 4s1, 4c1 − 3s1]] = [[2.2232443, 0.2391336], [4.9867908, −0.3632038]];
    //   column 0 → input 2, column 1 wraps to input 0. Rows 4, 5 repeat rows 0, 1.
    //   Check against y: row 2 · [1, 2, 3] = 0.2391336 + 3·2.2232443 = 6.9088665; row 3: −0.3632038 + 3·4.9867908 = 14.5971686.
    const rows = [[1, 2, 0], [3, 4, 0], [0.2391336, 0, 2.2232443], [-0.3632038, 0, 4.9867908]];
    expect(maxAbsDiff(dW, [...rows.flat(), ...rows[0], ...rows[1]])).toBeLessThan(1e-6);
  });

  it('cos/sin tables: half-duplicated, θ_k = 1/10000^(2k/R), chunk 0 unrotated', () => {
    // R = 4: θ0 = 1, θ1 = 1/10000^(1/2) = 0.01. Chunk 1 angles [1, 0.01, 1, 0.01].
    const { cos, sin } = ropeTables(2, 4);
    expect(Array.from(cos.slice(0, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(sin.slice(0, 4))).toEqual([0, 0, 0, 0]);
    expect(maxAbsDiff(cos.slice(4), [0.5403023, 0.99995, 0.5403023, 0.99995])).toBeLessThan(1e-6); // cos 0.01 = 0.99995000
    expect(maxAbsDiff(sin.slice(4), [0.8414710, 0.00999983, 0.8414710, 0.00999983])).toBeLessThan(1e-6); // sin 0.01 = 0.00999983
  });
});

// Odd shapes (n, m, r) → r̂ (type 6 even), Bk = ⌈n/r̂⌉, p = Bk·r̂ − n:
//   (64, 96, 2): √320 = 17.9 → 18, Bk 4, p 8     (100, 40, 3): √420 = 20.5 → 20, Bk 5, p 0 (n > m)
//   (50, 50, 1): √100 = 10, Bk 5, p 0             (37, 91, 2): √256 = 16, Bk 3, p 11 (m > Bk·r̂: type 6 tiles)
//   (96, 64, 4): √640 = 25.3 → 25 (type 6: 24), p 4 (type 6: 0)
//   (100, 30, 2): √260 = 16.1 → 16, Bk 7, p 12 (n > m and n not a multiple of r̂, for type 6)
const SHAPES: [number, number, number][] = [[64, 96, 2], [100, 40, 3], [50, 50, 1], [37, 91, 2], [96, 64, 4], [100, 30, 2]];

describeEachBackend('MoRA ΔW·x equals the forward', () => {
  for (const type of [1, 2, 3, 4, 6]) {
    it(`type ${type} on odd shapes, and gradients flow through the forward`, async () => {
      const rng = new Rng(type);
      for (const [n, m, r] of SHAPES) {
        const v = moraVariant(type);
        const g = moraGeometry(n, m, moraRank(n, m, r, v.evenRank));
        expect(v.requirements(g)).toEqual([]);
        const op = v.create(g);
        const M = tf.tensor2d(rng.normalArray(g.R * g.R, 1), [g.R, g.R]);
        const x = tf.tensor2d(rng.normalArray(3 * n, 1), [3, n]);
        const gy = tf.tensor2d(rng.normalArray(3 * m, 1), [3, m]);
        const y = op.forward(x, M); // (3, m)
        const dW = op.deltaWeight(M); // (m, n)
        const viaW = tf.matMul(x, dW, false, true);
        expect(maxAbsDiff(await toArray(y), await toArray(viaW)) / (await maxAbs(viaW)), `type ${type} (${n}, ${m}, ${r})`).toBeLessThan(1e-5);
        // L = Σ gy ⊙ y is linear in x and in M: dL/dx = gy·ΔW, and Σ dL/dM ⊙ M = L.
        const { grads, value } = tf.valueAndGrads((xi: tf.Tensor, Mi: tf.Tensor) => tf.sum(tf.mul(op.forward(xi as tf.Tensor2D, Mi as tf.Tensor2D), gy)))([x, M]);
        const expectDx = tf.matMul(gy, dW);
        expect(maxAbsDiff(await toArray(grads[0]), await toArray(expectDx)) / (await maxAbs(expectDx))).toBeLessThan(1e-5);
        const L = (await value.data())[0];
        const dotM = tf.sum(tf.mul(grads[1], M));
        expect(Math.abs((await dotM.data())[0] - L)).toBeLessThan(1e-4 * Math.max(1, Math.abs(L)));
        dotM.dispose();
        op.dispose();
        tf.dispose([M, x, gy, y, dW, viaW, expectDx, value, ...grads]);
      }
    });
  }
}, { backends: ['cpu', 'wasm', 'webgpu'] });

// OpenLLaMA-3B (H 3200, I 8640, 26 layers, 32 heads, no GQA): q/k/v/o 3200→3200: r̂ = 226 (226² = 51,076);
// gate/up 3200→8640 and down 8640→3200: r̂ = 308 (308² = 94,864), both even so type 6 is the same.
//   q,v:        26 · 2 · 51,076 = 2,655,952
//   all-linear: 26 · (4 · 51,076 + 3 · 94,864) = 26 · 488,896 = 12,711,296
// all params = 3,426,473,600 + trainable; the % strings were computed with Python's f"{x:.4f}".
describe('trainable counts and plan-time refusals', () => {
  const card = path.resolve(__dirname, '../../../resources/model-cards/open_llama_3b_v2');
  const mora = adapterMethod('mora');
  const report = async (cfg: Record<string, unknown>) => planParameters(await readModelInfo(card), mora, mora.parseConfig(cfg, 'method'));

  it.each([
    [{ r: 8 }, 'trainable params: 2,655,952 || all params: 3,429,129,552 || trainable%: 0.0775'],
    [{ r: 8, moraType: 6, targetModules: ['q_proj', 'v_proj'] }, 'trainable params: 2,655,952 || all params: 3,429,129,552 || trainable%: 0.0775'],
    [{ r: 8, targetModules: 'all-linear' }, 'trainable params: 12,711,296 || all params: 3,439,184,896 || trainable%: 0.3696'],
    [{ r: 8, moraType: 6, targetModules: 'all-linear' }, 'trainable params: 12,711,296 || all params: 3,439,184,896 || trainable%: 0.3696'],
  ])('OpenLLaMA-3B %j', async (cfg, line) => {
    const r = await report(cfg);
    expect(r.line).toBe(line);
    // Each module saves M twice (lora_A and lora_B, [r̂, r̂]); the second is an alias and not counted.
    const q = r.tensors.filter((t) => t.module === 'model.layers.0.self_attn.q_proj');
    expect(q.map((t) => [t.key, t.shape, t.aliasOf])).toEqual([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', [226, 226], undefined],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', [226, 226], 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'],
    ]);
  });

  // Tiny model (H 16, 2 kv heads of 4): k_proj 16→8. r = 4: r̂ = ⌊√96 + 0.5⌋ = 10 > 8 outputs, so types 2 and 4
  // (repeat-interleave) cannot give every entry an output. q_proj 16→16 with r = 8: r̂ = √256 = 16 = n, one chunk.
  let tiny: string;
  beforeAll(async () => {
    tiny = path.join(root, 'meta');
    fs.mkdirSync(tiny);
    fs.writeFileSync(path.join(tiny, 'config.json'), JSON.stringify({
      model_type: 'llama', vocab_size: 64, hidden_size: 16, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
    }));
  });
  const tinyPlan = async (cfg: Record<string, unknown>) => mora.plan(await readModelInfo(tiny), mora.parseConfig(cfg, 'method'));

  it('refuses a type the module shape cannot take, naming the module', async () => {
    await expectPeftError(() => tinyPlan({ r: 4, moraType: 2, targetModules: 'all-linear' }), 'RANK_TOO_LARGE',
      'model.layers.0.self_attn.k_proj', 'r̂ = 10', 'out_features ≥ r̂');
    await expectPeftError(() => tinyPlan({ r: 8, moraType: 6, targetModules: ['q_proj'] }), 'RANK_TOO_LARGE',
      'model.layers.0.self_attn.q_proj', 'two input chunks');
    expect(countOf(await tinyPlan({ r: 4, moraType: 1, targetModules: 'all-linear' }))).toBeGreaterThan(0); // type 1 fits every shape
    // ReMoRA reaches types 2–4, so a cycle is checked whole before training starts.
    await expectPeftError(() => tinyPlan({ r: 4, targetModules: 'all-linear', remora: { every: 5 } }), 'RANK_TOO_LARGE', 'k_proj', 'MoRA type 2');
    await expectPeftError(() => tinyPlan({ moraType: 6, remora: { every: 5 } }), 'SPEC_INVALID', 'moraType');
  });
});


describe('adapter_config.json as the MoRA fork writes it', () => {
  it('is a LoRA config with use_mora, mora_type and the user\'s r; only the MoRA method claims it', async () => {
    const info = await readModelInfo(path.resolve(__dirname, '../../../resources/model-cards/open_llama_3b_v2'));
    const mora = adapterMethod('mora');
    const json = mora.peftConfig(info, mora.parseConfig({ r: 8, moraType: 6, loraDropout: 0.05 }, 'method'), 'openlm-research/open_llama_3b_v2');
    expect(json).toMatchObject({ peft_type: 'LORA', use_mora: true, mora_type: 6, r: 8, target_modules: ['q_proj', 'v_proj'], use_dora: false, bias: 'none' });
    const roundTrip = JSON.parse(pythonJsonDumps(json)) as Record<string, unknown>;
    expect(isLoraPeftConfig(roundTrip)).toBe(false);
    expect(methodForPeftConfig(roundTrip, 'adapter_config.json').name).toBe('mora');
    expect(mora.fromPeftConfig(roundTrip, 'adapter_config.json')).toMatchObject({ r: 8, moraType: 6, loraDropout: 0.05 });
    await expectPeftError(() => mora.fromPeftConfig({ ...roundTrip, mora_type: 5 }, 'x.json'), 'ADAPTER_INVALID', 'mora_type 5');
  });
});

describeEachBackend('ReMoRA restarts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = (await writeTinyModel(path.join(root, `remora-${Math.random()}`), { seed: 4 })).dir;
  });
  const IDS = Int32Array.from([1, 9, 33, 4, 60, 2]);
  const logits = async (model: CausalLM) => {
    const t = model.logits({ inputIds: IDS, batchSize: 1, seqLen: IDS.length });
    const d = await toArray(t);
    t.dispose();
    return d;
  };

  it('every N updates fold ΔW into the base, zero M and move 1→2→3→4→1; the output does not change', async () => {
    const model = await loadModel(dir);
    const method = adapterMethod('mora');
    const adapter = method.inject(model, method.parseConfig({ r: 1, targetModules: 'all-linear', remora: { every: 2, types: 4 } }, 'method'), { seed: 1 }) as MoraAdapter;
    try {
      const rng = new Rng(2);
      const q = adapter.wrapped().get('model.layers.0.self_attn.q_proj')!;
      const randomise = () => {
        for (const v of new Set(adapter.trainables().values())) tf.tidy(() => v.assign(tf.tensor(rng.normalArray(v.size, 0.3), v.shape)));
      };
      randomise();
      await logits(model); // the first forward caches RoPE tables
      const tensorsAtStart = tf.memory().numTensors;
      for (const [i, expected] of [2, 3, 4, 1].entries()) {
        if (i > 0) randomise();
        const before = await logits(model);
        const qBase = await weightOf(q);
        expect(adapter.onStepEnd(2 * i + 1)).toBeUndefined(); // odd updates: nothing happens
        expect(adapter.onStepEnd(2 * i + 2)).toEqual({ resetOptimizer: true });
        expect(adapter.config.moraType).toBe(expected);
        expect(q.variant.type).toBe(expected);
        expect(await toArray(q.M)).toEqual(new Array(q.M.size).fill(0));
        expect(maxAbsDiff(await weightOf(q), qBase)).toBeGreaterThan(1e-3); // ΔW now lives in W
        expect(maxAbsDiff(await logits(model), before)).toBeLessThan(1e-4);
      }
      expect(tf.memory().numTensors).toBe(tensorsAtStart); // back at type 1: every replaced weight and operator freed
    } finally {
      adapter.remove();
      model.dispose();
    }
  });

  it('refuses to continue a run resumed after a restart (the merged ΔW is not in any checkpoint)', async () => {
    const model = await loadModel(dir);
    const method = adapterMethod('mora');
    const cfg = method.parseConfig({ r: 1, remora: { every: 3, types: 2 } }, 'method');
    const early = method.inject(model, cfg, { seed: 1 }) as MoraAdapter;
    expect(early.onStepEnd(3)).toEqual({ resetOptimizer: true }); // resumed from update 2: no restart before it
    expect(early.config.moraType).toBe(2);
    early.remove();
    const late = method.inject(model, cfg, { seed: 1 }) as MoraAdapter;
    await expectPeftError(() => late.onStepEnd(5), 'RESUME_MISMATCH', 'update 4');
    late.remove();
    model.dispose();
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
