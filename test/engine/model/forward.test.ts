// The forward pass against an independent float64 reference (test/helpers/reference-llama.ts), on every
// backend: GQA, F16/BF16 storage, sharded checkpoints, tied embeddings, Qwen2 biases; and the KV cache gives
// the same logits as one full pass.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { KVCache } from '../../../src-main/engine/model/kv-cache';
import { loadModel } from '../../../src-main/engine/model/load';
import { describeEachBackend } from '../../helpers/backends';
import { referenceLogits } from '../../helpers/reference-llama';
import type { TinyModelOptions } from '../../helpers/tiny-model';
import { writeTinyModel } from '../../helpers/tiny-model';

const IDS = [1, 17, 42, 5, 63, 8, 8, 30, 2, 11];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-forward-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const CASES: Array<{ name: string; opts: TinyModelOptions }> = [
  { name: 'llama GQA (4 heads, 2 kv heads), F32', opts: { numHeads: 4, numKvHeads: 2 } },
  { name: 'llama MHA, F16 weights', opts: { numHeads: 4, numKvHeads: 4, dtype: 'F16', seed: 2 } },
  { name: 'llama GQA, BF16 weights, 3 shards', opts: { numKvHeads: 1, dtype: 'BF16', shards: 3, seed: 3 } },
  { name: 'llama tied embeddings, rope_theta 500000', opts: { tie: true, ropeTheta: 500000, seed: 4 } },
  { name: 'qwen2 with q/k/v biases', opts: { modelType: 'qwen2', seed: 5 } },
  { name: 'llama attention_bias (q/k/v/o biases)', opts: { attentionBias: true, seed: 6 } },
];

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

describeEachBackend('LLaMA forward vs float64 reference', (backend) => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = path.join(root, `${backend}-${c.name.replace(/\W+/g, '-')}`);
      const tiny = await writeTinyModel(dir, c.opts);
      const model = await loadModel(dir);
      try {
        const logits = model.logits({ inputIds: Int32Array.from(IDS), batchSize: 1, seqLen: IDS.length });
        const got = await logits.data();
        logits.dispose();
        const want = referenceLogits(tiny.config, tiny.weights, IDS);
        expect(got.length).toBe(want.length);
        expect(maxRelErr(got, want)).toBeLessThan(2e-5);
      } finally {
        model.dispose();
      }
    });
  }

  let model: CausalLM;
  beforeAll(async () => {
    model = await loadModel((await writeTinyModel(path.join(root, `${backend}-cache`), { seed: 9 })).dir);
  });
  afterAll(() => model.dispose());

  it('decoding with the KV cache gives the logits of a full pass, position by position', async () => {
    const full = model.logits({ inputIds: Int32Array.from(IDS), batchSize: 1, seqLen: IDS.length });
    const fullData = await full.data();
    full.dispose();
    const V = model.config.vocabSize;
    const cache = new KVCache(model.config.numHiddenLayers, 1);
    const before = tf.memory().numTensors;
    // Prefill 4 tokens, then one at a time.
    const chunks = [IDS.slice(0, 4), ...IDS.slice(4).map((i) => [i])];
    let pos = 0;
    for (const chunk of chunks) {
      const l = model.logits({ inputIds: Int32Array.from(chunk), batchSize: 1, seqLen: chunk.length, cache });
      const d = await l.data();
      l.dispose();
      const want = fullData.subarray(pos * V, (pos + chunk.length) * V);
      expect(maxRelErr(d, want)).toBeLessThan(1e-5);
      pos += chunk.length;
    }
    expect(cache.length).toBe(IDS.length);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('two sequences packed in one row do not see each other (segment mask, positions restart)', async () => {
    const a = [1, 5, 9, 13];
    const b = [1, 7, 3];
    const packed = model.logits({
      inputIds: Int32Array.from([...a, ...b]), batchSize: 1, seqLen: 7,
      positionIds: Int32Array.from([0, 1, 2, 3, 0, 1, 2]),
      segmentIds: Int32Array.from([1, 1, 1, 1, 2, 2, 2]),
    });
    const alone = model.logits({ inputIds: Int32Array.from(b), batchSize: 1, seqLen: 3 });
    const V = model.config.vocabSize;
    const p = await packed.data();
    const s = await alone.data();
    expect(maxRelErr(p.subarray(4 * V), s)).toBeLessThan(1e-5);
    tf.dispose([packed, alone]);
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
