// MoRA and IA3 as a table (PEFT's TEST_CASES style, like lora.test.ts): one row per config, the same assertions
// for each, on every backend — the fresh adapter is a no-op, the trainable count equals the hand-derived one,
// disabling restores the base, save → load reproduces the outputs, a training step changes only adapter tensors
// and leaks nothing, merged equals unmerged, and the loss falls over a few updates on a tiny instruction set.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MethodConfigInput } from '../../../src-shared/domain/methods';
import { RunSpecSchema } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { loadAdapter, saveAdapter } from '../../../src-main/engine/adapters/io';
import type { InjectedAdapter } from '../../../src-main/engine/adapters/types';
import type { BackendName } from '../../../src-main/engine/backends/index';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import type { FrozenLinear } from '../../../src-main/engine/model/linear';
import { loadModel } from '../../../src-main/engine/model/load';
import { planParameters } from '../../../src-main/engine/plan/params';
import { Rng } from '../../../src-main/engine/rng';
import type { Batch } from '../../../src-main/engine/train/batching';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';
import { runTraining } from '../../../src-main/engine/train/trainer';
import { describeEachBackend } from '../../helpers/backends';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../../helpers/tiny-tokenizer';
import { writeTinyModel } from '../../helpers/tiny-model';

// Tiny model: H = 16, I = 40, 2 layers, 4 heads of 4, 2 kv heads → q/o 16→16, k/v 16→8, gate/up 16→40, down 40→16.
// MoRA r̂ = ⌊√((n+m)·r) + 0.5⌋ (type 6: down to even), trainable r̂² per module:
//   q,v r=2:        q √64 = 8 → 64; v √48 = 6.93 → 7 → 49 (type 6: 6 → 36).  × 2 layers: 226 (type 6: 200).
//   all-linear r=1: q, o √32 = 5.66 → 6 (36); k, v √24 = 4.90 → 5 (25; type 6: 4 → 16); gate, up, down √56 = 7.48 → 7
//                   (49; type 6: 6 → 36). Per layer 2·36 + 2·25 + 3·49 = 269 (type 6: 2·36 + 2·16 + 3·36 = 212); × 2: 538 (424).
//   Every type fits these shapes: groups need n ≥ r̂ (n = 16 or 40 ≥ 8), repeat-interleave m ≥ r̂ (m ≥ 8 ≥ 7),
//   type 6 at least two chunks (k: 16 inputs / 4 = 4 chunks).
// IA3 (output scale l (m, 1); feed-forward input scale l (1, n)):
//   defaults (k, v, down; down feed-forward): 8 + 8 + 40 = 56 per layer, × 2 = 112.
//   all-linear, down feed-forward: q 16 + k 8 + v 8 + o 16 + gate 40 + up 40 + down 40 = 168 per layer, × 2 = 336.
interface Row { name: string; cfg: MethodConfigInput; trainable: number }
const MORA_QV = (t: 1 | 2 | 3 | 4 | 6): Row => ({ name: `MoRA type ${t} q,v r=2`, cfg: { method: 'mora', r: 2, moraType: t, targetModules: ['q_proj', 'v_proj'] }, trainable: t === 6 ? 200 : 226 });
const MORA_ALL = (t: 1 | 2 | 3 | 4 | 6): Row => ({ name: `MoRA type ${t} all-linear r=1`, cfg: { method: 'mora', r: 1, moraType: t, targetModules: 'all-linear' }, trainable: t === 6 ? 424 : 538 });
const ROWS: Row[] = [
  ...([1, 2, 3, 4, 6] as const).map(MORA_QV),
  ...([1, 2, 3, 4, 6] as const).map(MORA_ALL),
  { name: 'IA3 defaults (k, v, down feed-forward)', cfg: { method: 'ia3' }, trainable: 112 },
  { name: 'IA3 all-linear, down_proj feed-forward', cfg: { method: 'ia3', targetModules: 'all-linear', feedforwardModules: ['down_proj'] }, trainable: 336 },
];

