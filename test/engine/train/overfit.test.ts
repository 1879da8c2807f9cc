// End-to-end training on a tiny model: LoRA memorises a tiny instruction set (loss falls far below its start,
// greedy generation reproduces a training response), and a run stopped and resumed from its checkpoint
// continues with exactly the losses of an uninterrupted run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSpecInput } from '../../../src-shared/domain/run-spec';
import { RunSpecSchema } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import { loadAdapter } from '../../../src-main/engine/adapters/io';
import { useBackend } from '../../../src-main/engine/backends/index';
import { GREEDY, generate } from '../../../src-main/engine/generate/generate';
import { encodePrompt } from '../../../src-main/engine/generate/prompt';
import { loadModel } from '../../../src-main/engine/model/load';
import { TextTokenizer } from '../../../src-main/engine/model/tokenizer';
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
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-overfit-'));
  modelDir = path.join(root, 'model');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 11 });
  await writeTinyTokenizer(modelDir);
  fs.writeFileSync(path.join(root, 'data.jsonl'), RECORDS.map((r) => JSON.stringify(r)).join('\n'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function spec(output: string, training: Partial<RunSpecInput['training']> = {}, method: Record<string, unknown> = {}): ReturnType<typeof RunSpecSchema.parse> {
  return RunSpecSchema.parse({
    model: 'model',
    dataset: { path: 'data.jsonl', validationSplit: 0 },
    template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
    sequence: { maxLength: 48 },
    method: { method: 'lora', r: 8, loraAlpha: 16, targetModules: 'all-linear', ...method },
    training: { maxSteps: 60, batchSize: 4, learningRate: 1e-2, schedule: 'constant', seed: 3, ...training },
    output,
    backend: 'wasm',
  });
}

async function train(s: ReturnType<typeof spec>, resume = false): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  await runTraining(s, { specDir: root, resume, onEvent: (e) => events.push(e) });
  return events;
}

const losses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'step' ? [{ step: e.step, loss: e.loss }] : []));

describe('LoRA memorises a tiny instruction set', () => {
  let events: TrainEvent[];
  beforeAll(async () => {
    events = await train(spec('out-overfit'));
  });

  it('drives the loss far below where it started', () => {
    const l = losses(events);
    expect(l).toHaveLength(60);
    expect(l[0].loss).toBeGreaterThan(3); // ≈ ln(267) = 5.6 for an untrained model
    expect(l[l.length - 1].loss).toBeLessThan(0.02 * l[0].loss);
  });

  it('writes a PEFT adapter that, loaded again, greedily reproduces a training response', async () => {
    const out = path.join(root, 'out-overfit');
    expect(fs.existsSync(path.join(out, 'adapter_config.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'adapter_model.safetensors'))).toBe(true);
    const model = await loadModel(modelDir);
    const tok = await TextTokenizer.fromDir(modelDir);
    const adapter = await loadAdapter(out, model);
    try {
      for (const r of RECORDS.slice(0, 2)) {
        const res = await generate(model, encodePrompt(tok, `Q: ${r.q}\nA: `), { ...GREEDY, maxNewTokens: 20, eosTokenIds: [TINY_EOS_ID] }, { tokenizer: tok });
        expect(res.text).toBe(r.a);
        expect(res.stopReason).toBe('eos');
      }
      // Without the adapter the base model does not know the answer.
      adapter.setEnabled(false);
      const base = await generate(model, encodePrompt(tok, `Q: ${RECORDS[0].q}\nA: `), { ...GREEDY, maxNewTokens: 8, eosTokenIds: [TINY_EOS_ID] }, { tokenizer: tok });
      expect(base.text).not.toBe(RECORDS[0].a);
    } finally {
      adapter.remove();
      model.dispose();
    }
  });
});

describe('resume', () => {
  it('continues from a checkpoint with losses identical to an uninterrupted run', async () => {
    const method = { loraDropout: 0.1 }; // dropout too: its masks must replay after a resume
    const training = { maxSteps: 12, checkpointEvery: 4, schedule: 'cosine' as const, warmupSteps: 2, batchSize: 1, gradientAccumulation: 3 };
    const full = losses(await train(spec('out-full', training, method)));
    const first = losses(await train(spec('out-resumed', { ...training, stopAfter: 6 }, method)));
    expect(first.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // The newest checkpoint is at the end of the stopped run (step 6); resume continues from there.
    const second = losses(await train(spec('out-resumed', training, method), true));
    expect(second.map((l) => l.step)).toEqual([7, 8, 9, 10, 11, 12]);
    expect([...first, ...second].map((l) => l.loss)).toEqual(full.map((l) => l.loss));
  });

  it('refuses to resume a checkpoint written with different settings', async () => {
    await expect(train(spec('out-resumed', { maxSteps: 12, learningRate: 5e-3, checkpointEvery: 4, schedule: 'cosine', warmupSteps: 2, batchSize: 1, gradientAccumulation: 3 }, { loraDropout: 0.1 }), true))
      .rejects.toMatchObject({ code: 'RESUME_MISMATCH' });
  });
});
