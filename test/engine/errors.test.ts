// Bad input ends in a clear error naming the file/field and the fix, and nothing half-written is left behind:
// missing/truncated weights, a config that does not match the weights, an adapter for another base, a malformed
// dataset line, and a loss that becomes NaN (the run stops and says at which update).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSpecInput } from '../../src-shared/domain/run-spec';
import { RunSpecSchema } from '../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../src-shared/domain/train-events';
import { adapterMethod } from '../../src-main/engine/adapters/index';
import { loadAdapter, saveAdapter } from '../../src-main/engine/adapters/io';
import { useBackend } from '../../src-main/engine/backends/index';
import { loadModel } from '../../src-main/engine/model/load';
import { writeSafetensorsFile } from '../../src-main/engine/model/safetensors';
import { runTraining } from '../../src-main/engine/train/trainer';
import { latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { tinyConfig, tinyWeights, writeTinyModel } from '../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-errors-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('wasm');
});

async function tinyAt(name: string, opts: Parameters<typeof writeTinyModel>[1] = {}): Promise<string> {
  return (await writeTinyModel(path.join(root, name), opts)).dir;
}

describe('model folders', () => {
  it('a folder without weights is for planning only', async () => {
    const dir = await tinyAt('noweights');
    fs.rmSync(path.join(dir, 'model.safetensors'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('planning only') });
  });

  it('a truncated safetensors file names the file', async () => {
    const dir = await tinyAt('truncated');
    const file = path.join(dir, 'model.safetensors');
    fs.truncateSync(file, fs.statSync(file).size - 100);
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'SAFETENSORS_INVALID', message: expect.stringContaining(file) });
  });

  it('weights that do not match config.json name the tensor, both shapes and the config field', async () => {
    const dir = await tinyAt('mismatch', { hiddenSize: 16 });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 48 }));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
      message: expect.stringMatching(/gate_proj\.weight.*has shape \[40, 16\].*expects \[48, 16\].*intermediate_size/s),
    });
  });

  it('a config with more layers than the checkpoint names the first missing tensor', async () => {
    const dir = await tinyAt('layers');
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining('model.layers.2.') });
  });
});

describe('adapters', () => {
  it('an adapter trained on another base names the tensor and both shapes', async () => {
    const small = await loadModel(await tinyAt('base16', { hiddenSize: 16 }));
    const method = adapterMethod('lora');
    const adapter = method.inject(small, method.parseConfig({ r: 2 }, 'm'), { seed: 1 });
    const dir = path.join(root, 'adapter16');
    await saveAdapter(dir, adapter, small, 'tiny-16');
    adapter.remove();
    small.dispose();
    const big = await loadModel(await tinyAt('base32', { hiddenSize: 32, numHeads: 4, numKvHeads: 2 }));
    await expect(loadAdapter(dir, big)).rejects.toMatchObject({
      code: 'ADAPTER_INVALID',
      message: expect.stringMatching(/q_proj\.lora_A\.weight has shape \[2, 16\] but this base model needs \[2, 32\].*tiny-16/),
    });
    big.dispose();
  });
});

describe('training runs', () => {
  let modelDir: string;
  beforeAll(async () => {
    modelDir = await tinyAt('train', { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4 });
    await writeTinyTokenizer(modelDir);
  });

  const spec = (output: string, data: string, training: Partial<RunSpecInput['training']> = {}, targets = ['q_proj', 'v_proj']) => RunSpecSchema.parse({
    model: modelDir, dataset: { path: data, validationSplit: 0 }, template: { kind: 'custom', prompt: '{q} ', response: '{a}' },
    sequence: { maxLength: 32 }, method: { method: 'lora', r: 4, targetModules: targets }, output,
    training: { maxSteps: 30, batchSize: 2, learningRate: 1e-3, ...training }, backend: 'wasm',
  });

  it('a malformed dataset line stops the run before anything is written, with the line number', async () => {
    const data = path.join(root, 'bad.jsonl');
    fs.writeFileSync(data, '{"q": "a", "a": "b"}\n{"q": "c", "a": "d"}\n{"q": "e", "a": \n');
    const out = path.join(root, 'out-bad');
    await expect(runTraining(spec(out, data), { specDir: root })).rejects.toMatchObject({ code: 'DATASET_INVALID', message: expect.stringContaining('line 3') });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a NaN in the base weights stops at update 1 and says so; no adapter is written', async () => {
    const dir = path.join(root, 'nanmodel');
    fs.mkdirSync(dir);
    const cfg = tinyConfig({ vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID });
    const w = tinyWeights(cfg, { std: 0.4 });
    w.get('model.layers.1.mlp.down_proj.weight')!.data[5] = NaN;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    await writeSafetensorsFile(path.join(dir, 'model.safetensors'), [...w].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data })));
    await writeTinyTokenizer(dir);
    const data = path.join(root, 'ok.jsonl');
    fs.writeFileSync(data, '{"q": "a", "a": "b"}\n{"q": "c", "a": "d"}\n');
    const events: TrainEvent[] = [];
    const out = path.join(root, 'out-nan');
    await expect(runTraining({ ...spec(out, data), model: dir }, { specDir: root, onEvent: (e) => events.push(e) }))
      .rejects.toMatchObject({ code: 'NAN_LOSS', message: expect.stringMatching(/update 1 .*loss became NaN/) });
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { code: 'NAN_LOSS' } });
    expect(fs.existsSync(path.join(out, 'adapter_model.safetensors'))).toBe(false);
  });

  it('a diverging run stops at the update where the loss turns non-finite and keeps its earlier checkpoints', async () => {
    const data = path.join(root, 'div.jsonl');
    fs.writeFileSync(data, '{"q": "a", "a": "b"}\n{"q": "c", "a": "d"}\n');
    const out = path.join(root, 'out-div');
    const events: TrainEvent[] = [];
    const err = await runTraining(spec(out, data, { learningRate: 1e18, maxGradNorm: 0, checkpointEvery: 1, schedule: 'constant' }, ['lm_head']), { specDir: root, onEvent: (e) => events.push(e) })
      .catch((e: unknown) => e as { code: string; details: { step: number } });
    expect(err).toMatchObject({ code: 'NAN_LOSS' });
    const failedAt = (err as { details: { step: number } }).details.step;
    expect(failedAt).toBeGreaterThan(1);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(failedAt - 1);
    expect(latestCheckpoint(out)?.state.step).toBe(failedAt - 1);
  });
});