const RECORDS = [
  { q: 'capital of France?', a: 'Paris.' },
  { q: 'two plus two?', a: 'four' },
  { q: 'colour of the sky?', a: 'blue, mostly' },
  { q: 'opposite of hot?', a: 'cold' },
];
const IDS = Int32Array.from([1, 9, 33, 4, 260, 2, 17, 8]);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-methods-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function logits(model: CausalLM): Promise<Float32Array> {
  const t = model.logits({ inputIds: IDS, batchSize: 1, seqLen: IDS.length });
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Non-trivial adapter values: MoRA's M ~ N(0, 0.3²); IA3's l ~ 1 + N(0, 0.3²) (scales near one, never near zero). */
function randomise(adapter: InjectedAdapter, seed: number): void {
  const rng = new Rng(seed);
  const offset = adapter.method.name === 'ia3' ? 1 : 0;
  for (const v of uniqueParams(adapter.trainables()).values()) {
    tf.tidy(() => v.assign(tf.add(tf.tensor(rng.normalArray(v.size, 0.3), v.shape), offset)));
  }
}

function batchOf(ids: Int32Array): Batch {
  const T = ids.length;
  return {
    batchSize: 1, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: T }, (_, i) => i),
    segmentIds: new Int32Array(T).fill(1), numTargetTokens: T - 1, numExamples: 1, epoch: 0,
  };
}

/** Every frozen tensor of the model: base weights (through materialize, base formats may be packed), biases, embeddings. */
async function frozenSnapshot(model: CausalLM): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const m of model.linearModules()) {
    const layer = model.getLinear(m.name) as unknown as { base?: FrozenLinear };
    const base = (layer.base ?? layer) as FrozenLinear;
    const w = base.weight.materialize();
    out.push((await w.data()) as Float32Array);
    w.dispose();
    if (base.bias) out.push((await base.bias.data()) as Float32Array);
  }
  out.push((await model.embedTokens.data()) as Float32Array);
  return out;
}

function spec(output: string, method: MethodConfigInput, backend: BackendName, training: Record<string, unknown> = {}) {
  return RunSpecSchema.parse({
    model: 'model',
    dataset: { path: 'data.jsonl', validationSplit: 0 },
    template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
    sequence: { maxLength: 48 },
    method,
    training: { maxSteps: 8, batchSize: 4, learningRate: 2e-2, schedule: 'constant', seed: 3, ...training },
    output,
    backend,
  });
}

