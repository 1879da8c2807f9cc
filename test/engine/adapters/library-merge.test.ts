// Several adapters on one base switched per request (and "none" for the base), and `peft-lab merge` writing a
// complete model folder whose logits equal base + adapter.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { saveAdapter } from '../../../src-main/engine/adapters/io';
import { AdapterLibrary } from '../../../src-main/engine/adapters/library';
import { useBackend } from '../../../src-main/engine/backends/index';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { loadModel } from '../../../src-main/engine/model/load';
import { Rng } from '../../../src-main/engine/rng';
import { uniqueParams } from '../../../src-main/engine/train/step';
import { writeTinyModel } from '../../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-library-'));
const IDS = Int32Array.from([1, 5, 9, 20, 33, 2]);
let modelDir: string;
const expected = new Map<string, Float32Array>();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function logits(model: CausalLM): Promise<Float32Array> {
  const t = model.logits({ inputIds: IDS, batchSize: 1, seqLen: IDS.length });
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/** Writes an adapter with non-trivial values and remembers the logits it gives. */
async function makeAdapter(name: string, method: string, cfg: Record<string, unknown>, seed: number): Promise<string> {
  const model = await loadModel(modelDir);
  const m = adapterMethod(method);
  const adapter = m.inject(model, m.parseConfig(cfg, name), { seed });
  const rng = new Rng(seed);
  for (const v of uniqueParams(adapter.trainables()).values()) v.assign(tf.tensor(rng.normalArray(v.size, 0.3), v.shape));
  expected.set(name, await logits(model));
  const dir = path.join(root, name);
  await saveAdapter(dir, adapter, model, 'tiny');
  adapter.remove();
  model.dispose();
  return dir;
}

beforeAll(async () => {
  await useBackend('wasm');
  modelDir = (await writeTinyModel(path.join(root, 'model'), { seed: 12 })).dir;
  const base = await loadModel(modelDir);
  expected.set('base', await logits(base));
  base.dispose();
  await makeAdapter('lora-qv', 'lora', { r: 2, targetModules: ['q_proj', 'v_proj'] }, 1);
  await makeAdapter('lora-all', 'lora', { r: 4, targetModules: 'all-linear' }, 2);
  await makeAdapter('prompt', 'prompt', { numVirtualTokens: 3 }, 3);
});

describe('adapter library', () => {
  it('switches between adapters (and none) on one loaded base, giving each one\'s own logits', async () => {
    const model = await loadModel(modelDir);
    const lib = new AdapterLibrary(model);
    for (const n of ['lora-qv', 'lora-all', 'prompt']) await lib.load(n, path.join(root, n));
    expect(lib.names()).toEqual(['lora-qv', 'lora-all', 'prompt']);
    await logits(model); // the first forward builds the RoPE tables, kept for the model's life
    const before = tf.memory().numTensors;
    for (const n of ['lora-all', null, 'prompt', 'lora-qv', 'lora-all', null] as const) {
      lib.activate(n);
      expect(lib.active()).toBe(n);
      expect(maxAbs(await logits(model), expected.get(n ?? 'base')!)).toBe(0);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => lib.activate('missing')).toThrow(/no adapter named "missing"/);
    lib.dispose();
    model.dispose();
  });
});

describe('peft-lab merge', () => {
  const BIN = path.resolve(__dirname, '../../../bin/peft-lab.js');
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('writes a model folder whose logits equal base + adapter (f32), and close at bf16', async () => {
    const out = path.join(root, 'merged-f32');
    const r = cli('merge', '--model', modelDir, '--adapter', path.join(root, 'lora-all'), '--out', out, '--backend', 'wasm');
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const merged = await loadModel(out);
    expect(maxAbs(await logits(merged), expected.get('lora-all')!)).toBeLessThan(1e-4);
    merged.dispose();
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).torch_dtype).toBe('float32');
    const bf = path.join(root, 'merged-bf16');
    expect(cli('merge', '--model', modelDir, '--adapter', path.join(root, 'lora-qv'), '--out', bf, '--dtype', 'bf16', '--backend', 'wasm').status).toBe(0);
    const m16 = await loadModel(bf);
    const diff = maxAbs(await logits(m16), expected.get('lora-qv')!);
    expect(diff).toBeGreaterThan(0); // bf16 rounding is visible…
    expect(diff).toBeLessThan(0.1); // …but small
    m16.dispose();
  });

  it('refuses adapters with nothing to merge and an output over the base', () => {
    const p = cli('merge', '--model', modelDir, '--adapter', path.join(root, 'prompt'), '--out', path.join(root, 'x'), '--backend', 'wasm');
    expect(p.status).toBe(1);
    expect(p.stderr).toContain('PROMPT_TUNING adapters have nothing to merge');
    const same = cli('merge', '--model', modelDir, '--adapter', path.join(root, 'lora-qv'), '--out', modelDir, '--backend', 'wasm');
    expect(same.stderr).toContain('--out must differ from --model');
  });
});
