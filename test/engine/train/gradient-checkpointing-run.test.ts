// A run with training.gradientCheckpointing trains as the same run without it (same losses to float32 tolerance,
// the reference being the ordinary run), resumes from its checkpoints with exactly the losses of an uninterrupted
// run, and a run may switch the setting when it resumes (it changes memory, not the numbers, so it is not part of
// the spec hash).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import { useBackend } from '../../../src-main/engine/backends/index';
import { runTraining } from '../../../src-main/engine/train/trainer';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../../helpers/tiny-tokenizer';
import { writeTinyModel } from '../../helpers/tiny-model';

let root: string;
beforeAll(async () => {
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-gc-run-'));
  await writeTinyModel(path.join(root, 'model'), { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, numLayers: 2, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 7 });
  await writeTinyTokenizer(path.join(root, 'model'));
  fs.writeFileSync(path.join(root, 'data.jsonl'), ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => JSON.stringify({ q: `letter ${x}?`, a: `${x}${i}` })).join('\n'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const spec = (output: string, training: Record<string, unknown>, method: Record<string, unknown> = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.1, targetModules: 'all-linear' }) => RunSpecSchema.parse({
  model: 'model', dataset: { path: 'data.jsonl', validationSplit: 0 }, template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
  sequence: { maxLength: 48 }, method, output, backend: 'wasm',
  training: { maxSteps: 6, batchSize: 3, gradientAccumulation: 2, learningRate: 1e-2, checkpointEvery: 3, seed: 5, ...training },
});

async function losses(s: ReturnType<typeof spec>, resume = false): Promise<number[]> {
  const events: TrainEvent[] = [];
  await runTraining(s, { specDir: root, resume, onEvent: (e) => events.push(e) });
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => expect(Math.abs(x - expected[i])).toBeLessThanOrEqual(1e-5 * Math.abs(expected[i])));
}

describe('training with gradient checkpointing', () => {
  it('defaults to off in a run spec', () => {
    expect(spec('x', {}).training.gradientCheckpointing).toBe(false);
  });

  it.each([
    ['LoRA with dropout', undefined],
    ['prefix tuning', { method: 'prefix', numVirtualTokens: 3 }],
  ])('%s: the losses of the ordinary run; a resumed run repeats the uninterrupted losses exactly', async (name, method) => {
    const slug = name.replace(/\W+/g, '-');
    const plain = await losses(spec(`plain-${slug}`, {}, method));
    const checkpointed = await losses(spec(`gc-${slug}`, { gradientCheckpointing: true }, method));
    expectClose(checkpointed, plain);
    expect(checkpointed[5]).toBeLessThan(checkpointed[0]);
    const first = await losses(spec(`gc-resumed-${slug}`, { gradientCheckpointing: true, stopAfter: 3 }, method));
    const second = await losses(spec(`gc-resumed-${slug}`, { gradientCheckpointing: true }, method), true);
    expect([...first, ...second]).toEqual(checkpointed);
    const info = JSON.parse(fs.readFileSync(path.join(root, `gc-${slug}`, 'run_info.json'), 'utf8'));
    expect(info.spec.training.gradientCheckpointing).toBe(true);
  });

  it('resumes a run checkpointed without it, with it switched on', async () => {
    const plain = await losses(spec('switch-reference', {}));
    const first = await losses(spec('switched', { stopAfter: 3 }));
    const second = await losses(spec('switched', { gradientCheckpointing: true }), true);
    expect(first).toEqual(plain.slice(0, 3));
    expectClose(second, plain.slice(3));
  });
});