async function train(s: ReturnType<typeof spec>): Promise<number[]> {
  const events: TrainEvent[] = [];
  await runTraining(s, { specDir: root, onEvent: (e) => events.push(e) });
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

describeEachBackend('MoRA and IA3', (backend) => {
  let modelDir: string;
  let baseLogits: Float32Array;
  beforeAll(async () => {
    modelDir = path.join(root, 'model');
    if (!fs.existsSync(modelDir)) {
      await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 21 });
      await writeTinyTokenizer(modelDir);
      fs.writeFileSync(path.join(root, 'data.jsonl'), RECORDS.map((r) => JSON.stringify(r)).join('\n'));
    }
    const m = await loadModel(modelDir);
    baseLogits = await logits(m);
    m.dispose();
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const model = await loadModel(modelDir);
      const method = adapterMethod(row.cfg.method);
      const cfg = method.parseConfig(row.cfg, 'method');
      expect(planParameters(model, method, cfg).trainable).toBe(row.trainable);
      let adapter: InjectedAdapter | null = method.inject(model, cfg, { seed: 5 });
      try {
        let created = 0;
        for (const v of uniqueParams(adapter.trainables()).values()) created += v.size;
        expect(created).toBe(row.trainable);

        // Fresh: M = 0 (MoRA), l = 1 (IA3) make the adapter an exact no-op.
        expect(maxAbsDiff(await logits(model), baseLogits)).toBe(0);

        randomise(adapter, 7);
        const unmerged = await logits(model);
        expect(unmerged.every(Number.isFinite)).toBe(true);
        expect(maxAbsDiff(unmerged, baseLogits)).toBeGreaterThan(1e-3);
        adapter.setEnabled(false);
        expect(maxAbsDiff(await logits(model), baseLogits)).toBe(0);
        adapter.setEnabled(true);

        // Save → load onto the same base gives the same outputs.
        const dir = path.join(root, `adapter-${Math.random()}`);
        await saveAdapter(dir, adapter, model, 'tiny');
        adapter.remove();
        adapter = null;
        adapter = await loadAdapter(dir, model);
        expect(adapter.method.name).toBe(method.name);
        expect(maxAbsDiff(await logits(model), unmerged)).toBe(0);

        // A training step changes adapter tensors only and leaks no tensor.
        const params = uniqueParams(adapter.trainables());
        const opt = new AdamW(params);
        const before = await frozenSnapshot(model);
        await trainStep(model, params, opt, [batchOf(IDS)], { step: 0, lr: 1e-2, seed: 1, maxGradNorm: 1 }); // first step compiles kernels
        const adapterBefore = await Promise.all([...params.values()].map(async (v) => (await v.data()) as Float32Array));
        const tensorsBefore = tf.memory().numTensors;
        const r = await trainStep(model, params, opt, [batchOf(IDS)], { step: 1, lr: 1e-2, seed: 1, maxGradNorm: 1 });
        expect(tf.memory().numTensors).toBe(tensorsBefore);
        expect(Number.isFinite(r.loss)).toBe(true);
        const after = await frozenSnapshot(model);
        after.forEach((w, i) => expect(maxAbsDiff(w, before[i])).toBe(0));
        const adapterAfter = await Promise.all([...params.values()].map(async (v) => (await v.data()) as Float32Array));
        adapterAfter.forEach((w, i) => expect(maxAbsDiff(w, adapterBefore[i])).toBeGreaterThan(0));
        opt.dispose();

        // Merged equals unmerged; unmerging restores the base weights up to rounding.
        const trained = await logits(model);
        adapter.merge();
        const merged = await logits(model);
        expect(merged.every(Number.isFinite)).toBe(true);
        expect(maxAbsDiff(merged, trained)).toBeLessThan(1e-4);
        adapter.unmerge();
        expect(maxAbsDiff(await logits(model), trained)).toBeLessThan(1e-4);
        adapter.setEnabled(false);
        expect(maxAbsDiff(await logits(model), baseLogits)).toBeLessThan(1e-4);
      } finally {
        adapter?.remove();
        model.dispose();
      }
    });
  }

  for (const row of ROWS) {
    it(`${row.name}: the loss falls over a few updates on a tiny instruction set`, async () => {
      const l = await train(spec(`out-${backend}-${Math.random()}`, row.cfg, backend));
      expect(l).toHaveLength(8);
      expect(l.every(Number.isFinite)).toBe(true);
      expect(l[7]).toBeLessThan(0.9 * l[0]);
    });
  }

  it('ReMoRA in the trainer: restarts every 3 updates clear the optimizer, the file says the type reached', async () => {
    const out = `out-remora-${backend}-${Math.random()}`;
    const l = await train(spec(out, { method: 'mora', r: 2, targetModules: ['q_proj', 'v_proj'], remora: { every: 3, types: 4 } }, backend, { checkpointEvery: 4 }));
    expect(l[7]).toBeLessThan(0.9 * l[0]);
    // Restarts after updates 3 and 6: type 1 → 2 → 3. The checkpoint at update 4 saw one AdamW step since the reset.
    const json = JSON.parse(fs.readFileSync(path.join(root, out, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ peft_type: 'LORA', use_mora: true, mora_type: 3, r: 2 });
    const state = JSON.parse(fs.readFileSync(path.join(root, out, 'checkpoints', 'step-000004', 'trainer_state.json'), 'utf8')) as { step: number; optimizerStep: number };
    expect(state).toMatchObject({ step: 4, optimizerStep: 1 });
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
