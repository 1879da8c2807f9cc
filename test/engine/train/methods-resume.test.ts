// Every method trains through the real trainer and resumes bit-exactly from a checkpoint (the checkpoint holds
// the trainable variables themselves: for prefix tuning with a projection that is the MLP, not the saved table;
// for full fine-tuning every weight). Also: prompt-learning methods refuse packed rows.
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
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-methods-'));
  const modelDir = path.join(root, 'model');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 7 });
  await writeTinyTokenizer(modelDir);
  fs.writeFileSync(path.join(root, 'data.jsonl'), ['a', 'b', 'c', 'd', 'e'].map((x, i) => JSON.stringify({ q: `letter ${x}?`, a: `${x}${i}` })).join('\n'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const spec = (method: Record<string, unknown>, output: string, training: Record<string, unknown> = {}, packing = false) => RunSpecSchema.parse({
  model: 'model', dataset: { path: 'data.jsonl', validationSplit: 0 }, template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
  sequence: { maxLength: 48, packing }, method, output, backend: 'wasm',
  training: { maxSteps: 6, batchSize: 5, learningRate: 1e-2, checkpointEvery: 3, seed: 5, ...training },
});

async function losses(s: ReturnType<typeof spec>, resume = false): Promise<number[]> {
  const events: TrainEvent[] = [];
  await runTraining(s, { specDir: root, resume, onEvent: (e) => events.push(e) });
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

describe('every method through the trainer', () => {
  it.each([
    ['prompt', { method: 'prompt', numVirtualTokens: 4, init: 'text', initText: 'Answer the letter' }],
    ['prefix with projection', { method: 'prefix', numVirtualTokens: 4, prefixProjection: true }],
    ['full fine-tuning', { method: 'full' }],
  ])('%s: trains, and a resumed run repeats the uninterrupted losses exactly', async (name, method) => {
    const slug = name.replace(/\W+/g, '-');
    const full = await losses(spec(method, `full-${slug}`));
    expect(full).toHaveLength(6);
    expect(full[5]).toBeLessThan(full[0]);
    const first = await losses(spec(method, `resumed-${slug}`, { stopAfter: 3 }));
    const second = await losses(spec(method, `resumed-${slug}`), true);
    expect([...first, ...second]).toEqual(full);
    const out = path.join(root, `full-${slug}`);
    const expected = name === 'full fine-tuning' ? ['config.json', 'model.safetensors', 'tokenizer.json'] : ['adapter_config.json', 'adapter_model.safetensors'];
    for (const f of expected) expect(fs.existsSync(path.join(out, f))).toBe(true);
  });

  it('prompt-learning methods refuse packed rows with a clear message', async () => {
    await expect(runTraining(spec({ method: 'prompt' }, 'packed', {}, true), { specDir: root })).rejects.toMatchObject({
      code: 'SPEC_INVALID', message: expect.stringContaining('set sequence.packing to false'),
    });
  });
});
