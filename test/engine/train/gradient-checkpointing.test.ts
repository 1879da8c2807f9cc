// Gradient checkpointing (model/recompute.ts) changes memory, not maths: with the same seed and batch, the loss and
// every trainable gradient equal those of the ordinary backward pass (the reference, computed by tfjs's own autodiff
// of the whole forward) to float32 tolerance, for each method that trains through the decoder layers (LoRA with
// dropout, LoRA on a 4-bit NF4 base, MoRA, IA3 with feed-forward scaling, prefix tuning through its MLP, prompt
// tuning, full fine-tuning), on cpu and wasm. A checkpointed step leaks no tensor, and inference ignores the flag.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BaseSpecSchema, resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import type { BaseSpecInput } from '../../../src-shared/domain/base-spec';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { architectureFor } from '../../../src-main/engine/model/architectures/registry';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { parseModelConfig } from '../../../src-main/engine/model/config';
import { buildModel } from '../../../src-main/engine/model/load';
import { Rng } from '../../../src-main/engine/rng';
import type { LossBatch } from '../../../src-main/engine/train/loss';
import { lossTargets, summedNll } from '../../../src-main/engine/train/loss';
import { uniqueParams } from '../../../src-main/engine/train/step';
import { describeEachBackend } from '../../helpers/backends';

// GQA (4 heads over 2 kv heads), 3 layers so that a middle layer is both fed and read by recomputed layers.
const CONFIG = parseModelConfig({
  model_type: 'llama', vocab_size: 96, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 3,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, rms_norm_eps: 1e-6, tie_word_embeddings: false,
}, 'test');
const ARCH = architectureFor(CONFIG);

function model(base?: BaseSpecInput): CausalLM {
  const rng = new Rng(11);
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of ARCH.expectedWeights(CONFIG)) {
    const n = shape.reduce((a, b) => a * b, 1);
    w.set(name, { shape, data: name.endsWith('norm.weight') ? Float32Array.from(rng.normalArray(n, 0.1), (x) => 1 + x) : rng.normalArray(n, 0.15) });
  }
  return buildModel(CONFIG, ARCH, w, base ? { base: resolveBaseOptions(BaseSpecSchema.parse(base)) } : {});
}

/** Two rows of different lengths (padding in the second), every next token a target. */
function batch(): LossBatch {
  const B = 2;
  const T = 14;
  const rng = new Rng(5);
  const lengths = [14, 9];
  const inputIds = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-100);
  const positionIds = new Int32Array(B * T);
  const segmentIds = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) {
      const i = b * T + t;
      inputIds[i] = labels[i] = 1 + Math.floor(rng.uniform() * 95);
      positionIds[i] = t;
      segmentIds[i] = 1;
    }
  }
  return { batchSize: B, seqLen: T, inputIds, labels, positionIds, segmentIds };
}

const ROWS: [string, Record<string, unknown>, BaseSpecInput | undefined][] = [
  ['LoRA all-linear with dropout', { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.2, targetModules: 'all-linear' }, undefined],
  ['QLoRA: LoRA on q,v over a 4-bit NF4 base', { method: 'lora', r: 4, loraAlpha: 16, loraDropout: 0.1, targetModules: ['q_proj', 'v_proj'] }, { bits: 4 }],
  ['MoRA type 6', { method: 'mora', r: 8, moraType: 6, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, undefined],
  ['IA3 (k, v, feed-forward down)', { method: 'ia3' }, undefined],
  ['prefix tuning through its MLP', { method: 'prefix', numVirtualTokens: 3, prefixProjection: true }, undefined],
  ['prompt tuning', { method: 'prompt', numVirtualTokens: 3 }, undefined],
  ['full fine-tuning', { method: 'full' }, undefined],
];

interface Result { loss: number; grads: Float32Array[] }

async function lossAndGrads(m: CausalLM, vars: tf.Variable[], checkpoint: boolean): Promise<Result> {
  const b = batch();
  const targets = lossTargets(b);
  const ctx = { training: true, seed: 1234, gradientCheckpointing: checkpoint };
  const { value, grads } = tf.variableGrads(() => summedNll(m, b, targets, ctx), vars);
  const loss = (await value.data())[0];
  const out = await Promise.all(vars.map(async (v) => Float32Array.from(await grads[v.name].data())));
  value.dispose();
  tf.dispose(Object.values(grads));
  return { loss, grads: out };
}

describeEachBackend('gradient checkpointing gives the ordinary gradients', () => {
  for (const [name, raw, base] of ROWS) {
    it(`${name}: the same loss and gradients, and no tensor leaks`, async () => {
      const m = model(base);
      const method = adapterMethod(raw.method as string);
      const adapter = method.inject(m, method.parseConfig(raw, 'test'), { seed: 3 });
      const vars = [...uniqueParams(adapter.trainables()).values()];
      // Move every trainable away from its (often zero or identity) initial value so that no gradient is trivial.
      const noise = new Rng(9);
      for (const v of vars) tf.tidy(() => v.assign(tf.add(v, tf.tensor(noise.normalArray(v.size, 0.05), v.shape))));

      const reference = await lossAndGrads(m, vars, false);
      const before = tf.memory().numTensors;
      const checkpointed = await lossAndGrads(m, vars, true);
      expect(tf.memory().numTensors).toBe(before);

      expect(checkpointed.loss).toBeCloseTo(reference.loss, 4);
      expect(Math.abs(checkpointed.loss - reference.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(reference.loss));
      let scale = 0;
      for (const g of reference.grads) for (const x of g) scale = Math.max(scale, Math.abs(x));
      expect(scale).toBeGreaterThan(1e-3);
      reference.grads.forEach((g, i) => {
        expect(checkpointed.grads[i].length).toBe(g.length);
        let worst = 0;
        for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(checkpointed.grads[i][j] - g[j]));
        expect(worst, `${vars[i].name}`).toBeLessThanOrEqual(1e-5 * scale);
      });
      adapter.remove();
      m.dispose();
    });
  }
}, { backends: ['cpu', 'wasm'] });

describe('gradient checkpointing outside training', () => {
  it('leaves an inference forward unchanged (the flag only acts while training)', async () => {
    const m = model();
    const b = batch();
    const input = { inputIds: b.inputIds, batchSize: b.batchSize, seqLen: b.seqLen, positionIds: b.positionIds, segmentIds: b.segmentIds };
    const plain = m.logits(input);
    const flagged = m.logits(input, { training: false, seed: 0, gradientCheckpointing: true });
    expect(Array.from(await flagged.data())).toEqual(Array.from(await plain.data()));
    tf.dispose([plain, flagged]);
    m.dispose();
  });
});
