// LoRA on a quantised base (QLoRA, peft-spec §2.7): the same tiny instruction set as overfit.test.ts, trained on a
// base held at 16 (bf16), 8 (LLM.int8) and 4 bits (NF4 + double quantisation as QLoRA, and FP4), drives the loss
// down like LoRA on the float32 base does; the run reports the base's measured storage; only the adapter's
// tensors change, and a training step on a packed base leaks no tensor.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaseSpecInput } from '../../../src-shared/domain/base-spec';
import { BaseSpecSchema } from '../../../src-shared/domain/base-spec';
import { RunSpecSchema } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { useBackend } from '../../../src-main/engine/backends/index';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { FrozenLinear } from '../../../src-main/engine/model/linear';
import { loadModel } from '../../../src-main/engine/model/load';
import { Rng } from '../../../src-main/engine/rng';
import type { Batch } from '../../../src-main/engine/train/batching';
import { AdamW } from '../../../src-main/engine/train/optimizer';
import { trainStep, uniqueParams } from '../../../src-main/engine/train/step';
import { runTraining } from '../../../src-main/engine/train/trainer';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../../helpers/tiny-tokenizer';
import { writeTinyModel } from '../../helpers/tiny-model';

const RECORDS = [
  { q: 'capital of France?', a: 'Paris.' },
  { q: 'two plus two?', a: 'four' },
  { q: 'colour of the sky?', a: 'blue, mostly' },
  { q: 'opposite of hot?', a: 'cold' },
];

let root: string;
let modelDir: string;

beforeAll(async () => {
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-qbase-'));
  modelDir = path.join(root, 'model');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 11 });
  await writeTinyTokenizer(modelDir);
  fs.writeFileSync(path.join(root, 'data.jsonl'), RECORDS.map((r) => JSON.stringify(r)).join('\n'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function train(name: string, base: BaseSpecInput | undefined): Promise<TrainEvent[]> {
  const spec = RunSpecSchema.parse({
    model: 'model',
    dataset: { path: 'data.jsonl', validationSplit: 0 },
    template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
    sequence: { maxLength: 48 },
    method: { method: 'lora', r: 8, loraAlpha: 16, targetModules: 'all-linear' },
    base,
    training: { maxSteps: 60, batchSize: 4, learningRate: 1e-2, schedule: 'constant', seed: 3 },
    output: name,
    backend: 'wasm',
  });
  const events: TrainEvent[] = [];
  await runTraining(spec, { specDir: root, onEvent: (e) => events.push(e) });
  return events;
}

const losses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
const start = (events: TrainEvent[]) => events.find((e): e is Extract<TrainEvent, { type: 'start' }> => e.type === 'start')!;

describe('LoRA on a quantised base memorises the tiny instruction set like LoRA on float32', () => {
  const runs = new Map<string, TrainEvent[]>();
  // Decoder linear weights of the tiny model: 2 layers × (q 32·32 + k, v 16·32 + o 32·32 + gate, up 64·32 + down 32·64)
  // = 2 × 9,216 = 18,432, with 2 × (32 + 16 + 16 + 32 + 64 + 64 + 32) = 512 rows. Bits per weight measured from the
  // tensors: int8 8 + 32·512/18432; every matrix is a multiple of 64 weights but not of 64·256, so double
  // quantisation holds one float32 absmax2 for each of the 14 matrices: 4 + 8/64 + 32·14/18432.
  const linear = 18432;
  const cases: [string, BaseSpecInput | undefined, number][] = [
    ['32-bit', undefined, 32],
    ['16-bit bf16', { bits: 16 }, 16],
    ['8-bit LLM.int8', { bits: 8 }, 8 + (32 * 512) / linear],
    ['4-bit NF4 + double quantisation (QLoRA)', { bits: 4 }, 4 + 8 / 64 + (32 * 14) / linear],
    ['4-bit FP4', { bits: 4, quantType: 'fp4' }, 4.5],
  ];
  beforeAll(async () => {
    for (const [name, base] of cases) runs.set(name, await train(`out-${runs.size}`, base));
  }, 300_000);

  for (const [name, , bits] of cases) {
    it(`${name}: the loss falls below 2% of its start; the run reports ${bits.toFixed(3)} bits per base weight`, () => {
      const l = losses(runs.get(name)!);
      expect(l).toHaveLength(60);
      expect(l[0]).toBeGreaterThan(3);
      expect(l[59]).toBeLessThan(0.02 * l[0]);
      expect(start(runs.get(name)!).baseBitsPerWeight).toBeCloseTo(bits, 10);
    });
  }

  it('starts from nearly the float32 loss (the quantised base computes nearly the same function)', () => {
    const fp32 = losses(runs.get('32-bit')!)[0];
    for (const [name] of cases) expect(Math.abs(losses(runs.get(name)!)[0] - fp32)).toBeLessThan(0.1 * fp32);
  });
});

describe('training on a packed base', () => {
  let model: CausalLM;
  beforeAll(async () => {
    model = await loadModel(modelDir, { base: BaseSpecSchema.parse({ bits: 4 }) });
  });
  afterAll(() => model.dispose());

  function batch(): Batch {
    const rng = new Rng(2);
    const B = 2;
    const T = 16;
    const ids = Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * TINY_VOCAB_SIZE));
    return {
      batchSize: B, seqLen: T, inputIds: ids, labels: ids, positionIds: Int32Array.from({ length: B * T }, (_, i) => i % T),
      segmentIds: new Int32Array(B * T).fill(1), numTargetTokens: B * (T - 1), numExamples: B, epoch: 0,
    };
  }

  async function snapshot(m: CausalLM): Promise<number[][]> {
    const out: number[][] = [];
    for (const info of m.linearModules()) {
      const layer = m.getLinear(info.name) as unknown as { base?: FrozenLinear } & FrozenLinear;
      const w = (layer.base ?? layer).weight.materialize();
      out.push(Array.from(await w.data()));
      w.dispose();
    }
    out.push(Array.from(await m.embedTokens.data()), Array.from(await m.finalNorm.data()));
    return out;
  }

  it('changes only the adapter\'s tensors, and a step leaks no tensor', async () => {
    const method = adapterMethod('lora');
    const adapter = method.inject(model, method.parseConfig({ r: 4, loraAlpha: 8, targetModules: 'all-linear' }, 'test'), { seed: 1 });
    const params = uniqueParams(adapter.trainables());
    const optimizer = new AdamW(params);
    const before = await snapshot(model);
    const adapterBefore = await Promise.all([...params.values()].map(async (v) => Array.from(await v.data())));
    const b = batch();
    await trainStep(model, params, optimizer, [b], { step: 0, lr: 1e-2, seed: 1, maxGradNorm: 1 });
    const tensors = tf.memory().numTensors;
    for (let step = 1; step < 4; step++) await trainStep(model, params, optimizer, [b], { step, lr: 1e-2, seed: 1, maxGradNorm: 1 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await snapshot(model)).toEqual(before);
    const adapterAfter = await Promise.all([...params.values()].map(async (v) => Array.from(await v.data())));
    expect(adapterAfter.filter((a, i) => a.some((x, j) => x !== adapterBefore[i][j])).length).toBe(params.size);
    optimizer.dispose();
    adapter.remove();
  });
});
